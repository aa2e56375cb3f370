import HindsightCore

/// The registered strategies: the built-ins below (a new built-in is one file plus one line here) and those a
/// `HindsightPlugin` installs.
public enum StrategyRegistry {
    static let builtins: [any StrategyPlugin.Type] = [
        EqualWeightBuyAndHold.self,
        AssessmentRiskDailyRebalance.self,
        SMACrossoverStrategy.self,
        MomentumRotationStrategy.self,
        SignalsStrategy.self,
    ]

    private static let registered = Locked<[any StrategyPlugin.Type]>([])

    /// Adds a strategy kind (replacing a registered one of the same kind); call it before configs are parsed.
    public static func register(_ p: any StrategyPlugin.Type) {
        registered.withLock { list in
            list.removeAll { $0.kind == p.kind }
            list.append(p)
        }
    }

    /// Every strategy, registered ones first (so a plug-in can replace a built-in).
    public static var plugins: [any StrategyPlugin.Type] { registered.value + builtins }

    public static var kinds: [String] {
        var seen = Set<String>()
        return plugins.map { $0.kind }.filter { seen.insert($0).inserted }
    }

    public static func plugin(_ kind: String) -> (any StrategyPlugin.Type)? { plugins.first { $0.kind == kind } }

    /// Checks the `strategy:` mapping's keys and the plug-in's parameters.
    public static func validate(_ config: RunConfig) throws {
        guard let p = plugin(config.strategyKind) else {
            throw config.strategy.error(
                "unknown strategy '\(config.strategyKind)'", hint: "registered: \(kinds.joined(separator: ", "))")
        }
        _ = try ConfigMap(config.strategy, allowed: ["kind"] + p.keys)
        try p.validate(config.strategy)
        if config.stops.isActive, !p.holdsPositions {
            throw (config.source.child("stops") ?? config.source).error(
                "strategy `\(p.kind)` holds no positions, so `stops:` has nothing to exit",
                hint: "remove `stops:`, or use a strategy that trades")
        }
    }
}
