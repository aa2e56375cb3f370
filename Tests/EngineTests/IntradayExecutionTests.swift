import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Testing
import TimeMachine

/// `execution.fill: {model: ...}` on hand-made intraday bars: fills over the window, participation bar by bar,
/// stops and limits on the intraday path, and the daily fallback.
@Suite struct IntradayExecutionTests {
    typealias Bar = (o: Double, h: Double, l: Double, c: Double, v: Double)

    /// Daily closes for ticker A (entry signal: close > 100.5, decided on bar 1) and intraday bars per session.
    func inputs(
        closes: [Double], opens: [Double]? = nil, highs: [Double]? = nil, lows: [Double]? = nil,
        bars: [Int: [Bar]]
    ) throws -> MarketInputs {
        let daily = try TestMarket.inputs(
            closes: ["A": closes], opens: opens.map { ["A": $0] } ?? [:], highs: highs.map { ["A": $0] } ?? [:],
            lows: lows.map { ["A": $0] } ?? [:])
        var rows = IntradayRows()
        rows.tickers = ["A"]
        for (d, list) in bars.sorted(by: { $0.key < $1.key }) {
            let open = NYSESessionTimes.hours(daily.panel.calendar.day(at: d)).open
            for (j, b) in list.enumerated() {
                rows.append(
                    ticker: 0, ts: open + Int64(j) * 300, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v)
            }
        }
        return daily.with(intraday: IntradayPanel(rows: rows, panel: daily.panel))
    }

