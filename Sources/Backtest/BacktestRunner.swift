import Analytics
import Engine
import Foundation
import HindsightCore
import MarketData
import Services
import Storage
import YAMLConfig

/// The run API: parse → validate → load data → run the engine → compute metrics → store, one transaction per run.
/// Invalid configs are recorded with `status = invalid` and the reason; run-time errors with `status = failed`.
public struct BacktestRunner: Sendable {
    public let store: HindsightDatabase

    public init(store: HindsightDatabase) { self.store = store }

    /// Runs one config and stores it; returns its id. Throws `RunError` (carrying the recorded run id) when the run is invalid or fails.
    public func runBacktest(_ config: RunConfig, inputs: MarketInputs? = nil) async throws -> RunID {
        try run(config, inputs: inputs).runID
    }

    /// The stored run, its trades and its daily equity.
    public func backtestResults(runID: RunID) throws -> BacktestResults {
        try store.loadRun(id: runID.rawValue)
    }

    /// Reads a YAML run config, recording an invalid run when it cannot be read.
    public func loadConfig(path: String) throws -> RunConfig {
        do {
            let root = try YAMLDocument.load(path: path)
            let config = try RunConfig.parse(root, strategyKinds: StrategyRegistry.kinds)
            try StrategyRegistry.validate(config)
            return config
        } catch let e as HindsightError {
            // The file as written, for the record; a huge or hostile file is kept only in part.
            var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if text.utf8.count > 65_536 {
                text = String(text.prefix(65_536)) + "\n# ... (cut: the file has \(text.utf8.count) bytes)"
            }
            throw recordInvalid(
                configJSON: JSONText.object([("path", JSONText.quote(path)), ("text", JSONText.quote(text))]),
                strategy: "unknown", error: e)
        }
    }

    /// The outcome of one run, with the in-memory result for callers that want more than the id.
    public struct Outcome: Sendable {
        public var runID: RunID
        /// The stored `metrics_json`, parsed.
        public var metrics: JSONValue
        /// The analysis stored beside it.
        public var analysis: JSONValue = .object([])
        public var result: BacktestResult
        /// What the run did that the config may not have meant (dates outside the data).
        public var warnings: [String] = []
    }

    public func run(_ config: RunConfig, inputs given: MarketInputs? = nil) throws -> Outcome {
        let pipeline: RunPipeline
        do {
            try StrategyRegistry.validate(config)
            pipeline = RunPipeline(inputs: try given ?? MarketInputs.load(for: config), base: config)
            try pipeline.validate(config)
        } catch let e as HindsightError {
            throw recordInvalid(config, error: e, fingerprint: given?.fingerprint(for: config))
        }
        let inputs = pipeline.inputs, regimes = pipeline.regimes(for: config)
        let result: BacktestResult
        do {
            result = try pipeline.simulate(config, positions: true)
        } catch let e as HindsightError {
            // An overflowing run failed; set-up checks that need data (unknown regime labels...) make it invalid.
            if e.code == .invalidData {
                throw recordFailed(config, error: e, fingerprint: inputs.fingerprint(for: config))
            }
            throw recordInvalid(config, error: e, fingerprint: inputs.fingerprint(for: config))
        }
        let id = RunID.make(configHash: config.configHash)
        do {
            let stored = pipeline.storedMetrics(result, config: config)
            let analysis = try pipeline.analysis(result, config: config, storedKeys: Set(stored.pairs.map(\.0)))
            let metrics = try JSONValue.parse(stored.text)
            let rows = pipeline.rows(result, config: config)
            let record = RunRecord(
                runID: id.rawValue, strategyID: config.strategyKind, configJSON: config.canonicalJSON,
                configHash: config.configHash,
                dataFingerprint: inputs.fingerprint(for: config), seed: config.seed,
                codeVersion: HindsightVersion.current,
                startDate: result.dates.first, endDate: result.dates.last, universeID: result.universeID,
                metricsJSON: stored.text, status: .ok, error: nil, createdAt: BacktestRunner.now(),
                notesJSON: JSONText.object([("engine", JSONText.quote("full"))]), analysisJSON: analysis.render())
            let classified =
                regimes.isBuiltin
                ? regimes.records(in: result.firstSession..<(result.firstSession + result.dates.count)) : []
            try store.saveRun(
                record, trades: rows.trades(), roundTrips: rows.roundTrips(), equity: rows.equity(),
                universes: result.universe,
                classifiedRegimes: classified, attribution: pipeline.attribution(result, config: config).rows,
                turnover: RunTurnover(result: result).rows)
            return Outcome(
                runID: id, metrics: metrics, analysis: analysis, result: result, warnings: pipeline.dateWarnings(config)
            )
        } catch let e as HindsightError {
            throw recordFailed(config, error: e, fingerprint: inputs.fingerprint(for: config))
        }
    }

