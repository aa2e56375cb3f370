import HindsightCore
import Services

/// Buys every universe member with a bar on the first session at equal weight, then holds.
public struct EqualWeightBuyAndHold: Strategy, StrategyPlugin {
    public static let kind = "equal_weight_buy_and_hold"
    public static let keys: [String] = ["params"]

    let universe: BacktestUniverseService
    let start: Int
    var members: [Int32] = []

    public static func validate(_ strategy: ConfigNode) throws {
        if let p = strategy.child("params") { _ = try ConfigMap(p, allowed: []) }
    }

    public static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        var s = EqualWeightBuyAndHold(universe: env.universe, start: env.sessions.lowerBound)
        s.members.reserveCapacity(env.panel.assetCount)
        return StrategySetup(strategy: s, modelNames: ["buy_and_hold"])
    }

    public mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {
        guard view.day == start else { return }
        universe.members(onDay: view.day, into: &members)
        guard !members.isEmpty else { return }
        let w = 1 / Double(members.count)
        for a in members {
            out.decisions.append(
                DecisionRecord(
                    day: Int32(view.day), asset: a, direction: 1, score: .nan, confidence: 1,
                    targetWeight: w, regime: Int32(view.regime), profileVersion: -1))
            out.orders.append(
                Order(
                    asset: a, kind: .targetWeight(w), decision: Int32(out.decisions.count - 1),
                    decisionDay: Int32(view.day), decisionEquity: view.equity))
        }
    }
}
