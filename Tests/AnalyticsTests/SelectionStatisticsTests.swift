import Foundation
import HindsightCore
import Testing

@testable import Analytics

/// The statistics that choose among points: the Pareto front, plateau scores, and Sharpe-ratio inference checked
/// by Monte Carlo.
@Suite struct SelectionStatisticsTests {
    @Test func theParetoFrontIsExactlyTheNonDominatedSet() {
        var rng = Xoshiro256StarStar(seed: 11)
        for trial in 0..<40 {
            let n = 5 + rng.int(below: 60), k = 2 + trial % 3
            // Coarse values so ties and exact duplicates occur; a few NaNs that can never be on the front.
            var scores = (0..<n).map { _ in (0..<k).map { _ in Double(rng.int(below: 6)) } }
            scores[rng.int(below: n)][0] = .nan
            let front = Set(Metrics.paretoFront(scores))
            for i in 0..<n {
                let finite = scores[i].allSatisfy(\.isFinite)
                let dominated = (0..<n).contains { j in
                    j != i && scores[j].allSatisfy(\.isFinite) && zip(scores[j], scores[i]).allSatisfy { $0 >= $1 }
                        && zip(scores[j], scores[i]).contains { $0 > $1 }
                }
                #expect(front.contains(i) == (finite && !dominated), "trial \(trial) row \(i): \(scores[i])")
            }
        }
    }

    @Test func theParetoFrontIsOrderedByTheFirstObjective() {
        let front = Metrics.paretoFront([[1, 5], [3, 1], [2, 2], [0, 0], [2, 2]])
        #expect(front == [1, 2, 4, 0])
    }

    @Test func aPlateauScoreIsTheMedianOverTheOneStepBox() {
        // A 3 × 3 grid with value 3i + j, and a second group (another categorical value) with a spike.
        var values: [Double] = [], coords: [[Int]] = [], group: [Int] = []
        for g in 0..<2 {
            for i in 0..<3 {
                for j in 0..<3 {
                    values.append(g == 0 ? Double(3 * i + j) : (i == 1 && j == 1 ? 100 : 0))
                    coords.append([i, j])
                    group.append(g)
                }
            }
        }
        let s = Metrics.plateauScores(values: values, coordinates: coords, group: group)
        #expect(s[4] == 4)  // centre: the median of 0...8
        #expect(s[0] == 2)  // corner: median of {0, 1, 3, 4}
        #expect(s[2] == 3)  // corner (0, 2): median of {1, 2, 4, 5}
        #expect(s[1] == 2.5)  // edge (0, 1): median of {0, 1, 2, 3, 4, 5}
        // The spike stands alone: its neighbourhood is zeros (the other group is not a neighbour).
        #expect(s[9 + 4] == 0)
    }

    @Test func aNonFiniteValueIsLeftOutOfItsNeighboursMedians() {
        let s = Metrics.plateauScores(values: [1, .nan, 3], coordinates: [[0], [1], [2]], group: [0, 0, 0])
        #expect(s[0] == 1 && s[1] == 2 && s[2] == 3)
    }

    @Test func plateauScoresEqualABruteForceNeighbourMedianOnDenseAndSparseGrids() {
        var rng = Xoshiro256StarStar(seed: 11)
        for spread in [6, 40_000_000] {
            // Three coordinates (a far one makes the cell count too large for a dense table), two groups, repeats.
            var values: [Double] = [], coords: [[Int]] = [], group: [Int] = []
            for _ in 0..<300 {
                let far = rng.int(below: 4) == 0 ? spread : 0
                coords.append([rng.int(below: 6), rng.int(below: 5) + far, rng.int(below: 3)])
                group.append(rng.int(below: 2))
                values.append(rng.int(below: 10) == 0 ? .nan : rng.normal())
            }
            let s = Metrics.plateauScores(values: values, coordinates: coords, group: group)
            for i in values.indices {
                let near = values.indices.filter { j in
                    group[j] == group[i] && zip(coords[i], coords[j]).allSatisfy { abs($0 - $1) <= 1 }
                        && values[j].isFinite
                }.map { values[$0] }.sorted()
                let c = near.count
                let want = c == 0 ? Double.nan : c % 2 == 1 ? near[c / 2] : (near[c / 2 - 1] + near[c / 2]) / 2
                #expect(s[i] == want || (s[i].isNaN && want.isNaN), "point \(i), spread \(spread)")
            }
        }
    }

    /// AR(1) returns with Sharpe ratio `sr` per period: the non-iid case the standard error must handle.
    static func ar1(_ n: Int, phi: Double, sr: Double, rng: inout Xoshiro256StarStar) -> [Double] {
        var x = 0.0
        let sd = 0.01, innovation = sd * (1 - phi * phi).squareRoot()
        return (0..<n).map { _ in
            x = phi * x + innovation * rng.normal()
            return sr * sd + x
        }
    }