    func recordFailed(_ config: RunConfig, error e: HindsightError, fingerprint: String?) -> RunError {
        let id = RunID.make(configHash: config.configHash)
        let record = RunRecord(
            runID: id.rawValue, strategyID: config.strategyKind, configJSON: config.canonicalJSON,
            configHash: config.configHash,
            dataFingerprint: fingerprint, seed: config.seed, codeVersion: HindsightVersion.current,
            startDate: config.start, endDate: config.end, universeID: nil, metricsJSON: nil, status: .failed,
            error: e.description, createdAt: BacktestRunner.now())
        try? store.saveRun(record)
        return RunError(runID: id, status: .failed, error: e)
    }

    func recordInvalid(_ config: RunConfig, error: HindsightError, fingerprint: String?) -> RunError {
        recordInvalid(
            configJSON: config.canonicalJSON, strategy: config.strategyKind, error: error, fingerprint: fingerprint,
            seed: config.seed, start: config.start, end: config.end)
    }

    func recordInvalid(
        configJSON: String, strategy: String, error: HindsightError, fingerprint: String? = nil,
        seed: UInt64 = 0, start: TradingDay? = nil, end: TradingDay? = nil
    ) -> RunError {
        var h = StableHasher()
        h.combine(configJSON)
        let id = RunID.make(configHash: h.hex)
        let record = RunRecord(
            runID: id.rawValue, strategyID: strategy, configJSON: configJSON, configHash: h.hex,
            dataFingerprint: fingerprint,
            seed: seed, codeVersion: HindsightVersion.current, startDate: start, endDate: end, universeID: nil,
            metricsJSON: nil, status: .invalid, error: error.description, createdAt: BacktestRunner.now())
        do {
            try store.saveRun(record)
            return RunError(runID: id, status: .invalid, error: error)
        } catch {
            return RunError(
                runID: nil, status: .invalid, error: (error as? HindsightError) ?? HindsightError(.database, "\(error)")
            )
        }
    }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}

/// `runBacktest` from the original plan: runs a config and stores it in `database` (default: the config's data
/// database, or `.hindsight/runs.sqlite` for synthetic data).
public func runBacktest(_ config: RunConfig, database: String? = nil) async throws -> RunID {
    let store = try HindsightDatabase(path: database ?? BacktestRunner.defaultDatabase(for: config))
    return try await BacktestRunner(store: store).runBacktest(config)
}

/// `get_backtest_results` from the original plan.
public func backtestResults(runID: RunID, database: String) throws -> BacktestResults {
    try HindsightDatabase.openExisting(path: database).loadRun(id: runID.rawValue)
}

extension BacktestRunner {
    public static let defaultResultsPath = ".hindsight/runs.sqlite"

    /// Where results go when no `--db` is given.
    public static func defaultDatabase(for config: RunConfig) -> String {
        if case .database(let path) = config.data { return path }
        return defaultResultsPath
    }
}
