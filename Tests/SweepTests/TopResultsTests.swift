import Backtest
import Engine
import HindsightTestSupport
import Storage
import Testing

@testable import Sweep

/// The best points' results kept while a sweep runs: the same points `rankedTop` picks, within a memory budget.
struct TopResultsTests {
    func result() throws -> BacktestResult {
        let inputs = try TestMarket.inputs(closes: ["A": (0..<60).map { 100 + Double($0 % 7) }])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: sma_crossover, params: {fast: 2, slow: 5}}")
        return try BacktestRunner(store: try HindsightDatabase()).run(try TestConfig.parse(yaml), inputs: inputs).result
    }

    @Test func theBestPointsAreKeptByRankThenPlanOrderAndNaNNever() throws {
        let r = try result()
        let top = TopResults(capacity: 3)
        for (i, v) in [0.5, 2.0, .nan, 1.0, 2.0, 0.7, 1.0].enumerated() { top.offer(index: i, rank: v, r) }
        // Best first: 2.0 (points 1, 4), then 1.0 (point 3 before point 6).
        #expect((0..<7).filter { top.result(index: $0) != nil } == [1, 3, 4])
    }

    @Test func aResultLargerThanItsShareOfTheBudgetIsNotKept() throws {
        let r = try result()
        let bytes = TopResults.approximateBytes(r)
        #expect(bytes >= r.dates.count * 8 * 12)
        let small = TopResults(capacity: 2, byteBudget: 2 * bytes - 2)
        small.offer(index: 0, rank: 1, r)
        #expect(small.result(index: 0) == nil)
        let enough = TopResults(capacity: 2, byteBudget: 2 * bytes)
        enough.offer(index: 0, rank: 1, r)
        #expect(enough.result(index: 0) != nil)
    }
}