    func run(
        _ inputs: MarketInputs, execution: String, stops: String? = nil, fractional: Bool = true,
        entry: String = "close > 100.5"
    ) throws -> BacktestRunner.Outcome {
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: signals, entry: \"\(entry)\", exit: \"close < 0\"}", initialCash: 10_000,
            extra: ["execution: \(execution)", "fractional_shares: \(fractional)"]
                + (stops.map { ["stops: \($0)"] } ?? []))
        return try Kit.run(yaml, inputs: inputs).0
    }

    /// 78 five-minute bars with varied prices and volumes.
    func session(base: Double) -> [Bar] {
        (0..<78).map { j in
            let m = base + Double(j % 7) * 0.1 - Double(j % 3) * 0.05
            return (m, m + 0.3, m - 0.2, m + 0.05, Double(1_000 + (j * 37) % 500))
        }
    }

    @Test func aVWAPFillIsTheVolumeWeightedTypicalPriceOfTheWindowsBars() throws {
        let day2 = session(base: 101)
        let i = try inputs(closes: [100, 101, 102, 102], bars: [2: day2, 3: session(base: 102)])
        let o = try run(i, execution: "{fill: {model: vwap, from: \"10:00\", to: \"11:00\"}}")
        let buys = o.result.trades.filter { $0.quantity > 0 }
        #expect(buys.count == 1)
        // 10:00–11:00 is bars 6 ..< 18.
        let window = day2[6..<18]
        let vwap = window.reduce(0.0) { $0 + ($1.h + $1.l + $1.c) / 3 * $1.v } / window.reduce(0.0) { $0 + $1.v }
        #expect(Tolerance.close(buys[0].price, vwap, rel: 1e-12), "\(buys[0].price) vs \(vwap)")
        #expect(buys[0].intradayBars == 12 && Int(buys[0].day) == 2)
        #expect(o.metrics["days_without_intraday"] == .integer(0))
        // All in at the window's first open: 10 000 / open × (1 - 0) shares, then the VWAP price.
        #expect(Tolerance.close(buys[0].quantity, 10_000 / window.first!.o, rel: 1e-12))
        // TWAP: equal shares per bar, so the plain mean of the typical prices.
        let t = try run(i, execution: "{fill: {model: twap, from: \"10:00\", to: \"11:00\"}}")
        let twap = window.reduce(0.0) { $0 + ($1.h + $1.l + $1.c) / 3 } / 12
        #expect(Tolerance.close(t.result.trades.first { $0.quantity > 0 }!.price, twap, rel: 1e-12))
        // open and close: the window's first open and its last bar's close.
        let op = try run(i, execution: "{fill: {model: open, from: \"10:00\", to: \"11:00\"}}")
        #expect(op.result.trades.first { $0.quantity > 0 }!.price == window.first!.o)
        let cl = try run(i, execution: "{fill: {model: close, from: \"10:00\", to: \"11:00\"}}")
        #expect(cl.result.trades.first { $0.quantity > 0 }!.price == window.last!.c)
    }

    @Test func aParticipationCappedOrderFillsExactlyTheCappedVolumeBarByBarAndCarriesTheRest() throws {
        // 10 000 of cash at ~101 is ~99 shares; the window's volume is 12 bars of 40 shares: 10% is 48 shares.
        var day2 = session(base: 101)
        for j in day2.indices { day2[j].v = 40 }
        let i = try inputs(
            closes: [100, 101, 102, 102, 102], bars: [2: day2, 3: session(base: 102), 4: session(base: 102)])
        let o = try run(
            i, execution: "{fill: {model: vwap, from: \"10:00\", to: \"11:00\"}, max_participation: 0.1}")
        let buys = o.result.trades.filter { $0.quantity > 0 }
        #expect(buys.count >= 2)
        #expect(Tolerance.close(buys[0].quantity, 0.1 * 40 * 12, rel: 1e-12), "\(buys.map(\.quantity))")
        #expect(buys[0].flags & TradeRecord.carriedRemainder != 0)
        #expect(buys[1].flags & TradeRecord.fromCarry != 0 && Int(buys[1].day) == 3)
        // Whole shares under TWAP: each bar takes floor(10% of its volume) at most; here 40 → 4 shares a bar.
        let w = try run(
            i, execution: "{fill: {model: twap, from: \"10:00\", to: \"11:00\"}, max_participation: 0.1}",
            fractional: false)
        let first = w.result.trades.first { $0.quantity > 0 }!
        #expect(first.quantity == 48 && first.intradayBars == 12, "\(first)")
        // Cancel instead of carry: one partial fill, nothing after.
        let c = try run(
            i,
            execution:
                "{fill: {model: vwap, from: \"10:00\", to: \"11:00\"}, max_participation: 0.1, partial_fills: cancel}")
        #expect(c.result.trades.filter { $0.quantity > 0 }.count == 1)
    }

    @Test func aStopTheDailyBarCallsAmbiguousFillsAtTheIntradayFirstTouch() throws {
        // Entry fills on session 2 at 101 (flat bars). Session 3's daily bar spans 94..112: the 5% stop (95.95)
        // and the 10% target (111.1) both lie inside it. Its intraday path reaches 112 before 94.
        let flat: [Bar] = Array(repeating: (101, 101, 101, 101, 1_000), count: 78)
        let path: [Bar] = [
            (101, 105, 100.5, 104, 1_000), (104, 112, 103, 110, 1_000), (110, 110, 94, 95, 1_000),
            (95, 100, 94.5, 100, 1_000),
        ]
        let closes = [100.0, 101, 101, 100, 100]
        let highs = [100.5, 101.5, 101, 112, 101], lows = [99.5, 100.5, 101, 94, 99]
        let opens = [100.0, 101, 101, 101, 100]
        let daily = try inputs(closes: closes, opens: opens, highs: highs, lows: lows, bars: [:])
        let withBars = try inputs(
            closes: closes, opens: opens, highs: highs, lows: lows, bars: [2: flat, 3: path, 4: flat])
        let stops = "{stop_loss: 0.05, take_profit: 0.1}"
        let a = try run(withBars, execution: "{fill: {model: vwap}}", stops: stops)
        let exit = a.result.trades.first { $0.quantity < 0 }!
        #expect(Int(exit.day) == 3 && Tolerance.close(exit.price, 111.1, rel: 1e-12), "\(exit)")
        #expect(exit.reason == StopRules.ExitReason.takeProfit.rawValue && exit.intradayBars == 1)
        // The touch was the second bar of session 3.
        let session3 = NYSESessionTimes.hours(withBars.panel.calendar.day(at: 3)).open
        #expect(exit.firstBar == session3 + 300 && exit.lastBar == exit.firstBar)
        #expect(a.result.ambiguousBars == 0 && a.metrics["ambiguous_bars"] == .integer(0))
        #expect(a.metrics["days_without_intraday"] == .integer(0))
        // Without the bars the same day is ambiguous, the pessimistic rule takes the stop, and the sessions that
        // fell back are counted.
        let b = try run(daily, execution: "{fill: {model: vwap}}", stops: stops)
        let fallback = b.result.trades.first { $0.quantity < 0 }!
        #expect(Tolerance.close(fallback.price, 95.95, rel: 1e-12) && b.result.ambiguousBars == 1)
        #expect(b.result.daysWithoutIntraday >= 2, "\(b.result.daysWithoutIntraday)")
        // The entry without bars filled at the daily open, the next_open rule.
        #expect(b.result.trades.first { $0.quantity > 0 }!.price == opens[2])
    }

    @Test func aLimitEntryFillsOnTheFirstIntradayBarThatReachesIt() throws {
        // A limit buy at 99 placed on session 1's close; session 2 dips to 98.5 in its third bar.
        let bars: [Bar] = [(100, 100.5, 99.5, 100, 500), (100, 100, 99.2, 99.4, 500), (99.4, 99.6, 98.5, 99, 500)]
        let i = try inputs(
            closes: [100, 101, 99.5, 100], opens: [100, 101, 100, 100], highs: [100.5, 101.5, 100.5, 100.5],
            lows: [99.5, 100.5, 98.5, 99.5], bars: [2: bars])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy:
                "{kind: signals, entry: \"close > 100.5\", exit: \"close < 0\", order: {type: limit, price: \"99\"}}",
            initialCash: 10_000, extra: ["execution: {fill: {model: vwap}}", "fractional_shares: true"])
        let o = try Kit.run(yaml, inputs: i).0
        let buy = o.result.trades.first { $0.quantity > 0 }
        #expect(buy?.price == 99 && buy?.intradayBars == 1 && Int(buy?.day ?? -1) == 2, "\(String(describing: buy))")
        #expect(
            buy.map { $0.firstBar == NYSESessionTimes.hours(TestMarket.firstDay.adding(days: 2)).open + 600 } == true)
    }
}
