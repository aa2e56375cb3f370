import HindsightCore
import Testing

@testable import Analytics

/// The fused return fold stands in for the metric functions in the bootstrap, so it must equal them bit for bit.
@Suite struct ReturnFoldTests {
    static func series(_ n: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        // Flat days, new peaks and drawdowns all occur.
        return (0..<n).map { _ in rng.uniform() < 0.1 ? 0 : (rng.uniform() - 0.48) * 0.04 }
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    @Test func foldStatisticsEqualTheMetricFunctionsBitForBit() {
        for (k, n) in [1, 2, 3, 5, 64, 2148].enumerated() {
            let r = Self.series(n, seed: UInt64(k + 1))
            let f = ReturnFold(r)
            #expect(Self.same(f.totalReturn, Metrics.totalReturn(r)), "n \(n)")
            #expect(Self.same(f.cagr(), Metrics.cagr(r)), "n \(n)")
            #expect(Self.same(f.maxDrawdown, Metrics.maxDrawdown(r)), "n \(n)")
            #expect(Self.same(f.downsideRisk(), Metrics.downsideRisk(r)), "n \(n)")
            #expect(Self.same(f.sortinoRatio(), Metrics.sortinoRatio(r)), "n \(n)")
        }
        let empty = ReturnFold([])
        #expect(empty.totalReturn.isNaN && empty.maxDrawdown.isNaN && empty.sortinoRatio().isNaN)
        // Without a down day there is no downside risk, so no Sortino ratio.
        #expect(ReturnFold([0.01, 0.02, 0]).sortinoRatio().isNaN)
    }

    @Test func leaveOneOutEqualsFoldingTheSeriesWithoutEachPoint() {
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 11, 130] {
            let r = Self.series(n, seed: UInt64(100 + n))
            let loo = ReturnFold.leaveOneOut(r)
            #expect(loo.count == n)
            for i in 0..<n {
                var rest = r
                rest.remove(at: i)
                #expect(loo[i] == ReturnFold(rest), "n \(n), left out \(i)")
            }
        }
    }

    @Test func foldedBootstrapIntervalsEqualTheSeriesPathBitForBit() {
        let r = Self.series(300, seed: 9)
        let unfolded = BootstrapIntervals.headline.map {
            BootstrapIntervals.Statistic($0.name, $0.compute, moments: $0.moments)
        }
        let bootstrap = BlockBootstrap.automatic(.stationary, for: r)
        let a = BootstrapIntervals(r, bootstrap: bootstrap, paths: 200, seed: 3)
        let b = BootstrapIntervals(r, statistics: unfolded, bootstrap: bootstrap, paths: 200, seed: 3)
        #expect(a.intervals.count == 6)
        Self.expectSame(a, b)
        // A NaN in the series takes the series path (a fold cannot see it), with the same result as before.
        var gap = r
        gap[17] = .nan
        let c = BootstrapIntervals(gap, bootstrap: bootstrap, paths: 50, seed: 3)
        let d = BootstrapIntervals(gap, statistics: unfolded, bootstrap: bootstrap, paths: 50, seed: 3)
        #expect(c.intervals[0].estimate.isNaN)
        Self.expectSame(c, d)
    }

    static func expectSame(_ a: BootstrapIntervals, _ b: BootstrapIntervals) {
        #expect(a.intervals.count == b.intervals.count)
        for (x, y) in zip(a.intervals, b.intervals) {
            #expect(x.name == y.name)
            for (u, v) in [
                (x.estimate, y.estimate), (x.standardError, y.standardError), (x.percentile.lo, y.percentile.lo),
                (x.percentile.hi, y.percentile.hi), (x.bca.lo, y.bca.lo), (x.bca.hi, y.bca.hi),
            ] {
                #expect(same(u, v), "\(x.name): \(u) against \(v)")
            }
        }
    }
}
