import Engine
import HindsightCore
import MarketData
import Services

/// A strategy with look-ahead on purpose: it reads the next close and buys what rises tomorrow. The look-ahead
/// check must catch it (tests register it with `StrategyRegistry.register(PeekTomorrow.self)`).
public struct PeekTomorrow: Strategy, StrategyPlugin {
    public static let kind = "test_peek_tomorrow"
    public static let keys: [String] = []
    public static func validate(_ strategy: ConfigNode) throws {}
    let panel: MarketPanel
    let assets: [Int32]
    public static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        let a = BacktestUniverseService.candidates(
            env.config.universe, panel: env.panel, excluded: env.universe.excluded)
        return StrategySetup(strategy: PeekTomorrow(panel: env.panel, assets: a.assets), modelNames: ["peek"])
    }
    public mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {
        let d = view.day, nD = panel.dayCount
        for a in assets {
            let k = Int(a) * nD + d
            // The bug under test: the panel holds later bars, and this reads one.
            let up = d + 1 < nD && panel.valid[k + 1] && panel.close[k + 1] > panel.close[k]
            out.decisions.append(
                DecisionRecord(
                    day: Int32(d), asset: a, direction: up ? 1 : 0, score: up ? 1 : 0, confidence: 1,
                    targetWeight: up ? 1 / Double(assets.count) : 0, regime: Int32(view.regime), profileVersion: -1))
            out.orders.append(
                Order(
                    asset: a, kind: .targetWeight(up ? 1 / Double(assets.count) : 0),
                    decision: Int32(out.decisions.count - 1), decisionDay: Int32(d), decisionEquity: view.equity))
        }
    }
}
