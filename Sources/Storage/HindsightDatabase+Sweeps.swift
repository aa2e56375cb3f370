import Foundation
import GRDB
import HindsightCore

/// One finished sweep point, written atomically with the others of its batch.
public struct SweepPointRecord: Sendable {
    public var run: RunRecord
    public var trades: [TradeRow]
    public var roundTrips: [RoundTripRow]
    public var equity: [EquityRow]
    /// Daily returns kept for the report (overfitting statistics and charts), or nil.
    public var returns: [Double]?
    public var firstDate: TradingDay?
    /// Daily equity from `firstDate`, stored as one float64 blob in `sweep_equity`, or nil.
    public var equityValues: [Double]?
    /// `backtest_attribution` rows (stored points only).
    public var attribution: [AttributionRow] = []
    /// `backtest_turnover` rows (stored points only).
    public var turnover: [TurnoverRow] = []

    public func with(attribution rows: [AttributionRow], turnover: [TurnoverRow]) -> SweepPointRecord {
        var copy = self
        copy.attribution = rows
        copy.turnover = turnover
        return copy
    }
    public init(
        run: RunRecord, trades: [TradeRow] = [], roundTrips: [RoundTripRow] = [], equity: [EquityRow] = [],
        returns: [Double]? = nil, firstDate: TradingDay? = nil, equityValues: [Double]? = nil
    ) {
        self.equityValues = equityValues
        self.run = run
        self.trades = trades
        self.roundTrips = roundTrips
        self.equity = equity
        self.returns = returns
        self.firstDate = firstDate
    }
}

/// A stored sweep's row.
/// How many trials a dataset has seen, and the moments of their per-period Sharpe ratios.
public struct TrialLedger: Sendable, Equatable {
    public var trials: Int
    public var sweeps: Int
    public var sum: Double
    public var sumSquares: Double
    /// The sample variance of the trials' Sharpe ratios (0 with fewer than two).
    public var sharpeVariance: Double {
        trials > 1 ? max(0, (sumSquares - sum * sum / Double(trials)) / Double(trials - 1)) : 0
    }
}

public struct SweepRecord: Sendable, Equatable {
    public var sweepID: String
    public var name: String
    public var planHash: String
    public var specJSON: String
    public var dataFingerprint: String?
    public var createdAt: String
    public init(
        sweepID: String, name: String, planHash: String, specJSON: String, dataFingerprint: String?, createdAt: String
    ) {
        self.sweepID = sweepID
        self.name = name
        self.planHash = planHash
        self.specJSON = specJSON
        self.dataFingerprint = dataFingerprint
        self.createdAt = createdAt
    }
}

extension HindsightDatabase {
    /// Records a sweep and its planned points (idempotent: a resumed or sharded sweep writes the same rows).
    /// Refuses a database that holds the same sweep id with another plan hash or data fingerprint.
    public func registerSweep(
        _ s: SweepRecord, points: some Sequence<(id: String, paramsJSON: String)>
    ) throws {
        try writeWrapped("register sweep \(s.sweepID)") { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT plan_hash, data_fingerprint FROM sweeps WHERE sweep_id = ?", arguments: [s.sweepID])
            {
                let hash: String = row[0], fp: String? = row[1]
                if hash != s.planHash || fp != s.dataFingerprint {
                    throw HindsightError(
                        .duplicate,
                        "\(self.path) already holds sweep \(s.sweepID) with another plan or data (plan \(hash), data \(fp ?? "-"))",
                        cause: "use a new --db, or rename the sweep")
                }
                return
            }
            try db.execute(
                sql:
                    "INSERT INTO sweeps(sweep_id, name, plan_hash, spec_json, data_fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [s.sweepID, s.name, s.planHash, s.specJSON, s.dataFingerprint, s.createdAt])
            let st = try RawStatement(
                db, sql: "INSERT OR IGNORE INTO sweep_points(sweep_id, point_id, params_json) VALUES (?, ?, ?)")
            for p in points {
                st.bind(1, s.sweepID)
                st.bind(2, p.id)
                st.bind(3, p.paramsJSON)
                let rc = st.run()
                if rc != 0 { throw HindsightError(.database, "cannot record point \(p.id)", cause: st.lastError) }
            }
        }
    }

    /// Whether this database holds sweep `id` (its plan and points are registered in one transaction).
    public func hasSweep(id: String) throws -> Bool {
        try readWrapped { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM sweeps WHERE sweep_id = ?)", arguments: [id])
                ?? false
        }
    }

