import Backtest
import HindsightCore
import HindsightTestSupport
import Testing

/// Indicators warm up on the bars before `start`, and so does the crossover rule.
struct WarmUpTests {
    @Test func aCrossoverOnTheFirstSessionIsTakenWhenTheWarmUpHistorySaysItHappened() throws {
        // SMA(2) vs SMA(3): equal on bar 5 (2020-01-13), fast above on bar 6 (2020-01-14), the run's first session.
        let inputs = try TestMarket.inputs(closes: ["X": [10, 10, 10, 9, 9, 9, 12, 12, 12, 12]])
        let (o, _) = try Kit.run(
            """
            data: {db: unused.sqlite}
            calendar: data
            start: 2020-01-14
            end: 2020-01-17
            fractional_shares: true
            universe: {tickers: [X]}
            strategy: {kind: sma_crossover, params: {fast: 2, slow: 3}}
            execution: {fill: close}
            """, inputs: inputs)
        let fills = o.result.trades.filter { $0.quantity != 0 }
        #expect(fills.count == 1)
        #expect(fills.first.map { o.result.dates[Int($0.day) - o.result.firstSession].iso } == "2020-01-14")
        #expect(fills.first?.price == 12)
    }

    @Test func noCrossoverIsInventedWhenTheWarmUpSignAlreadyAgreed() throws {
        // Fast is already above slow on the bar before the first session: no entry until a real crossing.
        let inputs = try TestMarket.inputs(closes: ["X": [9, 9, 9, 12, 12, 12, 12, 12, 12, 12]])
        let (o, _) = try Kit.run(
            """
            data: {db: unused.sqlite}
            calendar: data
            start: 2020-01-10
            end: 2020-01-17
            fractional_shares: true
            universe: {tickers: [X]}
            strategy: {kind: sma_crossover, params: {fast: 2, slow: 3}}
            execution: {fill: close}
            """, inputs: inputs)
        #expect(o.result.trades.filter { $0.quantity != 0 }.isEmpty)
    }
}
