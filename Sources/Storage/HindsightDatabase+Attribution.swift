import GRDB
import HindsightCore

extension HindsightDatabase {
    static func insertAttribution(_ db: Database, runID: String, _ rows: [AttributionRow]) throws {
        guard !rows.isEmpty else { return }
        let st = try RawStatement(
            db,
            sql: """
                INSERT OR REPLACE INTO backtest_attribution(run_id, dimension, key, period, pnl, exposure, contribution)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for r in rows {
            st.bind(1, runID)
            st.bind(2, r.dimension)
            st.bind(3, r.key)
            st.bind(4, r.period)
            st.bind(5, r.pnl)
            if r.exposure.isFinite { st.bind(6, r.exposure) } else { st.bindNull(6) }
            if r.contribution.isFinite { st.bind(7, r.contribution) } else { st.bindNull(7) }
            let rc = st.run()
            if rc != 0 {
                throw HindsightError(.database, "cannot store attribution of run \(runID)", cause: st.lastError)
            }
        }
    }

    /// A stored run's attribution rows (optionally one dimension, or periods of one kind: `total`, `year`, `month`).
    public func attribution(runID: String, dimension: String? = nil, periods: String? = nil) throws -> [AttributionRow]
    {
        try readWrapped { db in
            var sql =
                "SELECT dimension, key, period, pnl, exposure, contribution FROM backtest_attribution WHERE run_id = ?"
            var args: [any DatabaseValueConvertible] = [runID]
            if let dimension {
                sql += " AND dimension = ?"
                args.append(dimension)
            }
            switch periods {
            case "total"?: sql += " AND period = 'total'"
            case "year"?: sql += " AND length(period) = 4"
            case "month"?: sql += " AND length(period) = 7"
            default: break
            }
            sql += " ORDER BY dimension, period = 'total' DESC, period, key"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map {
                AttributionRow(
                    dimension: $0[0], key: $0[1], period: $0[2], pnl: $0[3], exposure: ($0[4] as Double?) ?? .nan,
                    contribution: ($0[5] as Double?) ?? .nan)
            }
        }
    }

    static func insertTurnover(_ db: Database, runID: String, _ rows: [TurnoverRow]) throws {
        guard !rows.isEmpty else { return }
        let st = try RawStatement(
            db,
            sql:
                "INSERT OR REPLACE INTO backtest_turnover(run_id, period, component, traded_value, turnover) VALUES (?, ?, ?, ?, ?)"
        )
        for r in rows {
            st.bind(1, runID)
            st.bind(2, r.period)
            st.bind(3, r.component)
            st.bind(4, r.tradedValue)
            if r.turnover.isFinite { st.bind(5, r.turnover) } else { st.bindNull(5) }
            let rc = st.run()
            if rc != 0 { throw HindsightError(.database, "cannot store turnover of run \(runID)", cause: st.lastError) }
        }
    }

    /// A stored run's turnover rows (optionally periods of one kind: `total`, `year`, `month`).
    public func turnover(runID: String, periods: String? = nil) throws -> [TurnoverRow] {
        try readWrapped { db in
            var sql = "SELECT period, component, traded_value, turnover FROM backtest_turnover WHERE run_id = ?"
            switch periods {
            case "total"?: sql += " AND period = 'total'"
            case "year"?: sql += " AND length(period) = 4"
            case "month"?: sql += " AND length(period) = 7"
            default: break
            }
            sql += " ORDER BY period = 'total' DESC, period, component"
            return try Row.fetchAll(db, sql: sql, arguments: [runID]).map {
                TurnoverRow(period: $0[0], component: $0[1], tradedValue: $0[2], turnover: ($0[3] as Double?) ?? .nan)
            }
        }
    }
}
