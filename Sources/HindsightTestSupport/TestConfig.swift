import Engine
import HindsightCore
import YAMLConfig

/// Run configs for tests: parsed and validated as `backtest run` does, or written from a few fields.
public enum TestConfig {
    /// Parses and validates a run config written in YAML.
    public static func parse(_ yaml: String, file: String = "test.yaml") throws -> RunConfig {
        let root = try YAMLDocument.parse(yaml, file: file)
        let c = try RunConfig.parse(root, strategyKinds: StrategyRegistry.kinds)
        try StrategyRegistry.validate(c)
        return c
    }

    /// The YAML of a run config on a database: the fields every test sets, then `extra` lines verbatim.
    public static func yaml(
        db: String, tickers: [String], start: String, end: String, strategy: String, initialCash: Double = 10_000,
        calendar: String = "data", extra: [String] = []
    ) -> String {
        ([
            "data: {db: \(db)}", "calendar: \(calendar)", "start: \(start)", "end: \(end)",
            "initial_cash: \(initialCash)", "universe: {tickers: [\(tickers.joined(separator: ", "))]}",
            "strategy: \(strategy)",
        ] + extra).joined(separator: "\n") + "\n"
    }
}
