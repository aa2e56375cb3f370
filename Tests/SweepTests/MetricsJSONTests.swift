import Analytics
import HindsightCore
import Testing
@testable import Sweep

/// A point's metrics object is written once per point: the pre-sorted writer must equal the general one.
struct MetricsJSONTests {
    @Test func presortedMetricsObjectEqualsTheGeneralSortedObject() {
        var rng = Xoshiro256StarStar(seed: 5)
        let returns = (0..<600).map { _ in 0.01 * rng.studentT(dof: 4) }
        let summary = Metrics.summary(returns)
        let numbers = MetricsJSON.numbers(summary, observations: returns.count, finalEquity: 12_345.678, initialCash: 10_000)
        let extraSets: [[(String, String)]] = [
            [],
            [("trades", "17"), ("gaps", "0"), ("engine", JSONText.quote("sma-kernel"))],
            [("zeta", "1"), ("aardvark", "[1,2]"), ("attribution", "{\"pnl_by_sector\":{}}"), ("n_obsx", "null")],
        ]
        for extras in extraSets {
            var pairs = zip(MetricsJSON.numberKeys, numbers).map { ($0, JSONText.number($1)) }
            pairs += extras
            #expect(MetricsJSON.render(numbers: numbers, extras: extras) == JSONText.object(pairs))
        }
        // Non-finite values are written as null, as everywhere else.
        var bad = numbers
        bad[0] = .infinity
        #expect(MetricsJSON.render(numbers: bad, extras: []).contains("\"total_return\":null"))
    }
}
