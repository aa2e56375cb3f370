import GRDB
import HindsightCore

/// One scenario run of a sweep point: the point re-run on one resampled market path.
public struct ScenarioRow: Sendable, Equatable {
    public var pointID: String
    public var generator: String
    public var path: Int
    public var metricsJSON: String
    public init(pointID: String, generator: String, path: Int, metricsJSON: String) {
        self.pointID = pointID
        self.generator = generator
        self.path = path
        self.metricsJSON = metricsJSON
    }
}

extension HindsightDatabase {
    /// Stores finished scenario paths in one transaction (a path already stored is kept: resumes add nothing twice).
    public func saveScenarios(sweepID: String, _ rows: [ScenarioRow]) throws {
        guard !rows.isEmpty else { return }
        try writeWrapped("store scenario paths") { db in
            let st = try RawStatement(
                db,
                sql:
                    "INSERT OR IGNORE INTO backtest_scenarios(sweep_id, point_id, generator, path, metrics_json) VALUES (?, ?, ?, ?, ?)"
            )
            for r in rows {
                st.bind(1, sweepID)
                st.bind(2, r.pointID)
                st.bind(3, r.generator)
                st.bind(4, r.path)
                st.bind(5, r.metricsJSON)
                let rc = st.run()
                guard rc == 0 else {
                    throw HindsightError(
                        .database, "cannot store scenario path \(r.path) of \(r.pointID) (SQLite \(rc))")
                }
            }
        }
    }

    public func scenarios(sweepID: String) throws -> [ScenarioRow] {
        try readWrapped { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT point_id, generator, path, metrics_json FROM backtest_scenarios WHERE sweep_id = ? ORDER BY point_id, generator, path",
                arguments: [sweepID]
            ).map { ScenarioRow(pointID: $0[0], generator: $0[1], path: $0[2], metricsJSON: $0[3]) }
        }
    }

    public func saveScenarioSummary(sweepID: String, pointID: String, generator: String, json: String) throws {
        try writeWrapped("store a scenario summary") { db in
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO backtest_scenario_summary(sweep_id, point_id, generator, summary_json) VALUES (?, ?, ?, ?)",
                arguments: [sweepID, pointID, generator, json])
        }
    }

    /// (point, generator) → summary JSON.
    public func scenarioSummaries(sweepID: String) throws -> [(pointID: String, generator: String, json: String)] {
        try readWrapped { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT point_id, generator, summary_json FROM backtest_scenario_summary WHERE sweep_id = ? ORDER BY point_id, generator",
                arguments: [sweepID]
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }
}