    @Test func theSharpeStandardErrorMatchesTheSpreadOfEstimatesUnderAutocorrelation() {
        var rng = Xoshiro256StarStar(seed: 2002)
        let n = 1000, trials = 2000
        var estimates: [Double] = [], errors: [Double] = []
        for _ in 0..<trials {
            let r = Self.ar1(n, phi: 0.1, sr: 0.05, rng: &rng)
            let m = r.reduce(0, +) / Double(n)
            let sd = (r.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n)).squareRoot()
            estimates.append(m / sd)
            errors.append(Metrics.sharpeStandardError(r))
        }
        let mean = estimates.reduce(0, +) / Double(trials)
        let spread = (estimates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(trials - 1)).squareRoot()
        let se = errors.reduce(0, +) / Double(trials)
        #expect(abs(se / spread - 1) < 0.05, "mean SE \(se) vs spread \(spread)")
        // The iid formula misses the autocorrelation by about √((1 + φ)/(1 − φ)) − 1 ≈ 10%.
        let iid = ((1 + 0.05 * 0.05 / 2) / Double(n)).squareRoot()
        #expect(abs(iid / spread - 1) > 0.05, "iid SE \(iid) vs spread \(spread)")
    }

    @Test func theSharpeDifferenceTestHasItsNominalSizeOnEqualSharpeRatios() {
        var rng = Xoshiro256StarStar(seed: 2008)
        let n = 1000, pairs = 2000
        var rejected = 0
        for _ in 0..<pairs {
            // Equal true Sharpe ratios (0.05 per period), different volatilities, correlation 0.6.
            var a: [Double] = [], b: [Double] = []
            for _ in 0..<n {
                let e1 = rng.normal(), e2 = rng.normal()
                a.append(0.0005 + 0.01 * e1)
                b.append(0.001 + 0.02 * (0.6 * e1 + 0.8 * e2))
            }
            if Metrics.sharpeDifferenceTest(a, b).pValue < 0.05 { rejected += 1 }
        }
        let rate = Double(rejected) / Double(pairs)
        #expect(rate >= 0.04 && rate <= 0.06, "rejection rate \(rate)")
    }

    @Test func theSharpeDifferenceTestFindsARealDifference() {
        var rng = Xoshiro256StarStar(seed: 7)
        let a = (0..<2500).map { _ in 0.001 + 0.01 * rng.normal() }
        let b = (0..<2500).map { _ in 0.0 + 0.01 * rng.normal() }
        let t = Metrics.sharpeDifferenceTest(a, b)
        #expect(t.difference > 0.05 && t.pValue < 0.01)
        // iid, uncorrelated, equal volatility: SE ≈ √((2 + SRa²/2 + SRb²/2)/n) (Jobson–Korkie with ρ = 0).
        let jk = ((2 + 0.01 / 2) / 2500).squareRoot()
        #expect(abs(t.standardError / jk - 1) < 0.1, "SE \(t.standardError) vs \(jk)")
    }
}

extension SelectionStatisticsTests {
    @Test func cpcvSplitsCoverEveryPairOfGroupsWithTheEmbargoHeldOut() {
        let cv = CombinatorialPurgedCV(sessions: 12, groups: 6, testGroups: 2, embargo: 1)
        #expect(cv.splits.count == 15 && CombinatorialPurgedCV.splitCount(groups: 6, testGroups: 2) == 15)
        #expect(Set(cv.splits.map(\.testGroups)).count == 15)
        for s in cv.splits {
            // Group g is sessions 2g, 2g + 1; the session after each test group is embargoed (none after the end).
            let test = s.testGroups.flatMap { [2 * $0, 2 * $0 + 1] }
            #expect(s.test == test)
            let embargoed = s.testGroups.map { 2 * $0 + 2 }.filter { $0 < 12 && !test.contains($0) }
            #expect(s.train == (0..<12).filter { !test.contains($0) && !embargoed.contains($0) }, "\(s.testGroups)")
        }
        // Each group is tested in C(5, 1) = 5 splits.
        for g in 0..<6 { #expect(cv.splits.filter { $0.testGroups.contains(g) }.count == 5) }
        #expect(CombinatorialPurgedCV.splitCount(groups: 10, testGroups: 3) == 120)
    }

    @Test func cpcvValuesAreTheMetricOnTrainAndTheSharpeOnTest() {
        var rng = Xoshiro256StarStar(seed: 5)
        let r = (0..<300).map { _ in 0.0004 + 0.01 * rng.normal() }
        let cv = CombinatorialPurgedCV(sessions: 300, groups: 5, testGroups: 2, embargo: 3)
        let (isv, oos) = cv.values(r, metric: .sortinoRatio)
        for (k, s) in cv.splits.enumerated() {
            #expect(isv[k] == Metrics.sortinoRatio(s.train.map { r[$0] }))
            #expect(oos[k] == Metrics.sharpeRatio(s.test.map { r[$0] }))
        }
    }
}
