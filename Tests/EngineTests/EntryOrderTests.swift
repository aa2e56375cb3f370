import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Testing

/// Limit, stop and stop-limit entries (`strategy.order`), worked by hand on made-up bars.
@Suite struct EntryOrderTests {
    /// One ticker whose entry is true on bar 1 only; the order is priced at that close.
    func run(
        _ order: String, opens: [Double], highs: [Double], lows: [Double], closes: [Double],
        stops: String? = nil
    ) throws -> BacktestRunner.Outcome {
        let inputs = try TestMarket.inputs(
            closes: ["A": closes], opens: ["A": opens], highs: ["A": highs], lows: ["A": lows])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: """
                {kind: signals, entry: "close == 100 and shift(close, 1) == 100", exit: "close < 0", order: \(order)}
                """,
            initialCash: 10_000, extra: ["fractional_shares: true"] + (stops.map { ["stops: \($0)"] } ?? []))
        return try Kit.run(yaml, inputs: inputs).0
    }

    /// (session index, price) of each buy.
    func buys(_ o: BacktestRunner.Outcome) -> [(Int, Double)] {
        o.result.trades.filter { $0.quantity > 0 }.map { (Int($0.day) - o.result.firstSession, $0.price) }
    }

    @Test func aLimitBuyFillsAtTheOpenBelowItOrAtTheLimitWhenTheLowReachesIt() throws {
        // Signal at bar 1's close 100: limit 98.
        let closes = [100.0, 100, 99, 99, 99]
        let highs = [101.0, 101, 100, 100, 100]
        // Bar 2 opens at 99.5 and trades down to 97.5: fills at the limit 98.
        let atLimit = try run(
            "{type: limit, price: \"close * 0.98\", valid_for: 2}", opens: [100, 100, 99.5, 99, 99], highs: highs,
            lows: [99, 99, 97.5, 98.5, 98.5], closes: closes)
        #expect(buys(atLimit).count == 1 && buys(atLimit)[0].0 == 2 && buys(atLimit)[0].1 == 98)
        // Bar 2 opens at 97, below the limit: fills at that open.
        let atOpen = try run(
            "{type: limit, price: \"close * 0.98\", valid_for: 2}", opens: [100, 100, 97, 99, 99], highs: highs,
            lows: [99, 99, 96.5, 98.5, 98.5], closes: closes)
        #expect(buys(atOpen).map(\.0) == [2] && buys(atOpen).first?.1 == 97)
        // The low reaches the limit only on bar 4; valid_for 2 means bars 2 and 3, so nothing fills.
        let expired = try run(
            "{type: limit, price: \"close * 0.98\", valid_for: 2}", opens: [100, 100, 99.5, 99, 99], highs: highs,
            lows: [99, 99, 98.5, 98.5, 97], closes: closes)
        #expect(buys(expired).isEmpty)
        let later = try run(
            "{type: limit, price: \"close * 0.98\", valid_for: 3}", opens: [100, 100, 99.5, 99, 99], highs: highs,
            lows: [99, 99, 98.5, 98.5, 97], closes: closes)
        #expect(buys(later).map(\.0) == [4] && buys(later).first?.1 == 98)
    }

    @Test func aStopBuyFillsWhenTheHighReachesItOrAtAHigherOpen() throws {
        let closes = [100.0, 100, 101, 103, 103]
        let lows = [99.0, 99, 99.5, 101, 102]
        let inside = try run(
            "{type: stop, price: \"close * 1.02\", valid_for: 3}", opens: [100, 100, 100.5, 101, 103],
            highs: [101, 101, 101.5, 103.5, 104], lows: lows, closes: closes)
        #expect(buys(inside).map(\.0) == [3] && buys(inside).first?.1 == 102)
        let gap = try run(
            "{type: stop, price: \"close * 1.02\", valid_for: 3}", opens: [100, 100, 104, 103, 103],
            highs: [101, 101, 105, 103.5, 104], lows: [99, 99, 103, 101, 102], closes: closes)
        #expect(buys(gap).map(\.0) == [2] && buys(gap).first?.1 == 104)
    }

    @Test func aStopLimitBuyFillsOnlyAtOrBelowItsLimit() throws {
        // Stop 102, limit 103. Bar 2 gaps to 105 (beyond the limit) and its low 102.5 returns to the limit: 103.
        let o = try run(
            "{type: stop_limit, price: \"close * 1.02\", limit: \"close * 1.03\", valid_for: 1}",
            opens: [100, 100, 105, 103], highs: [101, 101, 106, 104], lows: [99, 99, 102.5, 102],
            closes: [100, 100, 104, 103])
        #expect(buys(o).map(\.0) == [2] && buys(o).first?.1 == 103)
        // Gapping to 105 and staying above 103: no fill.
        let none = try run(
            "{type: stop_limit, price: \"close * 1.02\", limit: \"close * 1.03\", valid_for: 1}",
            opens: [100, 100, 105, 103], highs: [101, 101, 106, 104], lows: [99, 99, 104, 102],
            closes: [100, 100, 105, 103])
        #expect(buys(none).isEmpty)
    }

    @Test func stopsOnALimitEntryStartFromTheLimitPriceOnTheNextBar() throws {
        // Fill at 98 on bar 2 (its low 97.5 is below 98 × 0.99 but the fill bar is not checked); bar 3's low 96
        // reaches the stop 98 × 0.99 = 97.02.
        let o = try run(
            "{type: limit, price: \"close * 0.98\"}", opens: [100, 100, 99.5, 98], highs: [101, 101, 100, 98.5],
            lows: [99, 99, 97, 96], closes: [100, 100, 98, 97], stops: "{stop_loss: 0.01}")
        let sells = o.result.trades.filter { $0.quantity < 0 }
        #expect(buys(o).first?.1 == 98)
        #expect(sells.count == 1 && Int(sells[0].day) - o.result.firstSession == 3)
        #expect(sells.first.map { Tolerance.close($0.price, 98 * 0.99, rel: 1e-12) } == true)
    }

    @Test func aShortLimitEntryMirrorsOnTheHigh() throws {
        let inputs = try TestMarket.inputs(
            closes: ["A": [100, 100, 101, 101]], opens: ["A": [100, 100, 100.5, 101]],
            highs: ["A": [101, 101, 102.5, 101.5]], lows: ["A": [99, 99, 100, 100.5]])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: """
                {kind: signals, entry: "close < 0", exit: "close < 0", \
                short_entry: "close == 100 and shift(close, 1) == 100", short_exit: "close < 0", \
                order: {type: limit, price: "close * 1.02"}}
                """, extra: ["fractional_shares: true"])
        let o = try Kit.run(yaml, inputs: inputs).0
        let sells = o.result.trades.filter { $0.quantity < 0 }
        #expect(sells.count == 1 && Int(sells[0].day) - o.result.firstSession == 2 && sells[0].price == 102)
    }

    @Test func badEntryOrdersAreRefusedWithTheirLocation() throws {
        for (order, message) in [
            ("{type: limit, price: \"close > 1\"}", "`order.price` must be a price (a number), not a condition"),
            ("{type: limit, price: \"close * 0.98\", valid_for: 0}", "`order.valid_for` must be ≥ 1 session"),
            ("{type: limit}", "missing key `price`"),
            ("{type: stop, price: \"high\", limit: \"high\"}", "a stop order takes no `limit`"),
            ("{type: market, price: \"close\"}", "a market entry takes no `price`"),
            ("{type: limt, price: \"close\"}", "did you mean `limit`"),
            ("{type: limit, price: \"clse * 0.98\"}", "unknown name `clse`"),
        ] {
            let yaml = TestConfig.yaml(
                db: "x.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
                strategy: "{kind: signals, entry: \"close > 1\", exit: \"close < 1\", order: \(order)}")
            do {
                _ = try TestConfig.parse(yaml, file: "cfg.yaml")
                Issue.record("expected an error for \(order)")
            } catch let e as HindsightError {
                #expect(e.description.contains(message), "\(order): \(e.description)")
                #expect(e.description.contains("cfg.yaml:7:"), "\(e.description)")
            }
        }
    }
}
