import Foundation
import HindsightCore
import Testing

@testable import Analytics

/// Block bootstraps: Politis–White block lengths against `arch`, the stationary bootstrap's block lengths, and the
/// coverage of the intervals (fixed seeds: statistical checks, not timings).
@Suite struct BootstrapTests {
    static func fixture(_ name: String) throws -> [[String]] {
        let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: "csv")!
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map {
            $0.split(separator: ",").map(String.init)
        }
    }

    @Test func politisWhiteBlockLengthsEqualArch() throws {
        var inputs: [String: [Double]] = [:]
        for row in try Self.fixture("arch-block-inputs") { inputs[row[0], default: []].append(Double(row[1])!) }
        let expected = try Self.fixture("arch-optimal-block")
        #expect(expected.count == 4)
        for row in expected {
            let x = try #require(inputs[row[0]])
            #expect(x.count == Int(row[1])!)
            let b = Metrics.optimalBlockLength(x)
            #expect(
                abs(b.stationary - Double(row[2])!) <= 1e-9 * Double(row[2])!, "\(row[0]) stationary \(b.stationary)")
            #expect(abs(b.circular - Double(row[3])!) <= 1e-9 * Double(row[3])!, "\(row[0]) circular \(b.circular)")
        }
    }

    @Test func theStationaryBootstrapsMeanBlockLengthIsItsParameter() {
        var rng = Xoshiro256StarStar(seed: 94)
        for block in [2.0, 10, 40] {
            let idx = BlockBootstrap(kind: .stationary, block: block).indices(count: 200_000, rng: &rng)
            var blocks = 1
            for t in 1..<idx.count where idx[t] != (idx[t - 1] + 1) % idx.count { blocks += 1 }
            let mean = Double(idx.count) / Double(blocks)
            #expect(abs(mean / block - 1) < 0.03, "block \(block): mean \(mean)")
        }
    }

    @Test func circularBlocksAreConsecutiveAndWrap() {
        var rng = Xoshiro256StarStar(seed: 1)
        let idx = BlockBootstrap(kind: .circular, block: 7).indices(count: 50, rng: &rng)
        #expect(idx.count == 50 && idx.allSatisfy { (0..<50).contains($0) })
        for start in stride(from: 0, to: 49, by: 7) {
            for t in start..<min(start + 6, 49) { #expect(idx[t + 1] == (idx[t] + 1) % 50) }
        }
        // Same seed, same path.
        var again = Xoshiro256StarStar(seed: 1)
        #expect(BlockBootstrap(kind: .circular, block: 7).indices(count: 50, rng: &again) == idx)
    }

    @Test func sharpeIntervalsCoverTheTrueSharpeNinetyFivePercentOfTheTime() {
        var rng = Xoshiro256StarStar(seed: 1987)
        let mu = 0.0006, sigma = 0.01, n = 400
        let truth = mu / sigma * 252.0.squareRoot()
        var coveredBCa = 0, coveredPercentile = 0
        let series = 1000
        for s in 0..<series {
            let r = (0..<n).map { _ in mu + sigma * rng.normal() }
            let ci = BootstrapIntervals(
                r, statistics: [BootstrapIntervals.sharpe],
                bootstrap: .automatic(.stationary, for: r), paths: 400, seed: UInt64(s))
            let i = ci.intervals[0]
            if i.bca.lo <= truth && truth <= i.bca.hi { coveredBCa += 1 }
            if i.percentile.lo <= truth && truth <= i.percentile.hi { coveredPercentile += 1 }
        }
        let bca = Double(coveredBCa) / Double(series), pct = Double(coveredPercentile) / Double(series)
        #expect(bca >= 0.93 && bca <= 0.97, "BCa coverage \(bca)")
        #expect(pct >= 0.93 && pct <= 0.97, "percentile coverage \(pct)")
    }

    @Test func intervalsAreReproducibleAndContainTheEstimate() {
        var rng = Xoshiro256StarStar(seed: 3)
        let r = (0..<500).map { _ in 0.0005 + 0.012 * rng.normal() }
        let a = BootstrapIntervals(r, bootstrap: .automatic(.stationary, for: r), paths: 300, seed: 9)
        let b = BootstrapIntervals(r, bootstrap: .automatic(.stationary, for: r), paths: 300, seed: 9)
        #expect(a.intervals == b.intervals && a.intervals.count == BootstrapIntervals.headline.count)
        for i in a.intervals where i.name != "max_drawdown" {
            #expect(i.percentile.lo < i.estimate && i.estimate < i.percentile.hi, "\(i.name)")
            #expect(i.bca.lo < i.bca.hi && i.standardError > 0, "\(i.name)")
        }
    }
}