    /// Ids of the points of a sweep that already have a stored run (any status).
    public func finishedPoints(sweepID: String) throws -> Set<String> {
        try readWrapped { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT point_id FROM backtest_runs WHERE sweep_id = ?", arguments: [sweepID]))
        }
    }

    /// Writes a batch of finished points in one transaction: each point's run, trades, equity and returns.
    public func saveSweepPoints(_ batch: [SweepPointRecord]) throws {
        guard !batch.isEmpty else { return }
        try writeWrapped("store \(batch.count) sweep points") { db in
            var ret = try RawStatement(
                db,
                sql: "INSERT OR REPLACE INTO sweep_returns(sweep_id, point_id, first_date, returns) VALUES (?, ?, ?, ?)"
            )
            var run = try RawStatement(db, sql: HindsightDatabase.runInsertSQL)
            var eq = try RawStatement(
                db,
                sql: "INSERT OR REPLACE INTO sweep_equity(sweep_id, point_id, first_date, equity) VALUES (?, ?, ?, ?)")
            // Each point links its run as it is stored, on this thread beside the workers: one UPDATE of every point
            // after the last commit took 0.35 s of a 100,000-point sweep's serial end.
            let link = try RawStatement(
                db,
                sql: "UPDATE sweep_points SET run_id = ? WHERE sweep_id = ? AND point_id = ? AND run_id IS NULL")
            // Run ids are hashes: in key order, consecutive inserts land on the same index pages.
            for p in batch.sorted(by: { $0.run.runID < $1.run.runID }) {
                try HindsightDatabase.insertRun(&run, p.run)
                if let sweep = p.run.sweepID, let point = p.run.pointID {
                    link.bind(1, p.run.runID)
                    link.bind(2, sweep)
                    link.bind(3, point)
                    let rc = link.run()
                    if rc != 0 {
                        throw HindsightError(.database, "cannot link the run of point \(point)", cause: link.lastError)
                    }
                }
                try HindsightDatabase.insertDetails(
                    db, runID: p.run.runID, trades: p.trades, roundTrips: p.roundTrips, equity: p.equity)
                try HindsightDatabase.insertAttribution(db, runID: p.run.runID, p.attribution)
                try HindsightDatabase.insertTurnover(db, runID: p.run.runID, p.turnover)
                if let r = p.returns, let sweep = p.run.sweepID, let point = p.run.pointID, let first = p.firstDate {
                    ret.bind(1, sweep)
                    ret.bind(2, point)
                    ret.bind(3, day: first)
                    r.withUnsafeBytes { b in ret.bindBlob(4, b) }
                    let rc = ret.run()
                    if rc != 0 {
                        throw HindsightError(
                            .database, "cannot store the returns of point \(point)", cause: ret.lastError)
                    }
                }
                if let e = p.equityValues, let sweep = p.run.sweepID, let point = p.run.pointID, let first = p.firstDate
                {
                    eq.bind(1, sweep)
                    eq.bind(2, point)
                    eq.bind(3, day: first)
                    e.withUnsafeBytes { b in eq.bindBlob(4, b) }
                    let rc = eq.run()
                    if rc != 0 {
                        throw HindsightError(
                            .database, "cannot store the equity of point \(point)", cause: eq.lastError)
                    }
                }
            }
        }
    }

