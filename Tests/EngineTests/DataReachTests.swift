import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Testing

/// A run loads only the tickers it can reach, with the same sessions and the same numbers as with all of them.
@Suite struct DataReachTests {
    func database() throws -> String {
        let dir = TestPaths.makeTempDir("hindsight-reach")
        let db = dir + "/m.sqlite"
        let r = try HindsightBinary.run([
            "data", "synth", "--db", db, "--assets", "12", "--start", "2014-01-02", "--end", "2016-12-30",
            "--seed", "9",
        ])
        precondition(r.status == 0, r.stderr)
        return db
    }

    @Test func aTickerUniverseLoadsItsTickersAndGivesTheSameMetricsAsTheWholeDatabase() throws {
        let db = try database()
        let tickers = try HindsightDatabase.openExisting(path: db).priceTickers()
        let picked = Array(tickers.filter { $0 != "MKT" }.prefix(3))
        for (strategy, extra, calendar) in [
            (
                "{kind: sma_crossover, params: {fast: 5, slow: 30}}", ["stops: {stop_loss: 0.03, take_profit: 0.05}"],
                "NYSE"
            ),
            ("{kind: sma_crossover, params: {fast: 5, slow: 30}}", [], "data"),
            (
                "{kind: signals, entry: \"cs_rank(roc(close, 20)) > 0.6\", exit: \"cs_rank(roc(close, 20)) < 0.4\"}",
                ["execution: {fill: next_open, commission: {model: bps, bps: 5}}"], "NYSE"
            ),
        ] {
            let yaml = TestConfig.yaml(
                db: db, tickers: picked, start: "2014-06-02", end: "2016-12-30", strategy: strategy,
                calendar: calendar, extra: extra)
            let config = try TestConfig.parse(yaml)
            let reached = try MarketInputs.load(for: config)
            let whole = try MarketInputs.load(for: config, reach: false)
            // The market series of the built-in regime classifier comes along.
            #expect(reached.panel.tickers == (picked + ["MKT"]).sorted())
            #expect(whole.panel.tickers.count == tickers.count && reached.sourceTickers == tickers)
            #expect(reached.panel.calendar.sessions == whole.panel.calendar.sessions)
            let a = try Kit.run(yaml, inputs: reached).0, b = try Kit.run(yaml, inputs: whole).0
            #expect(a.metrics.render() == b.metrics.render(), "\(strategy)")
            #expect(a.result.equity == b.result.equity)
        }
    }

    @Test func aMissingTickerIsStillNamedWithTheDatabasesTickersInTheHint() throws {
        let db = try database()
        let yaml = TestConfig.yaml(
            db: db, tickers: ["NOPE"], start: "2014-06-02", end: "2016-12-30",
            strategy: "{kind: sma_crossover, params: {fast: 5, slow: 30}}", calendar: "NYSE")
        #expect {
            _ = try Kit.run(yaml)
        } throws: { e in
            "\(e)".contains("ticker NOPE is not in the data") && "\(e)".contains("the data has 12 tickers")
        }
    }

    @Test func theCalendarFromTheDateIndexEqualsTheScan() throws {
        let db = try database()
        let store = try HindsightDatabase.openExisting(path: db)
        let indexed = try store.priceDates()
        #expect(try store.priceDates(scan: true) == indexed && indexed.count > 700)
        #expect(try store.priceTickers().count == 12)
        // What a run on a non-`data` calendar reads instead of every date.
        #expect(try store.firstPriceDate(to: TradingDay(year: 2016, month: 12, day: 30)!) == indexed.first)
        #expect(try store.firstPriceDate(to: TradingDay(year: 2013, month: 12, day: 31)!) == nil)
        // What a ticker universe asks instead of listing every ticker before it reads.
        #expect(try store.existingPriceTickers(["MKT", "NOPE", "MKT"]) == ["MKT"])
    }
}
