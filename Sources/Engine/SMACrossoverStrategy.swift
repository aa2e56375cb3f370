import HindsightCore
import Services

/// Long when the fast SMA of the close crosses above the slow one, flat when it crosses below (vectorbt's rule:
/// enter at t when fast > slow at t and fast ≤ slow at t − 1, both after warm-up; exits mirrored). SMAs run over
/// each ticker's own bars (a gap is skipped, not averaged over), on raw closes, or on total-return adjusted closes
/// when the ticker has splits or dividends in the data. With several tickers each trades an equal sleeve of the
/// initial cash, independently (like vectorbt columns without cash sharing).
public struct SMACrossoverStrategy: Strategy, StrategyPlugin {
    public static let kind = "sma_crossover"
    public static let keys: [String] = ["params"]

    let fast: Int
    let slow: Int
    let kernels: [SMACrossoverKernel?]
    /// Bar index of each (asset, session), −1 on a gap.
    let barOfDay: [Int32]
    let dayCount: Int
    let assets: [Int32]
    let universe: BacktestUniverseService
    let ruleBased: Bool
    var previous: [Int8]
    var members: [Int32] = []
    var isMember: [Int32]

    static func params(_ strategy: ConfigNode) throws -> (fast: Int, slow: Int) {
        let p = try ConfigMap(strategy, allowed: ["kind"] + keys).require("params", "{fast: 10, slow: 30}")
        let m = try ConfigMap(p, allowed: ["fast", "slow"])
        guard let fast = try m.int("fast") else {
            throw p.error("missing key `fast`", hint: "the fast SMA window in sessions, e.g. 10")
        }
        guard let slow = try m.int("slow") else {
            throw p.error("missing key `slow`", hint: "the slow SMA window in sessions, e.g. 30")
        }
        if fast < 1 { throw m.node("fast")!.error("fast must be ≥ 1, got \(fast)") }
        if fast >= slow {
            throw m.node("fast")!.error("fast (\(fast)) must be below slow (\(slow))", hint: "swap them, or lower fast")
        }
        return (fast, slow)
    }

    public static func validate(_ strategy: ConfigNode) throws { _ = try params(strategy) }

    /// A crossover needs the slow SMA on two bars: with fewer than `slow + 1` bars up to `end` no signal can ever
    /// happen, and a run that "succeeds" with 0 trades would hide the mistake.
    public static func checkWindow(slow: Int, bars: Int, strategy: ConfigNode) throws {
        guard bars < slow + 1 else { return }
        let node = strategy.child("params.slow") ?? strategy
        throw node.error(
            "slow window \(slow) needs at least \(slow + 1) bars, but the data has \(bars) up to `end`",
            hint: "lower slow, or use more history (indicators warm up on the bars before `start`)")
    }

    public static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        let (fast, slow) = try params(env.config.strategy)
        let panel = env.panel
        let nD = panel.dayCount
        let (assets, ruleBased, sleeves) = BacktestUniverseService.candidates(
            env.config.universe, panel: panel, excluded: env.universe.excluded)
        var kernels = [SMACrossoverKernel?](repeating: nil, count: panel.assetCount)
        var barOfDay = [Int32](repeating: -1, count: panel.assetCount * nD)
        for a in assets.map(Int.init) {
            var series: [Double] = []
            series.reserveCapacity(nD)
            var hasActions = false
            for d in 0..<nD where panel.splitRatio[a * nD + d] != 1 || panel.dividend[a * nD + d] != 0 {
                hasActions = true
                break
            }
            let prices = hasActions ? panel.adjustedClose : panel.close
            for d in 0..<nD where panel.valid[a * nD + d] {
                barOfDay[a * nD + d] = Int32(series.count)
                series.append(prices[a * nD + d])
            }
            kernels[a] = SMACrossoverKernel(close: series)
        }
        try checkWindow(
            slow: slow, bars: kernels.compactMap { $0?.close.count }.max() ?? 0, strategy: env.config.strategy)
        // Warm-up: the SMAs run on the bars before `start`, so the sign on the last bar before the first session is
        // known, and a crossover on the first session is taken like any other.
        var previous = [Int8](repeating: 2, count: panel.assetCount)
        for a in assets.map(Int.init) {
            guard let kernel = kernels[a] else { continue }
            var d = env.sessions.lowerBound - 1
            while d >= 0, barOfDay[a * nD + d] < 0 { d -= 1 }
            guard d >= 0 else { continue }
            let b = Int(barOfDay[a * nD + d])
            if b >= slow - 1 { previous[a] = Int8(kernel.sign(fast, slow, b)) }
        }
        var s = SMACrossoverStrategy(
            fast: fast, slow: slow, kernels: kernels, barOfDay: barOfDay, dayCount: nD, assets: assets,
            universe: env.universe, ruleBased: ruleBased,
            previous: previous,
            isMember: [Int32](repeating: -1, count: panel.assetCount))
        s.members.reserveCapacity(panel.assetCount)
        let sleeve = sleeves > 1 ? env.config.initialCash / Double(sleeves) : nil
        return StrategySetup(strategy: s, modelNames: ["sma_crossover"], sleeveCapital: sleeve)
    }

    public mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {
        let d = view.day
        if ruleBased {
            universe.members(onDay: d, into: &members)
            for a in members { isMember[Int(a)] = Int32(d) }
        }
        for a32 in assets {
            let a = Int(a32)
            let b = Int(barOfDay[a * dayCount + d])
            guard b >= slow - 1, let kernel = kernels[a] else { continue }
            let s = kernel.sign(fast, slow, b)
            let prev = previous[a]
            previous[a] = Int8(s)
            guard prev != 2 else { continue }
            let held = view.portfolio.shares[a]
            var kind: Order.Kind?
            if s > 0, prev <= 0, held == 0, !ruleBased || isMember[a] == Int32(d) {
                kind = .allIn
            } else if s < 0, prev >= 0, held > 0 {
                kind = .closeOut
            }
            guard let kind else { continue }
            out.decisions.append(
                DecisionRecord(
                    day: Int32(d), asset: a32, direction: s > 0 ? 1 : 0, score: Double(s), confidence: 1,
                    targetWeight: s > 0 ? 1 : 0, regime: Int32(view.regime), profileVersion: -1))
            out.orders.append(
                Order(
                    asset: a32, kind: kind, decision: Int32(out.decisions.count - 1), decisionDay: Int32(d),
                    decisionEquity: view.equity))
        }
    }
}