    /// Fills `sweep_points.run_id` from the stored runs in one pass (per-point updates would touch random pages;
    /// readers join on (sweep_id, point_id), so the column is a convenience for ad-hoc SQL).
    public func linkSweepRuns(sweepID: String) throws {
        try writeWrapped("link the runs of sweep \(sweepID)") { db in
            try db.execute(
                sql: """
                    UPDATE sweep_points SET run_id = (SELECT r.run_id FROM backtest_runs r
                        WHERE r.sweep_id = sweep_points.sweep_id AND r.point_id = sweep_points.point_id)
                    WHERE sweep_id = ? AND run_id IS NULL
                    """, arguments: [sweepID])
        }
    }

    /// Replaces the stored trades and equity of existing sweep runs (the top points, re-run at the end).
    public func attachDetails(_ items: [SweepPointRecord]) throws {
        try writeWrapped("store the top points' details") { db in
            for p in items {
                try db.execute(sql: "DELETE FROM backtest_trades WHERE run_id = ?", arguments: [p.run.runID])
                try db.execute(sql: "DELETE FROM backtest_round_trips WHERE run_id = ?", arguments: [p.run.runID])
                // The top points' second intrabar policy (the notes of every other point stay as written).
                if let notes = p.run.notesJSON, notes.contains("\"intrabar_alternative\"") {
                    try db.execute(
                        sql: "UPDATE backtest_runs SET notes_json = ? WHERE run_id = ?",
                        arguments: [notes, p.run.runID])
                }
                try db.execute(sql: "DELETE FROM backtest_daily_equity WHERE run_id = ?", arguments: [p.run.runID])
                try db.execute(sql: "DELETE FROM backtest_attribution WHERE run_id = ?", arguments: [p.run.runID])
                try db.execute(sql: "DELETE FROM backtest_turnover WHERE run_id = ?", arguments: [p.run.runID])
                try HindsightDatabase.insertDetails(
                    db, runID: p.run.runID, trades: p.trades, roundTrips: p.roundTrips, equity: p.equity)
                try HindsightDatabase.insertAttribution(db, runID: p.run.runID, p.attribution)
                try HindsightDatabase.insertTurnover(db, runID: p.run.runID, p.turnover)
                if let r = p.returns, let sweep = p.run.sweepID, let point = p.run.pointID, let first = p.firstDate {
                    var ret = try RawStatement(
                        db,
                        sql:
                            "INSERT OR REPLACE INTO sweep_returns(sweep_id, point_id, first_date, returns) VALUES (?, ?, ?, ?)"
                    )
                    ret.bind(1, sweep)
                    ret.bind(2, point)
                    ret.bind(3, day: first)
                    r.withUnsafeBytes { b in ret.bindBlob(4, b) }
                    _ = ret.run()
                }
            }
        }
    }

