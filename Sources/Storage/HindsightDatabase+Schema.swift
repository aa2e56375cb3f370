import GRDB

extension HindsightDatabase {
    public static let inputTables = [
        "equity_prices_daily", "corporate_actions", "regime_history", "universe_snapshots",
        "universe_members", "company_profiles", "sector_profiles", "factor_returns", "dataset_metadata",
        "equity_prices_intraday",
    ]
    public static let outputTables = [
        "sweeps", "sweep_points", "backtest_runs", "backtest_trades", "backtest_round_trips", "backtest_daily_equity",
        "sweep_returns", "sweep_equity", "backtest_scenarios", "backtest_scenario_summary", "backtest_attribution",
        "backtest_turnover",
    ]
    public static var allTables: [String] { inputTables + outputTables }
    static let latestMigration = "v11-intraday"

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-initial") { db in
            try db.execute(
                sql: """
                    CREATE TABLE equity_prices_daily(
                        ticker TEXT NOT NULL, date TEXT NOT NULL,
                        open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
                        PRIMARY KEY(ticker, date)) WITHOUT ROWID;
                    CREATE TABLE corporate_actions(
                        ticker TEXT NOT NULL, date TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK(kind IN ('split', 'dividend')),
                        ratio_or_amount REAL NOT NULL CHECK(ratio_or_amount > 0),
                        PRIMARY KEY(ticker, date, kind)) WITHOUT ROWID;
                    CREATE TABLE regime_history(
                        date TEXT NOT NULL PRIMARY KEY, regime_id INTEGER NOT NULL, label TEXT NOT NULL,
                        source TEXT NOT NULL DEFAULT 'data');
                    CREATE TABLE universe_snapshots(
                        universe_id TEXT NOT NULL, as_of_date TEXT NOT NULL, rule_json TEXT NOT NULL,
                        PRIMARY KEY(universe_id, as_of_date));
                    CREATE TABLE universe_members(
                        universe_id TEXT NOT NULL, as_of_date TEXT NOT NULL, ticker TEXT NOT NULL, rank INTEGER NOT NULL,
                        PRIMARY KEY(universe_id, as_of_date, ticker),
                        FOREIGN KEY(universe_id, as_of_date) REFERENCES universe_snapshots(universe_id, as_of_date) ON DELETE CASCADE);
                    CREATE TABLE company_profiles(
                        ticker TEXT NOT NULL, valid_from TEXT NOT NULL, profile_version_id TEXT NOT NULL UNIQUE,
                        sector TEXT NOT NULL, industry TEXT NOT NULL, fields_json TEXT NOT NULL DEFAULT '{}',
                        PRIMARY KEY(ticker, valid_from));
                    CREATE TABLE sector_profiles(
                        sector TEXT NOT NULL, valid_from TEXT NOT NULL, profile_version_id TEXT NOT NULL UNIQUE,
                        fields_json TEXT NOT NULL DEFAULT '{}',
                        PRIMARY KEY(sector, valid_from));
                    CREATE TABLE factor_returns(
                        date TEXT NOT NULL, factor TEXT NOT NULL, value REAL NOT NULL,
                        PRIMARY KEY(date, factor)) WITHOUT ROWID;
                    CREATE INDEX factor_returns_factor_date ON factor_returns(factor, date);
                    CREATE TABLE dataset_metadata(key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);

                    CREATE TABLE sweeps(
                        sweep_id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, plan_hash TEXT NOT NULL,
                        spec_json TEXT NOT NULL, data_fingerprint TEXT, created_at TEXT NOT NULL);
                    CREATE TABLE sweep_points(
                        sweep_id TEXT NOT NULL REFERENCES sweeps(sweep_id) ON DELETE CASCADE,
                        point_id TEXT NOT NULL, params_json TEXT NOT NULL, run_id TEXT,
                        PRIMARY KEY(sweep_id, point_id));
                    CREATE TABLE backtest_runs(
                        run_id TEXT NOT NULL PRIMARY KEY, strategy_id TEXT NOT NULL, config_json TEXT NOT NULL,
                        config_hash TEXT NOT NULL, data_fingerprint TEXT, seed INTEGER, code_version TEXT,
                        start_date TEXT, end_date TEXT, universe_id TEXT, metrics_json TEXT,
                        status TEXT NOT NULL CHECK(status IN ('ok', 'invalid', 'failed')), error TEXT,
                        sweep_id TEXT, point_id TEXT, created_at TEXT NOT NULL);
                    CREATE INDEX backtest_runs_sweep ON backtest_runs(sweep_id, point_id);
                    CREATE TABLE backtest_trades(
                        run_id TEXT NOT NULL REFERENCES backtest_runs(run_id) ON DELETE CASCADE,
                        trade_id INTEGER NOT NULL, date TEXT NOT NULL, ticker TEXT NOT NULL,
                        direction TEXT NOT NULL CHECK(direction IN ('buy', 'sell')), size REAL NOT NULL, price REAL NOT NULL,
                        commission REAL NOT NULL DEFAULT 0, slippage REAL NOT NULL DEFAULT 0,
                        regime_id INTEGER, universe_id TEXT, profile_version_id TEXT, decision_metadata_json TEXT,
                        PRIMARY KEY(run_id, trade_id));
                    CREATE INDEX backtest_trades_run_date ON backtest_trades(run_id, date);
                    CREATE TABLE backtest_daily_equity(
                        run_id TEXT NOT NULL REFERENCES backtest_runs(run_id) ON DELETE CASCADE,
                        date TEXT NOT NULL, equity_curve_value REAL NOT NULL, drawdown REAL NOT NULL,
                        exposure_metrics_json TEXT,
                        PRIMARY KEY(run_id, date)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v2-sweep-results") { db in
            try db.execute(
                sql: """
                    CREATE UNIQUE INDEX backtest_runs_sweep_point ON backtest_runs(sweep_id, point_id) WHERE sweep_id IS NOT NULL;
                    CREATE TABLE sweep_returns(
                        sweep_id TEXT NOT NULL, point_id TEXT NOT NULL, first_date TEXT NOT NULL, returns BLOB NOT NULL,
                        PRIMARY KEY(sweep_id, point_id)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v3-lean-sweep-writes") { db in
            // The unique index on (sweep_id, point_id) serves every lookup; a second one only doubles each write.
            try db.execute(sql: "DROP INDEX IF EXISTS backtest_runs_sweep")
        }
        m.registerMigration("v4-one-metrics-set") { db in
            // metrics_json is the same for a config however it runs; how it ran and further analysis live beside it.
            try db.execute(
                sql: """
                    ALTER TABLE backtest_runs ADD COLUMN notes_json TEXT;
                    ALTER TABLE backtest_runs ADD COLUMN analysis_json TEXT;
                    """)
        }
        m.registerMigration("v5-round-trips") { db in
            try db.execute(
                sql: """
                    CREATE TABLE backtest_round_trips(
                        run_id TEXT NOT NULL REFERENCES backtest_runs(run_id) ON DELETE CASCADE,
                        trip_id INTEGER NOT NULL, ticker TEXT NOT NULL,
                        direction TEXT NOT NULL CHECK(direction IN ('long', 'short')),
                        entry_date TEXT NOT NULL, exit_date TEXT NOT NULL, quantity REAL NOT NULL,
                        entry_price REAL NOT NULL, exit_price REAL NOT NULL, pnl REAL NOT NULL, return REAL NOT NULL,
                        bars_held INTEGER NOT NULL, mae REAL, mfe REAL, exit_reason TEXT NOT NULL,
                        entry_trade_id INTEGER NOT NULL, exit_trade_id INTEGER,
                        PRIMARY KEY(run_id, trip_id)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v6-price-date-index") { db in
            // The calendar (every distinct date) by index seeks instead of a scan of every price row: loading a
            // 2-ticker run from the 133-ticker database spent 0.28 s of its 0.39 s there.
            try db.execute(
                sql: "CREATE INDEX IF NOT EXISTS equity_prices_daily_date ON equity_prices_daily(date)")
        }
        m.registerMigration("v7-sweep-equity") { db in
            // `store: {equity: all}`: one little-endian float64 blob per point (8 bytes a day), not a row of
            // about 240 bytes with each day's exposures.
            try db.execute(
                sql: """
                    CREATE TABLE sweep_equity(
                        sweep_id TEXT NOT NULL, point_id TEXT NOT NULL, first_date TEXT NOT NULL, equity BLOB NOT NULL,
                        PRIMARY KEY(sweep_id, point_id)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v8-scenarios") { db in
            // A sweep's top points re-run on resampled markets: one row per (point, generator, path), and one
            // summary per (point, generator) for the report.
            try db.execute(
                sql: """
                    CREATE TABLE backtest_scenarios(
                        sweep_id TEXT NOT NULL, point_id TEXT NOT NULL, generator TEXT NOT NULL, path INTEGER NOT NULL,
                        metrics_json TEXT NOT NULL,
                        PRIMARY KEY(sweep_id, point_id, generator, path)) WITHOUT ROWID;
                    CREATE TABLE backtest_scenario_summary(
                        sweep_id TEXT NOT NULL, point_id TEXT NOT NULL, generator TEXT NOT NULL, summary_json TEXT NOT NULL,
                        PRIMARY KEY(sweep_id, point_id, generator)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v9-attribution") { db in
            // Where a stored run's P&L came from: per dimension (ticker, sector, decision_model, regime, long_short,
            // brinson, factor), key and period (total, YYYY, YYYY-MM); the keys of one dimension and period add up to the
            // run's P&L over the period.
            try db.execute(
                sql: """
                    CREATE TABLE backtest_attribution(
                        run_id TEXT NOT NULL REFERENCES backtest_runs(run_id) ON DELETE CASCADE,
                        dimension TEXT NOT NULL, key TEXT NOT NULL, period TEXT NOT NULL,
                        pnl REAL NOT NULL, exposure REAL, contribution REAL,
                        PRIMARY KEY(run_id, dimension, period, key)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v10-turnover") { db in
            // Traded value per period and component (signal, rebalance drift, universe change, corporate action,
            // stop); the components add up to the traded value of the run's trades.
            try db.execute(
                sql: """
                    CREATE TABLE backtest_turnover(
                        run_id TEXT NOT NULL REFERENCES backtest_runs(run_id) ON DELETE CASCADE,
                        period TEXT NOT NULL, component TEXT NOT NULL, traded_value REAL NOT NULL, turnover REAL,
                        PRIMARY KEY(run_id, period, component)) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v11-intraday") { db in
            // Intraday bars, `ts` the bar's start in UTC seconds: one row per (ticker, bar), read per ticker by
            // primary-key range.
            try db.execute(
                sql: """
                    CREATE TABLE equity_prices_intraday(
                        ticker TEXT NOT NULL, ts INTEGER NOT NULL,
                        open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
                        PRIMARY KEY(ticker, ts)) WITHOUT ROWID;
                    """)
        }
        return m
    }
}
