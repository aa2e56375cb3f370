import HindsightCore
import Services

/// Cross-sectional momentum rotation: every `rebalance_every` sessions (counted from the run's first session, once
/// `lookback` sessions of history exist in the panel), hold the `top_n` names with the highest close-to-close return
/// over the last `lookback` sessions, at equal target weights 1/top_n of the pre-trade equity. Momentum is a shift
/// along the panel's sessions (a name needs a bar today and `lookback` sessions ago); a name without a bar today gets
/// no order. Orders go to the simulator in ascending order value, so sells run first and, when fees leave too little
/// cash, the largest buy is the one trimmed (vectorbt `from_orders` with `targetpercent` and `call_seq='auto'`).
public struct MomentumRotationStrategy: Strategy, StrategyPlugin {
    public static let kind = "momentum_rotation"
    public static let keys: [String] = ["params"]

    /// The parsed `params`.
    public struct Params: Sendable, Equatable {
        public var lookback: Int, topN: Int, every: Int
    }

    let params: Params
    let env: StrategyEnvironment
    let assets: [Int32]
    let ruleBased: Bool
    /// The closes, day by day when the market has the copy (the ranking reads every asset on one day).
    let prices: DayMajorMarks.Reader
    var members: [Int32] = []
    var isMember: [Int32]
    var candidates: [(Double, Int32)] = []
    var orders: [(Double, Int32)] = []
    var chosen: [Int32]

    public static func params(_ strategy: ConfigNode) throws -> Params {
        let p = try ConfigMap(strategy, allowed: ["kind"] + keys).require(
            "params", "{lookback: 126, top_n: 20, rebalance_every: 21}")
        let m = try ConfigMap(p, allowed: ["lookback", "top_n", "rebalance_every"])
        func positive(_ key: String, _ example: String) throws -> Int {
            guard let v = try m.int(key) else { throw p.error("missing key `\(key)`", hint: example) }
            if v < 1 { throw m.node(key)!.error("\(key) must be ≥ 1, got \(v)") }
            return v
        }
        return Params(
            lookback: try positive("lookback", "the momentum window in sessions, e.g. 126"),
            topN: try positive("top_n", "how many names to hold, e.g. 20"),
            every: try positive("rebalance_every", "sessions between rebalances, e.g. 21"))
    }

    public static func validate(_ strategy: ConfigNode) throws { _ = try params(strategy) }

    public static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        let p = try params(env.config.strategy)
        let panel = env.panel
        var (assets, ruleBased, _) = BacktestUniverseService.candidates(
            env.config.universe, panel: panel, excluded: env.universe.excluded)
        assets.sort()
        var s = MomentumRotationStrategy(
            params: p, env: env, assets: assets, ruleBased: ruleBased,
            prices: DayMajorMarks.Reader(panel: panel, marks: env.marks),
            isMember: [Int32](repeating: -1, count: panel.assetCount),
            chosen: [Int32](repeating: -1, count: panel.assetCount))
        s.members.reserveCapacity(panel.assetCount)
        s.candidates.reserveCapacity(assets.count)
        s.orders.reserveCapacity(assets.count)
        var setup = StrategySetup(strategy: s, modelNames: ["momentum_rotation"])
        // A rebalance orders at most the chosen names and the held ones it drops.
        setup.expectedOrders = (env.sessions.count / p.every + 1) * min(assets.count, 2 * min(p.topN, assets.count))
        return setup
    }

    public mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {
        let d = view.day, i = d - env.sessions.lowerBound
        guard i % params.every == 0, d >= params.lookback, view.equity > 0 else { return }
        if ruleBased {
            env.universe.members(onDay: d, into: &members)
            for a in members { isMember[Int(a)] = Int32(d) }
        }
        candidates.removeAll(keepingCapacity: true)
        let px = prices
        for a32 in assets where !ruleBased || isMember[Int(a32)] == Int32(d) {
            let k = px.index(asset: Int(a32), day: d), back = px.index(asset: Int(a32), day: d - params.lookback)
            guard px.valid[k], px.valid[back] else { continue }
            let m = px.close[k] / px.close[back] - 1
            if m.isFinite { candidates.append((m, a32)) }
        }
        MomentumRotationKernel.selectTop(&candidates, params.topN)
        let count = min(params.topN, candidates.count)
        let w = 1 / Double(params.topN)
        orders.removeAll(keepingCapacity: true)
        for j in 0..<count {
            let a = Int(candidates[j].1)
            chosen[a] = Int32(d)
            orders.append((w * view.equity - view.portfolio.value(a), candidates[j].1))
        }
        for a32 in assets {
            let a = Int(a32)
            guard view.portfolio.shares[a] != 0, chosen[a] != Int32(d), px.valid[px.index(asset: a, day: d)] else {
                continue
            }
            orders.append((-view.portfolio.value(a), a32))
        }
        MomentumRotationKernel.sortOrders(&orders)
        for (_, a32) in orders {
            let a = Int(a32)
            let target = chosen[a] == Int32(d) ? w : 0
            let now = px.index(asset: a, day: d), back = px.index(asset: a, day: d - params.lookback)
            let score = px.close[now] / px.close[back] - 1
            out.decisions.append(
                DecisionRecord(
                    day: Int32(d), asset: a32, direction: target > 0 ? 1 : 0, score: score, confidence: 1,
                    targetWeight: target, regime: Int32(view.regime), profileVersion: -1))
            out.orders.append(
                Order(
                    asset: a32, kind: .targetWeight(target), decision: Int32(out.decisions.count - 1),
                    decisionDay: Int32(d), decisionEquity: view.equity))
        }
    }
}
