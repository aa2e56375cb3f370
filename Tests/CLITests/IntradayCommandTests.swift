import Foundation
import GRDB
import HindsightTestSupport
import Storage
import Testing

private let bin = HindsightBinary.self

/// Intraday data and execution end to end: synthetic bars, imports, checks, calendar hours, and fills read back
/// from the tables.
@Suite struct IntradayCommandTests {
    let dir = TestPaths.makeTempDir("hindsight-intraday")

    private func write(_ name: String, _ text: String) -> String {
        let p = dir + "/" + name
        TestPaths.write(text, to: p)
        return p
    }

    /// A 4-asset synthetic market with 5-minute bars, made once per test.
    private func market() throws -> String {
        let db = dir + "/m.sqlite"
        let r = try bin.run([
            "data", "synth", "--db", db, "--assets", "5", "--start", "2023-01-03", "--end", "2023-06-30",
            "--intraday", "5m",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        return db
    }

    private func config(db: String, tickers: [String], execution: String) -> String {
        """
        name: intraday
        data: {db: \(db)}
        calendar: NYSE
        start: 2023-02-01
        end: 2023-06-30
        initial_cash: 1000000
        fractional_shares: true
        universe: {tickers: [\(tickers.joined(separator: ", "))]}
        strategy:
          kind: assessment_risk_daily_rebal
          rebalance: monthly
          assessment: {model: momentum, lookback: 15, skip: 0}
          risk: {long_only: true, top_n: 3, max_weight: 0.3}
        execution: \(execution)

        """
    }

    @Test func vwapFillsEqualTheVWAPComputedFromTheIntradayTableAndTheDataCheckIsClean() throws {
        let db = try market()
        let check = try bin.run(["data", "check", "--db", db, "--intraday", "--json"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("\"daily_mismatches\" : 0") && check.stdout.contains("\"missing_bars\" : 0"))
        let store = try HindsightDatabase(path: db)
        let tickers = try store.priceTickers().filter { $0 != "MKT" }
        let cfg = write(
            "vwap.yaml",
            config(db: db, tickers: tickers, execution: "{fill: {model: vwap, from: \"10:00\", to: \"15:00\"}}"))
        let out = dir + "/out.sqlite"
        let r = try bin.run(["backtest", "run", cfg, "--db", out])
        #expect(r.status == 0, "\(r.stderr)")
        let q = try DatabaseQueue(path: out)
        let trades = try q.read { db in
            try Row.fetchAll(db, sql: "SELECT date, ticker, price, decision_metadata_json FROM backtest_trades")
        }
        #expect(trades.count > 5)
        let bars = try DatabaseQueue(path: db)
        for t in trades {
            let date: String = t["date"], ticker: String = t["ticker"], price: Double = t["price"]
            let meta: String = t["decision_metadata_json"]
            #expect(meta.contains("\"bars\":60") && meta.contains("vwap 10:00-15:00"), "\(meta)")
            // The window's bars straight from the table: New York 10:00 to 15:00 of the trade's date.
            let vwap = try bars.read { db in
                try Double.fetchOne(
                    db,
                    sql: """
                        SELECT SUM((high + low + close) / 3 * volume) / SUM(volume) FROM equity_prices_intraday
                        WHERE ticker = ? AND date(ts, 'unixepoch', '-5 hours') = ?
                          AND ts >= (SELECT MIN(ts) FROM equity_prices_intraday WHERE ticker = ? AND date(ts, 'unixepoch', '-5 hours') = ?) + 1800
                          AND ts < (SELECT MIN(ts) FROM equity_prices_intraday WHERE ticker = ? AND date(ts, 'unixepoch', '-5 hours') = ?) + 19800
                        """, arguments: [ticker, date, ticker, date, ticker, date])!
            }
            #expect(abs(price - vwap) <= 1e-10 * vwap, "\(date) \(ticker): \(price) vs \(vwap)")
        }
        let metrics = try q.read { db in try String.fetchOne(db, sql: "SELECT metrics_json FROM backtest_runs")! }
        #expect(metrics.contains("\"days_without_intraday\":0"), "\(metrics)")
    }

    @Test func aSweepPointAndBacktestRunGiveTheSameIntradayNumbersAndFingerprint() throws {
        let db = try market()
        let tickers = try HindsightDatabase(path: db).priceTickers().filter { $0 != "MKT" }
        let execution =
            "{fill: {model: twap, from: \"09:30\", to: \"12:00\"}, max_participation: 0.02, slippage: {model: corwin_schultz}}"
        let base = config(db: db, tickers: tickers, execution: execution)
        let sweep = write(
            "s.yaml",
            "sweep: intraday-grid\nbase:\n" + base.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
                + "\ngrid:\n  execution.max_participation: [0.02, 0.05]\nrank_by: sharpe_ratio\n")
        let out = dir + "/sweep.sqlite"
        let s = try bin.run(["sweep", "run", sweep, "--db", out, "--report-dir", dir + "/reports"])
        #expect(s.status == 0, "\(s.stderr)")
        let single = write("one.yaml", base)
        let r = try bin.run(["backtest", "run", single, "--db", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let q = try DatabaseQueue(path: out)
        let rows = try q.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT config_hash, data_fingerprint, metrics_json, sweep_id FROM backtest_runs WHERE status = 'ok' ORDER BY sweep_id IS NULL"
            )
        }
        let alone = rows.last!
        #expect((alone["sweep_id"] as String?) == nil)
        let twin = rows.first {
            ($0["config_hash"] as String) == (alone["config_hash"] as String) && ($0["sweep_id"] as String?) != nil
        }
        #expect(twin != nil, "no sweep point with the backtest's config hash")
        #expect((twin?["metrics_json"] as String?) == (alone["metrics_json"] as String))
        #expect((twin?["data_fingerprint"] as String?) == (alone["data_fingerprint"] as String))
    }

    @Test func intradayImportIsStrictAtomicAndReadsZones() throws {
        let db = dir + "/i.sqlite"
        #expect(try bin.run(["data", "init", "--db", db]).status == 0)
        let naive = write(
            "naive.csv",
            "datetime,ticker,open,high,low,close,volume\n2024-03-08 09:30,AAA,10,10.5,9.9,10.2,100\n2024-03-08 09:35,AAA,10.2,10.3,10,10.1,50\n2024-03-11 09:30,AAA,10,10.1,9.8,9.9,70\n"
        )
        let refused = try bin.run(["data", "import", "intraday", naive, "--db", db])
        #expect(refused.status == 1 && refused.stderr.contains("naive.csv:2") && refused.stderr.contains("--timezone"))
        #expect(try HindsightDatabase(path: db).count(table: "equity_prices_intraday") == 0)
        let ok = try bin.run(["data", "import", "intraday", naive, "--db", db, "--timezone", "America/New_York"])
        #expect(ok.status == 0, "\(ok.stderr) \(ok.stdout)")
        let ts = try DatabaseQueue(path: db).read { db in
            try Int64.fetchAll(db, sql: "SELECT ts FROM equity_prices_intraday ORDER BY ts")
        }
        // 09:30 EST is 14:30 UTC on Friday; 09:30 EDT is 13:30 UTC on Monday, after the switch.
        #expect(ts == [1_709_908_200, 1_709_908_500, 1_710_163_800])
        // A bad row in a second file aborts all of it.
        let bad = write(
            "bad.csv",
            "datetime,ticker,open,high,low,close,volume\n2024-03-12T13:30:00Z,AAA,10,10.5,9.9,10.2,100\n2024-03-12T13:35:00Z,AAA,10,9,9.9,10.2,100\n"
        )
        let r = try bin.run(["data", "import", "intraday", bad, "--db", db])
        #expect(r.status == 1 && r.stderr.contains("bad.csv:3") && r.stderr.contains("'high'"))
        #expect(try HindsightDatabase(path: db).count(table: "equity_prices_intraday") == 3)
        let tz = try bin.run(["data", "import", "intraday", naive, "--db", db, "--timezone", "Mars/Olympus"])
        #expect(tz.status != 0 && tz.stderr.contains("--timezone"))
        let flag = try bin.run(["data", "import", "prices", naive, "--db", db, "--timezone", "UTC"])
        #expect(flag.status != 0 && flag.stderr.contains("intraday"))
    }

    @Test func calendarSessionsPrintsEarlyClosesAndDaylightSavingInUTC() throws {
        let r = try bin.run(["calendar", "sessions", "--from", "2024-11-27", "--to", "2024-12-02", "--csv"])
        #expect(r.status == 0)
        #expect(
            r.stdout == """
                date,open_utc,close_utc
                2024-11-27,2024-11-27T14:30:00Z,2024-11-27T21:00:00Z
                2024-11-29,2024-11-29T14:30:00Z,2024-11-29T18:00:00Z
                2024-12-02,2024-12-02T14:30:00Z,2024-12-02T21:00:00Z

                """)
        let w = try bin.run([
            "calendar", "sessions", "--calendar", "weekdays", "--from", "2024-01-01", "--to", "2024-01-05",
        ])
        #expect(w.status != 0 && w.stderr.contains("NYSE"))
    }
}