    public func loadSweep(id: String) throws -> SweepRecord {
        try readWrapped { db in
            guard
                let r = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT sweep_id, name, plan_hash, spec_json, data_fingerprint, created_at FROM sweeps WHERE sweep_id = ?",
                    arguments: [id])
            else {
                let known = try String.fetchAll(db, sql: "SELECT sweep_id FROM sweeps ORDER BY sweep_id")
                throw HindsightError(
                    .notFound, "\(path): no sweep with id \(id)",
                    cause: known.isEmpty
                        ? "this database holds no sweeps" : "sweeps here: \(known.joined(separator: ", "))")
            }
            return SweepRecord(
                sweepID: r[0], name: r[1], planHash: r[2], specJSON: r[3], dataFingerprint: r[4], createdAt: r[5])
        }
    }

    /// The trial ledger on one dataset: every ok point of every sweep on `sweep`'s data fingerprint registered in this
    /// database no later than it, with a finite per-period Sharpe ratio. It is derived from the
    /// stored runs, so merged shards and resumed sweeps count each point once. The deflated Sharpe ratio of a new
    /// sweep counts these trials, not only its own.
    public func trialLedger(upTo sweep: SweepRecord) throws -> TrialLedger {
        guard let fingerprint = sweep.dataFingerprint else {
            return TrialLedger(trials: 0, sweeps: 0, sum: 0, sumSquares: 0)
        }
        return try readWrapped { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(x), COUNT(DISTINCT sid), TOTAL(x), TOTAL(x * x) FROM (
                        SELECT json_extract(r.metrics_json, '$.sharpe_per_period') AS x, s.sweep_id AS sid
                        FROM sweeps s JOIN sweep_points p ON p.sweep_id = s.sweep_id
                        JOIN backtest_runs r ON r.run_id = p.run_id
                        WHERE s.data_fingerprint = ? AND r.status = 'ok'
                            AND s.rowid <= (SELECT rowid FROM sweeps WHERE sweep_id = ?))
                    WHERE typeof(x) IN ('real', 'integer')
                    """, arguments: [fingerprint, sweep.sweepID])!
            return TrialLedger(trials: row[0], sweeps: row[1], sum: row[2], sumSquares: row[3])
        }
    }

    public func sweepIDs() throws -> [String] {
        try readWrapped { db in
            try String.fetchAll(db, sql: "SELECT sweep_id FROM sweeps ORDER BY created_at, sweep_id")
        }
    }

    /// Every planned point of a sweep with its parameters, and its run's status and metrics when finished.
    public func sweepPoints(id: String) throws -> [(
        pointID: String, paramsJSON: String, runID: String?, status: RunRecord.Status?, metricsJSON: String?,
        error: String?
    )] {
        var out:
            [(
                pointID: String, paramsJSON: String, runID: String?, status: RunRecord.Status?,
                metricsJSON: String?, error: String?
            )] = []
        try scanSweepPoints(id: id) { r in
            func text(_ b: UnsafeBufferPointer<UInt8>?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
            out.append(
                (
                    text(r.pointID)!, text(r.paramsJSON)!, text(r.runID), r.status, text(r.metricsJSON),
                    text(r.error)
                ))
        }
        return out
    }

    /// The `notes_json` of a sweep's ok runs, by point id (how each ran, and the walk-forward in-sample values);
    /// of the given points only when `points` is not nil.
    public func sweepPointNotes(id: String, points: [String]? = nil) throws -> [String: String] {
        try readWrapped { db in
            var out: [String: String] = [:]
            let filter = "sweep_id = ? AND status = 'ok' AND notes_json IS NOT NULL"
            if let points {
                for p in points {
                    let sql = "SELECT notes_json FROM backtest_runs WHERE \(filter) AND point_id = ?"
                    if let n = try String.fetchOne(db, sql: sql, arguments: [id, p]) { out[p] = n }
                }
                return out
            }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT point_id, notes_json FROM backtest_runs WHERE \(filter)", arguments: [id])
            while let row = try rows.next() { out[row[0]] = row[1] }
            return out
        }
    }

    /// One row of `scanSweepPoints`: UTF-8 views valid only during the call (nil for SQL NULL).
    public struct SweepPointBytes {
        public var pointID: UnsafeBufferPointer<UInt8>?
        public var paramsJSON: UnsafeBufferPointer<UInt8>?
        public var runID: UnsafeBufferPointer<UInt8>?
        /// nil while the point has no stored run.
        public var status: RunRecord.Status?
        public var metricsJSON: UnsafeBufferPointer<UInt8>?
        public var error: UnsafeBufferPointer<UInt8>?
    }

    /// Calls `body` for every planned point of a sweep in plan order, straight from SQLite's row buffers
    /// (reports read tens of thousands of metric objects; no per-row values are built).
    public func scanSweepPoints(id: String, _ body: (SweepPointBytes) throws -> Void) throws {
        try readWrapped { db in
            // A rowid range read in rowid order: with the sweep's index SQLite would sort every joined row, metrics
            // text included, in memory first (2.2 GB for a million points).
            let range = try Row.fetchOne(
                db, sql: "SELECT MIN(rowid), MAX(rowid) FROM sweep_points WHERE sweep_id = ?", arguments: [id])
            guard let range, let first: Int = range[0], let last: Int = range[1] else { return }
            let st = try RawStatement(
                db,
                sql: """
                    SELECT p.point_id, p.params_json, r.run_id, r.status, r.metrics_json, r.error
                    FROM sweep_points p NOT INDEXED
                    LEFT JOIN backtest_runs r ON r.sweep_id = p.sweep_id AND r.point_id = p.point_id
                    WHERE p.rowid BETWEEN ? AND ? AND p.sweep_id = ? ORDER BY p.rowid
                    """)
            st.bind(1, first)
            st.bind(2, last)
            st.bind(3, id)
            while try st.step() {
                var status: RunRecord.Status?
                if let b = st.bytes(3) {
                    status = RunRecord.Status(rawValue: String(decoding: b, as: UTF8.self))
                    guard status != nil else {
                        throw HindsightError(
                            .invalidData,
                            "\(path): a run of sweep \(id) has the unknown status '\(String(decoding: b, as: UTF8.self))'",
                            cause: "the database was changed outside Hindsight; re-run the sweep into a fresh database")
                    }
                }
                try body(
                    SweepPointBytes(
                        pointID: st.bytes(0), paramsJSON: st.bytes(1), runID: st.bytes(2), status: status,
                        metricsJSON: st.bytes(4), error: st.bytes(5)))
            }
        }
    }

    /// Stored daily returns of sweep points, by point id.
    public func sweepReturns(id: String) throws -> [String: (first: TradingDay, returns: [Double])] {
        try seriesBlobs(table: "sweep_returns", column: "returns", sweepID: id).mapValues { ($0.0, $0.1) }
    }

    /// The compact daily equity of a sweep's points (`store: {equity: all}`), by point id: the first session's date
    /// and one value per session from it.
    public func sweepEquity(id: String) throws -> [String: (first: TradingDay, equity: [Double])] {
        try seriesBlobs(table: "sweep_equity", column: "equity", sweepID: id).mapValues { ($0.0, $0.1) }
    }

    /// A per-point float64 blob table (`sweep_returns`, `sweep_equity`): point id → first date and values.
    func seriesBlobs(table: String, column: String, sweepID: String) throws -> [String: (TradingDay, [Double])] {
        try readWrapped { db in
            var out: [String: (TradingDay, [Double])] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT point_id, first_date, \(column) FROM \(table) WHERE sweep_id = ?", arguments: [sweepID]
            ) {
                let data: Data = row[2]
                let values = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
                guard let d = TradingDay(iso: row[1] as String) else { continue }
                out[row[0]] = (d, values)
            }
            return out
        }
    }

    /// Daily equity rows of one run.
    public func equityRows(runID: String) throws -> [EquityRow] { try loadRun(id: runID).equity }

    func writeWrapped(_ what: String, _ body: @escaping (Database) throws -> Void) throws {
        do {
            try writer.write(body)
        } catch let e as HindsightError {
            throw e
        } catch {
            throw HindsightError(.database, "\(path): cannot \(what)", cause: HindsightDatabase.describe(error))
        }
    }
}

extension HindsightDatabase {
    /// A value from `dataset_metadata`, or nil.
    public func metadataValue(_ key: String) throws -> String? {
        try readWrapped { db in
            try String.fetchOne(db, sql: "SELECT value FROM dataset_metadata WHERE key = ?", arguments: [key])
        }
    }

    public func setMetadataValue(_ key: String, _ value: String) throws {
        try writeWrapped("record \(key)") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO dataset_metadata(key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }
}
