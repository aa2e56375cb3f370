import Analytics
import Engine
import Foundation
import HindsightCore
import MarketData
import Storage
import YAMLConfig

/// Re-runs a stored run from its config on its data and compares every stored number with the new run's, bit for
/// bit: the metrics JSON, and the daily equity, trades and round trips when they were kept.
public enum RunVerifier {
    public struct Outcome: Sendable {
        public var runID: String
        /// What was compared, e.g. "metrics (62 keys)", "equity (2516 rows)".
        public var compared: [String]
        /// The first difference, or nil when everything matched.
        public var firstDifference: String?
        public var isIdentical: Bool { firstDifference == nil }
    }

    /// `dataPath` replaces the config's `data.db` or `data.csv` (the data moved since the run).
    public static func verify(runID: String, store: HindsightDatabase, dataPath: String? = nil) throws -> Outcome {
        let stored = try store.loadRun(id: runID)
        let run = stored.run
        guard run.status == .ok, let storedMetrics = run.metricsJSON else {
            throw HindsightError(
                .invalidArgument, "run \(runID) has status \(run.status.rawValue): there are no results to verify",
                cause: "verify a run whose status is ok (`hindsight backtest show RUN_ID --db DB`)")
        }
        var root = try YAMLDocument.parse(run.configJSON, file: "run \(runID) config")
        if let dataPath {
            guard let data = root.child("data"), let key = ["db", "csv"].first(where: { data.child($0) != nil }) else {
                throw HindsightError(
                    .invalidArgument, "run \(runID) reads synthetic data: --data has nothing to replace",
                    cause: "drop --data")
            }
            root = root.setting("data." + key, to: .scalar(dataPath, mark: root.mark, path: "data." + key))
        }
        let config = try RunConfig.parse(root, strategyKinds: StrategyRegistry.kinds)
        try StrategyRegistry.validate(config)
        let inputs = try MarketInputs.load(for: config)
        if let want = run.dataFingerprint, inputs.fingerprint(for: config) != want {
            return Outcome(
                runID: runID, compared: [],
                firstDifference:
                    "data fingerprint: the run used \(want), the data now reads as \(inputs.fingerprint(for: config)) (the data changed, or --data names other data)"
            )
        }
        let pipeline = RunPipeline(inputs: inputs, base: config)
        try pipeline.validate(config)
        let result = try pipeline.simulate(config)
        let metrics = pipeline.storedMetrics(result, config: config)
        var compared = ["metrics (\(metrics.pairs.count) keys)"]
        if let d = metricsDifference(stored: storedMetrics, now: metrics.pairs) {
            return Outcome(runID: runID, compared: compared, firstDifference: d)
        }
        if config.seed != run.seed {
            return Outcome(
                runID: runID, compared: compared, firstDifference: "seed: stored \(run.seed), config \(config.seed)")
        }
        let rows = pipeline.rows(result, config: config)
        if !stored.equity.isEmpty {
            compared.append("equity (\(stored.equity.count) rows)")
            if let d = rowsDifference("equity", stored.equity, rows.equity(), key: { $0.date.iso }) {
                return Outcome(runID: runID, compared: compared, firstDifference: d)
            }
        }
        if !stored.trades.isEmpty {
            compared.append("trades (\(stored.trades.count))")
            if let d = rowsDifference("trade", stored.trades, rows.trades(), key: { "\($0.tradeID) \($0.date)" }) {
                return Outcome(runID: runID, compared: compared, firstDifference: d)
            }
        }
        let trips = try store.roundTrips(runID: runID)
        if !trips.isEmpty {
            compared.append("round trips (\(trips.count))")
            if let d = rowsDifference("round trip", trips, rows.roundTrips(), key: { "\($0.tripID) \($0.ticker)" }) {
                return Outcome(runID: runID, compared: compared, firstDifference: d)
            }
        }
        return Outcome(runID: runID, compared: compared, firstDifference: nil)
    }

    /// The first key whose stored text differs from the new run's (the stored JSON is `stored`'s own writer's).
    static func metricsDifference(stored: String, now: [(String, String)]) -> String? {
        if stored == JSONText.object(now) { return nil }
        guard case .object(let was)? = try? JSONValue.parse(stored) else {
            return "metrics: the stored metrics JSON does not parse"
        }
        let then = Dictionary(was.map { ($0.0, $0.1.render()) }, uniquingKeysWith: { a, _ in a })
        for (k, v) in now {
            let canonical = (try? JSONValue.parse(v).render()) ?? v
            guard let old = then[k] else { return "metrics: `\(k)` is new (\(v)), not in the stored run" }
            if old != canonical { return "metrics: `\(k)` was \(old), the re-run gives \(canonical)" }
        }
        if let gone = then.keys.sorted().first(where: { k in !now.contains { $0.0 == k } }) {
            return "metrics: `\(gone)` is stored but the re-run has no such metric"
        }
        return "metrics: the JSON text differs (same values, other bytes)"
    }

    static func rowsDifference<T: Equatable>(_ what: String, _ stored: [T], _ now: [T], key: (T) -> String) -> String? {
        for (a, b) in zip(stored, now) where a != b {
            return "\(what) \(key(a)): stored \(a), the re-run gives \(b)"
        }
        if stored.count != now.count { return "\(what)s: \(stored.count) stored, the re-run has \(now.count)" }
        return nil
    }
}
