import GRDB
import HindsightCore

extension HindsightDatabase {
    /// Writes one run with its trades, daily equity, universe snapshots and (built-in) regimes in one transaction.
    public func saveRun(
        _ run: RunRecord, trades: [TradeRow] = [], roundTrips: [RoundTripRow] = [], equity: [EquityRow] = [],
        universes: [UniverseSnapshot] = [], classifiedRegimes: [RegimeRecord] = [], attribution: [AttributionRow] = [],
        turnover: [TurnoverRow] = []
    ) throws {
        do {
            try writer.write { db in
                try HindsightDatabase.insertRun(
                    db, run, trades: trades, roundTrips: roundTrips, equity: equity, universes: universes,
                    regimes: classifiedRegimes)
                try HindsightDatabase.insertAttribution(db, runID: run.runID, attribution)
                try HindsightDatabase.insertTurnover(db, runID: run.runID, turnover)
            }
        } catch let e as HindsightError {
            throw e
        } catch {
            throw HindsightError(
                .database, "\(path): cannot store run \(run.runID)", cause: HindsightDatabase.describe(error))
        }
    }

    static let runInsertSQL = """
        INSERT INTO backtest_runs(run_id, strategy_id, config_json, config_hash, data_fingerprint, seed, code_version,
            start_date, end_date, universe_id, metrics_json, status, error, sweep_id, point_id, created_at, notes_json, analysis_json)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Binds and runs a prepared `runInsertSQL` statement (sweeps prepare it once per batch).
    static func insertRun(_ st: inout RawStatement, _ run: RunRecord) throws {
        func opt(_ i: Int32, _ v: String?) { if let v { st.bind(i, v) } else { st.bindNull(i) } }
        st.bind(1, run.runID)
        st.bind(2, run.strategyID)
        st.bind(3, run.configJSON)
        st.bind(4, run.configHash)
        opt(5, run.dataFingerprint)
        st.bind(6, Int(Int64(bitPattern: run.seed)))
        opt(7, run.codeVersion)
        opt(8, run.startDate?.iso)
        opt(9, run.endDate?.iso)
        opt(10, run.universeID)
        opt(11, run.metricsJSON)
        st.bind(12, run.status.rawValue)
        opt(13, run.error)
        opt(14, run.sweepID)
        opt(15, run.pointID)
        st.bind(16, run.createdAt)
        opt(17, run.notesJSON)
        opt(18, run.analysisJSON)
        let rc = st.run()
        if rc != 0 {
            if RawStatement.isConstraint(rc) {
                throw HindsightError(.duplicate, "run \(run.runID) is already stored", cause: st.lastError)
            }
            throw HindsightError(.database, "cannot store run \(run.runID)", cause: st.lastError)
        }
    }

    static func insertRun(
        _ db: Database, _ run: RunRecord, trades: [TradeRow], roundTrips: [RoundTripRow], equity: [EquityRow],
        universes: [UniverseSnapshot], regimes: [RegimeRecord]
    ) throws {
        var st = try RawStatement(db, sql: runInsertSQL)
        try insertRun(&st, run)
        try insertDetails(db, runID: run.runID, trades: trades, roundTrips: roundTrips, equity: equity)
        for u in universes {
            try db.execute(
                sql: "INSERT OR IGNORE INTO universe_snapshots(universe_id, as_of_date, rule_json) VALUES (?, ?, ?)",
                arguments: [u.universeID, u.asOf.iso, u.ruleJSON])
            var st = try RawStatement(
                db,
                sql: "INSERT OR IGNORE INTO universe_members(universe_id, as_of_date, ticker, rank) VALUES (?, ?, ?, ?)"
            )
            for m in u.members {
                st.bind(1, u.universeID)
                st.bind(2, day: u.asOf)
                st.bind(3, m.ticker)
                st.bind(4, m.rank)
                let rc = st.run()
                if rc != 0 {
                    throw HindsightError(
                        .database, "cannot store universe \(u.universeID) on \(u.asOf)", cause: st.lastError)
                }
            }
        }
        if !regimes.isEmpty {
            let dataRows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM regime_history WHERE source = 'data'") ?? 0
            if dataRows == 0 {
                var st = try RawStatement(
                    db,
                    sql:
                        "INSERT OR REPLACE INTO regime_history(date, regime_id, label, source) VALUES (?, ?, ?, 'builtin')"
                )
                for r in regimes {
                    st.bind(1, day: r.date)
                    st.bind(2, r.regimeID)
                    st.bind(3, r.label)
                    let rc = st.run()
                    if rc != 0 {
                        throw HindsightError(.database, "cannot store the regime of \(r.date)", cause: st.lastError)
                    }
                }
            }
        }
    }

    /// A run's round trips, in trip order.
    public func roundTrips(runID: String) throws -> [RoundTripRow] {
        try readWrapped { db in
            let st = try RawStatement(
                db,
                sql: """
                    SELECT trip_id, ticker, direction, entry_date, exit_date, quantity, entry_price, exit_price, pnl,
                        return, bars_held, mae, mfe, exit_reason, entry_trade_id, exit_trade_id
                    FROM backtest_round_trips WHERE run_id = ? ORDER BY trip_id
                    """)
            st.bind(1, runID)
            var out: [RoundTripRow] = []
            while try st.step() {
                guard let entry = st.day(3), let exit = st.day(4) else {
                    throw HindsightError(.invalidData, "\(path): a round trip of run \(runID) has a bad date")
                }
                out.append(
                    RoundTripRow(
                        tripID: st.int(0), ticker: st.string(1), direction: st.string(2), entryDate: entry,
                        exitDate: exit, quantity: st.double(5), entryPrice: st.double(6), exitPrice: st.double(7),
                        pnl: st.double(8), ret: st.double(9), barsHeld: st.int(10),
                        mae: st.isNull(11) ? .nan : st.double(11), mfe: st.isNull(12) ? .nan : st.double(12),
                        exitReason: st.string(13), entryTradeID: st.int(14),
                        exitTradeID: st.isNull(15) ? nil : st.int(15)))
            }
            return out
        }
    }

    public func loadSectorProfiles() throws -> [SectorProfile] {
        try readWrapped { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT sector, valid_from, profile_version_id, fields_json FROM sector_profiles ORDER BY sector, valid_from"
            ).map { row in
                guard let d = TradingDay(iso: row[1] as String) else {
                    throw HindsightError(.invalidData, "\(path): sector_profiles has a bad valid_from")
                }
                return SectorProfile(sector: row[0], validFrom: d, profileVersionID: row[2], fieldsJSON: row[3])
            }
        }
    }

    /// A stored run with its trades and daily equity.
    public func loadRun(id: String) throws -> BacktestResults {
        try readWrapped { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT * FROM backtest_runs WHERE run_id = ?", arguments: [id])
            else {
                throw HindsightError(
                    .notFound, "\(path): no run with id \(id)",
                    cause: "list runs with `sqlite3 \(path) 'SELECT run_id, status FROM backtest_runs'`")
            }
            guard let status = RunRecord.Status(rawValue: r["status"]) else {
                throw HindsightError(.invalidData, "\(path): run \(id) has a bad status")
            }
            let run = RunRecord(
                runID: r["run_id"], strategyID: r["strategy_id"], configJSON: r["config_json"],
                configHash: r["config_hash"],
                dataFingerprint: r["data_fingerprint"], seed: UInt64(bitPattern: (r["seed"] as Int64?) ?? 0),
                codeVersion: r["code_version"] ?? "",
                startDate: (r["start_date"] as String?).flatMap { TradingDay(iso: $0) },
                endDate: (r["end_date"] as String?).flatMap { TradingDay(iso: $0) }, universeID: r["universe_id"],
                metricsJSON: r["metrics_json"], status: status, error: r["error"], sweepID: r["sweep_id"],
                pointID: r["point_id"], createdAt: r["created_at"], notesJSON: r["notes_json"],
                analysisJSON: r["analysis_json"])
            var trades: [TradeRow] = []
            let ts = try RawStatement(
                db,
                sql: """
                    SELECT trade_id, date, ticker, direction, size, price, commission, slippage, regime_id, universe_id, profile_version_id,
                           decision_metadata_json FROM backtest_trades WHERE run_id = ? ORDER BY trade_id
                    """)
            ts.bind(1, id)
            while try ts.step() {
                guard let d = ts.day(1) else {
                    throw HindsightError(.invalidData, "\(path): a trade of run \(id) has a bad date")
                }
                trades.append(
                    TradeRow(
                        tradeID: ts.int(0), date: d, ticker: ts.string(2), direction: ts.string(3), size: ts.double(4),
                        price: ts.double(5), commission: ts.double(6), slippage: ts.double(7),
                        regimeID: ts.isNull(8) ? nil : ts.int(8), universeID: ts.isNull(9) ? nil : ts.string(9),
                        profileVersionID: ts.isNull(10) ? nil : ts.string(10), decisionMetadataJSON: ts.string(11)))
            }
            var equity: [EquityRow] = []
            let es = try RawStatement(
                db,
                sql:
                    "SELECT date, equity_curve_value, drawdown, exposure_metrics_json FROM backtest_daily_equity WHERE run_id = ? ORDER BY date"
            )
            es.bind(1, id)
            while try es.step() {
                guard let d = es.day(0) else {
                    throw HindsightError(.invalidData, "\(path): an equity row of run \(id) has a bad date")
                }
                equity.append(
                    EquityRow(date: d, equity: es.double(1), drawdown: es.double(2), exposureJSON: es.string(3)))
            }
            return BacktestResults(run: run, trades: trades, equity: equity)
        }
    }

    static func insertDetails(
        _ db: Database, runID: String, trades: [TradeRow], roundTrips: [RoundTripRow] = [], equity: [EquityRow]
    ) throws {
        if !roundTrips.isEmpty {
            var st = try RawStatement(
                db,
                sql: """
                    INSERT INTO backtest_round_trips(run_id, trip_id, ticker, direction, entry_date, exit_date, quantity,
                        entry_price, exit_price, pnl, return, bars_held, mae, mfe, exit_reason, entry_trade_id, exit_trade_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for t in roundTrips {
                st.bind(1, runID)
                st.bind(2, t.tripID)
                st.bind(3, t.ticker)
                st.bind(4, t.direction)
                st.bind(5, day: t.entryDate)
                st.bind(6, day: t.exitDate)
                st.bind(7, t.quantity)
                st.bind(8, t.entryPrice)
                st.bind(9, t.exitPrice)
                st.bind(10, t.pnl)
                st.bind(11, t.ret)
                st.bind(12, t.barsHeld)
                if t.mae.isFinite { st.bind(13, t.mae) } else { st.bindNull(13) }
                if t.mfe.isFinite { st.bind(14, t.mfe) } else { st.bindNull(14) }
                st.bind(15, t.exitReason)
                st.bind(16, t.entryTradeID)
                if let x = t.exitTradeID { st.bind(17, x) } else { st.bindNull(17) }
                let rc = st.run()
                if rc != 0 {
                    throw HindsightError(
                        .database, "cannot store round trip \(t.tripID) of run \(runID)", cause: st.lastError)
                }
            }
        }
        if !trades.isEmpty {
            var st = try RawStatement(
                db,
                sql: """
                    INSERT INTO backtest_trades(run_id, trade_id, date, ticker, direction, size, price, commission, slippage,
                        regime_id, universe_id, profile_version_id, decision_metadata_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for t in trades {
                st.bind(1, runID)
                st.bind(2, t.tradeID)
                st.bind(3, day: t.date)
                st.bind(4, t.ticker)
                st.bind(5, t.direction)
                st.bind(6, t.size)
                st.bind(7, t.price)
                st.bind(8, t.commission)
                st.bind(9, t.slippage)
                if let r = t.regimeID { st.bind(10, r) } else { st.bindNull(10) }
                if let u = t.universeID { st.bind(11, u) } else { st.bindNull(11) }
                if let p = t.profileVersionID { st.bind(12, p) } else { st.bindNull(12) }
                st.bind(13, t.decisionMetadataJSON)
                let rc = st.run()
                if rc != 0 {
                    throw HindsightError(
                        .database, "cannot store trade \(t.tradeID) of run \(runID)", cause: st.lastError)
                }
            }
        }
        if !equity.isEmpty {
            var st = try RawStatement(
                db,
                sql:
                    "INSERT INTO backtest_daily_equity(run_id, date, equity_curve_value, drawdown, exposure_metrics_json) VALUES (?, ?, ?, ?, ?)"
            )
            for e in equity {
                st.bind(1, runID)
                st.bind(2, day: e.date)
                st.bind(3, e.equity)
                st.bind(4, e.drawdown)
                st.bind(5, e.exposureJSON)
                let rc = st.run()
                if rc != 0 {
                    throw HindsightError(
                        .database, "cannot store the equity of run \(runID) on \(e.date)", cause: st.lastError)
                }
            }
        }
    }
}
