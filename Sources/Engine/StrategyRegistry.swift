import HindsightCore

/// The registered strategies. A new strategy is one file (a `StrategyPlugin`) plus one line here.
public enum StrategyRegistry {
    public static let plugins: [any StrategyPlugin.Type] = [
        EqualWeightBuyAndHold.self,
        AssessmentRiskDailyRebalance.self,
        SMACrossoverStrategy.self,
        MomentumRotationStrategy.self,
        SignalsStrategy.self,
    ]

    public static var kinds: [String] { plugins.map { $0.kind } }

    public static func plugin(_ kind: String) -> (any StrategyPlugin.Type)? { plugins.first { $0.kind == kind } }

    /// Checks the `strategy:` mapping's keys and the plug-in's parameters.
    public static func validate(_ config: RunConfig) throws {
        guard let p = plugin(config.strategyKind) else {
            throw config.strategy.error(
                "unknown strategy '\(config.strategyKind)'", hint: "registered: \(kinds.joined(separator: ", "))")
        }
        _ = try ConfigMap(config.strategy, allowed: ["kind"] + p.keys)
        try p.validate(config.strategy)
    }
}
