import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Testing

/// `stops:` on the engine: hand-worked bars for each rule, and vectorbt 1.2.0 on real stocks.
@Suite struct StopTests {
    /// One ticker that enters on the first bar where close > 100.5 (at that close) and never exits by signal.
    func run(
        closes: [Double], opens: [Double]? = nil, highs: [Double]? = nil, lows: [Double]? = nil, stops: String,
        fill: String = "close"
    ) throws -> BacktestRunner.Outcome {
        let inputs = try TestMarket.inputs(
            closes: ["A": closes], opens: opens.map { ["A": $0] } ?? [:], highs: highs.map { ["A": $0] } ?? [:],
            lows: lows.map { ["A": $0] } ?? [:])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: signals, entry: \"close > 100.5\", exit: \"close < 0\"}", initialCash: 10_000,
            extra: ["execution: {fill: \(fill)}", "fractional_shares: true", "stops: \(stops)"])
        return try Kit.run(yaml, inputs: inputs).0
    }

    /// (session index, price, reason) of each sell.
    func exits(_ o: BacktestRunner.Outcome) -> [(Int, Double, UInt8)] {
        o.result.trades.filter { $0.quantity < 0 }.map { (Int($0.day) - o.result.firstSession, $0.price, $0.reason) }
    }

    @Test func aStopLossInsideABarFillsAtTheStopAndOneBeyondTheOpenFillsAtTheOpen() throws {
        // Entry at the close of bar 1 (101). Stop 5% below: 95.95.
        let closes = [100.0, 101, 100, 99, 97, 96, 96]
        let inside = try run(
            closes: closes, highs: closes.map { $0 + 0.5 }, lows: [99, 100, 99.5, 98, 96.5, 95.5, 95.5],
            stops: "{stop_loss: 0.05}")
        let x = exits(inside)
        #expect(x.count == 1 && x[0].0 == 5 && Tolerance.close(x[0].1, 101 * 0.95, rel: 1e-12), "\(x)")
        #expect(x.first?.2 == StopRules.ExitReason.stopLoss.rawValue)
        // Bar 4 opens at 94, below the stop: the exit is at that open, not at the stop.
        let gap = try run(
            closes: closes, opens: [100, 101, 100, 99, 94, 96, 96], highs: closes.map { $0 + 0.5 },
            lows: [99, 100, 99.5, 98, 93, 95.5, 95.5], stops: "{stop_loss: 0.05}")
        #expect(exits(gap).map(\.0) == [4] && exits(gap).first?.1 == 94, "\(exits(gap))")
    }

    @Test func theEntryBarIsNeverCheckedAndATargetFillsAtItsLevel() throws {
        // The entry bar's own low (90) is below the stop, but stops start on the bar after the entry fill.
        let closes = [100.0, 101, 105, 109, 112, 112]
        let o = try run(
            closes: closes, opens: [100, 101, 105, 109, 109.5, 112], highs: [100.5, 102, 106, 110, 113, 113],
            lows: [99, 90, 104, 108, 109, 111],
            stops: "{stop_loss: 0.05, take_profit: 0.1}")
        let x = exits(o)
        #expect(x.count == 1 && x[0].0 == 4 && Tolerance.close(x[0].1, 101 * 1.1, rel: 1e-12), "\(x)")
        #expect(x.first?.2 == StopRules.ExitReason.takeProfit.rawValue)
    }

    @Test func aBarHoldingBothTheStopAndTheTargetIsCountedAndThePolicyPicksTheExit() throws {
        // Bar 2 spans 94..112: both the 5% stop (95.95) and the 10% target (111.1) are inside it.
        let closes = [100.0, 101, 100, 100]
        let highs = [100.5, 101.5, 112, 101], lows = [99.5, 100.5, 94, 99]
        let worst = try run(closes: closes, highs: highs, lows: lows, stops: "{stop_loss: 0.05, take_profit: 0.1}")
        let best = try run(
            closes: closes, highs: highs, lows: lows,
            stops: "{stop_loss: 0.05, take_profit: 0.1, intrabar: optimistic}")
        #expect(worst.result.ambiguousBars == 1 && best.result.ambiguousBars == 1)
        #expect(exits(worst).first.map { Tolerance.close($0.1, 95.95, rel: 1e-12) } == true)
        #expect(exits(best).first.map { Tolerance.close($0.1, 111.1, rel: 1e-12) } == true)
        #expect(worst.metrics["ambiguous_bars"] == .integer(1), "\(worst.metrics.render())")
    }

    @Test func theTrailingReferenceTakesEachHighAfterThatBarsCheck() throws {
        // Entry 101. Bar 2's high 110 moves the reference after bar 2's check, so bar 2's low 100 (above
        // 101 × 0.9) does not exit; bar 3's stop is 110 × 0.9 = 99, reached by its low 98.
        let closes = [100.0, 101, 108, 100, 100]
        let o = try run(
            closes: closes, highs: [100.5, 101.5, 110, 104, 101], lows: [99.5, 100.5, 100, 98, 99],
            stops: "{trailing_stop: 0.1}")
        let x = exits(o)
        #expect(x.count == 1 && x[0].0 == 3 && Tolerance.close(x[0].1, 99, rel: 1e-12), "\(x)")
        #expect(x.first?.2 == StopRules.ExitReason.trailingStop.rawValue)
    }

    @Test func aTimeStopExitsAtTheCloseOfTheNthBarAfterTheEntry() throws {
        let closes = [100.0, 101, 102, 103, 104, 105, 106]
        let o = try run(closes: closes, stops: "{time_stop: 3}")
        let x = exits(o)
        #expect(x.first.map { $0.0 == 4 && $0.1 == 104 && $0.2 == StopRules.ExitReason.timeStop.rawValue } == true)
        // Flat again, the entry condition buys at the next close (one exit per bar: not on the stop's own bar).
        let buys = o.result.trades.filter { $0.quantity > 0 }.map { Int($0.day) - o.result.firstSession }
        #expect(buys == [1, 5], "\(buys)")
    }

    @Test func anATRStopIsFixedAtTheEntryFromTheATRKnownThen() throws {
        // Bars with a true range of exactly 2 until the entry: ATR(3) = 2, so the stop sits at 101 - 2 × 2 = 97
        // and stays there when later ranges widen.
        let closes = [100.0, 100, 100, 100, 101, 101, 101, 101]
        let highs = [101.0, 101, 101, 101, 102, 106, 103, 101], lows = [99.0, 99, 99, 99, 100, 97.5, 97.2, 96]
        let o = try run(closes: closes, highs: highs, lows: lows, stops: "{atr_stop: {n: 3, k: 2}}")
        let x = exits(o)
        #expect(x.count == 1 && x[0].0 == 7 && Tolerance.close(x[0].1, 97, rel: 1e-12), "\(x)")
        #expect(x.first?.2 == StopRules.ExitReason.atrStop.rawValue)
    }

    @Test func aStopExitLimitedByParticipationCarriesItsRemainderToTheNextSession() throws {
        // 30 shares a fill (30% of 100): the 49.5-share position exits 30 at the stop on bar 3, and the carried
        // rest at that bar's close (with `fill: close` a carried remainder fills at the next execution), although
        // no later bar reaches the stop again.
        let closes = [100.0, 101, 100.5, 96, 100, 100]
        let inputs = try TestMarket.inputs(
            closes: ["A": closes], volume: 100, lows: ["A": [99, 100, 99.5, 95, 99, 99]])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: signals, entry: \"close > 100.5\", exit: \"close < 0\", size: {kind: cash, value: 5000}}",
            extra: [
                "fractional_shares: true", "execution: {fill: close, max_participation: 0.3}",
                "stops: {stop_loss: 0.05}",
            ])
        let o = try Kit.run(yaml, inputs: inputs).0
        let bought = o.result.trades.filter { $0.quantity > 0 }.reduce(0) { $0 + $1.quantity }
        let sells = o.result.trades.filter { $0.quantity < 0 }
        #expect(Tolerance.close(bought, 5000 / 101, rel: 1e-12))
        #expect(sells.map { Int($0.day) - o.result.firstSession } == [3, 3], "\(sells)")
        #expect(sells.count == 2 && sells[1].flags & TradeRecord.fromCarry != 0 && sells[1].price == 96)
        #expect(Tolerance.close(-sells.reduce(0) { $0 + $1.quantity }, bought, rel: 1e-12))
    }

    @Test func aSplitScalesTheStopLevelsWithThePrice() throws {
        // Entry at 101 (stop 95.95). A 2:1 split on bar 3 halves prices: the stop becomes 47.975, so bar 3's low
        // 49 does not exit and bar 4's low 47.5 does, at 47.975.
        let closes = [100.0, 101, 100, 50, 48, 48]
        let inputs = try TestMarket.inputs(
            closes: ["A": closes],
            actions: [CorporateAction(ticker: "A", date: TestMarket.firstDay.adding(days: 3), kind: .split, value: 2)],
            highs: ["A": [100.5, 101.5, 100.5, 50.5, 49, 48.5]], lows: ["A": [99.5, 100.5, 99, 49, 47.5, 47.5]])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: signals, entry: \"close > 100.5\", exit: \"close < 0\"}",
            extra: ["fractional_shares: true", "stops: {stop_loss: 0.05}"])
        let o = try Kit.run(yaml, inputs: inputs).0
        let x = exits(o)
        #expect(x.count == 1 && x[0].0 == 4 && Tolerance.close(x[0].1, 101 * 0.95 / 2, rel: 1e-12), "\(x)")
        let trips = o.result.roundTrips(panel: inputs.panel)
        // The trip's quantity and entry price are in post-split shares; its P&L is the fills' cash.
        #expect(trips.count == 1 && Tolerance.close(trips[0].entryPrice, 50.5, rel: 1e-12))
        #expect(Tolerance.close(trips[0].pnl, o.result.finalEquity - 10_000, rel: 1e-9))
    }

    @Test func stopsApplyToBuiltInStrategiesAndAreSweptLikeAnyKey() throws {
        let inputs = try TestMarket.inputs(closes: ["A": (0..<80).map { 100 + 8 * sin(Double($0) / 6) }])
        func run(_ stops: String) throws -> BacktestRunner.Outcome {
            let yaml = TestConfig.yaml(
                db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
                strategy: "{kind: sma_crossover, params: {fast: 3, slow: 8}}",
                extra: ["fractional_shares: true"] + (stops.isEmpty ? [] : ["stops: \(stops)"]))
            return try Kit.run(yaml, inputs: inputs).0
        }
        let plain = try run(""), stopped = try run("{take_profit: 0.02}")
        #expect(stopped.result.trades.contains { $0.reason == StopRules.ExitReason.takeProfit.rawValue })
        #expect(!plain.result.trades.contains { $0.reason != 0 })
        #expect(plain.result.finalEquity != stopped.result.finalEquity)
    }

    @Test func badStopValuesAreRefusedWithTheirLocation() throws {
        for (stops, message) in [
            ("{stop_loss: 0}", "stops.stop_loss must lie strictly between 0 and 1"),
            ("{take_profit: 1.5}", "stops.take_profit must lie strictly between 0 and 1"),
            ("{trailing_stop: -0.1}", "stops.trailing_stop must lie strictly between 0 and 1"),
            ("{time_stop: 0}", "stops.time_stop must be ≥ 1 bar"),
            ("{atr_stop: {n: 0, k: 2}}", "stops.atr_stop.n must be ≥ 1"),
            ("{stop_los: 0.05}", "did you mean `stop_loss`"),
            ("{intrabar: worst}", "unknown value 'worst'"),
        ] {
            let yaml = TestConfig.yaml(
                db: "x.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
                strategy: "{kind: sma_crossover, params: {fast: 3, slow: 8}}", extra: ["stops: \(stops)"])
            do {
                _ = try TestConfig.parse(yaml, file: "cfg.yaml")
                Issue.record("expected an error for \(stops)")
            } catch let e as HindsightError {
                #expect(e.description.contains(message), "\(e.description)")
                #expect(e.description.contains("cfg.yaml:8:"), "\(e.description)")
            }
        }
    }

    /// SMA-crossover entries with stop-loss x take-profit and trailing-stop grids on ten stocks in equal sleeves
    /// equal vectorbt 1.2.0 `from_signals` with open/high/low (scripts/make_stop_fixtures.py).
    @Test(.enabled(if: TestPaths.sharedDataAvailable, "../shared/data is not present"))
    func stopGridsOnTenStocksEqualVectorbtPerPointAt1e9() throws {
        let db = try Kit.sharedDatabase(
            "us-equities.sqlite", imports: [["prices", TestPaths.shared("us-equities/prices.csv.gz")]])
        let ref = try Kit.pointFixture("vectorbt-stops-us", paramsColumn: 0)
        let tickers = Array(ref.header.dropFirst(4))
        #expect(ref.rows.count == 24)
        for (f, p) in ref.rows {
            let stops = p.filter { $0.key != "fast" && $0.key != "slow" }.sorted { $0.key < $1.key }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            let yaml = TestConfig.yaml(
                db: db, tickers: tickers, start: "2005-02-25", end: "2017-11-10",
                strategy: """
                    {kind: signals, params: {fast: \(p["fast"]!), slow: \(p["slow"]!)}, \
                    entry: "crossover(sma(close, fast), sma(close, slow))", \
                    exit: "crossunder(sma(close, fast), sma(close, slow))"}
                    """,
                initialCash: 100_000,
                extra: [
                    "execution: {fill: close, commission: {model: bps, bps: 10}}", "fractional_shares: true",
                    "stops: {\(stops)}",
                ])
            let (o, _) = try Kit.run(yaml)
            let want = Double(f[1])!, orders = Int(f[2])!
            #expect(
                Tolerance.close(o.result.finalEquity, want, rel: 1e-9),
                "\(f[0]): \(o.result.finalEquity) vs vectorbt \(want)")
            #expect(o.result.trades.filter { $0.quantity != 0 }.count == orders, "\(f[0]) orders")
            #expect(o.result.roundTrips(panel: try Kit.panel(yaml, db: db)).count == Int(f[3])!, "\(f[0]) round trips")
        }
    }
}

/// A strategy that only watches: it never orders.
struct WatchOnly: Strategy, StrategyPlugin {
    static let kind = "watch_only_for_tests"
    static let keys: [String] = []
    static let holdsPositions = false
    static func validate(_ strategy: ConfigNode) throws {}
    static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        StrategySetup(strategy: WatchOnly(), modelNames: ["watch"])
    }
    mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {}
}

@Suite struct StopsOnAStrategyWithoutPositionsTests {
    @Test func stopsOnAStrategyThatHoldsNoPositionsAreRefusedAtTheStopsKey() throws {
        StrategyRegistry.register(WatchOnly.self)
        let yaml = TestConfig.yaml(
            db: "x.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: watch_only_for_tests}", extra: ["stops: {stop_loss: 0.05}"])
        #expect {
            _ = try TestConfig.parse(yaml, file: "cfg.yaml")
        } throws: { e in
            "\(e)".contains("cfg.yaml:8:") && "\(e)".contains("holds no positions, so `stops:` has nothing to exit")
        }
    }
}
