import Foundation
import HindsightCore
import Testing

@testable import Analytics

private func normals(_ n: Int, seed: UInt64, mean: Double = 0, sd: Double = 1) -> [Double] {
    var rng = Xoshiro256StarStar(seed: seed)
    return (0..<n).map { _ in mean + sd * rng.normal() }
}

@Suite struct ClosedFormTests {
    @Test func hillRecoversTheParetoExponent() {
        var rng = Xoshiro256StarStar(seed: 1)
        for alpha in [2.0, 3.0, 4.5] {
            // Pareto(α) losses by inversion: x = u^(−1/α).
            let losses = (0..<100_000).map { _ in -Foundation.pow(1 - rng.uniform(), -1 / alpha) }
            let h = Metrics.hillTailIndex(losses, tail: .left, k: 2_000)
            #expect(abs(h.alpha - alpha) < 3 * h.standardError, "α \(alpha): \(h.alpha) ± \(h.standardError)")
            #expect(abs(h.standardError - h.alpha / Foundation.sqrt(2_000)) < 1e-12)
            #expect(Metrics.hillTailIndex(losses, tail: .right).alpha.isNaN)  // no gains at all
        }
        #expect(Metrics.hillTailIndex([], tail: .left).alpha.isNaN)
        #expect(Metrics.hillTailIndex([0.01, .nan], tail: .left).alpha.isNaN)
    }

    @Test func hillDefaultKIsFloorSqrtN() {
        let r = normals(1_000, seed: 2, sd: 0.01)
        #expect(Metrics.hillTailIndex(r, tail: .left).k == 31)
    }

    @Test func cramerRateOfATwoPointDistributionIsTheBernoulliDivergence() {
        // r ∈ {a, b} equally likely: I(x) = p ln 2p + (1−p) ln 2(1−p), p = (x − a)/(b − a).
        let a = -0.03, b = 0.02
        let r = (0..<1000).map { $0 % 2 == 0 ? a : b }
        for x in [-0.01, -0.02, 0.0, 0.015] {
            let p = (x - a) / (b - a)
            let expected = p * Foundation.log(2 * p) + (1 - p) * Foundation.log(2 * (1 - p))
            let c = Metrics.cramerRate(r, at: x, horizons: [21])
            #expect(abs(c.rate - expected) < 1e-10, "x \(x): \(c.rate) vs \(expected)")
            #expect(abs(c.probabilities[21]! - Foundation.exp(-21 * expected)) < 1e-9)
        }
        #expect(Metrics.cramerRate(r, at: -0.05).rate == .infinity)
        #expect(Metrics.cramerRate(r, at: -0.005).rate >= 0)
    }

    @Test func cramerRateOfGaussianReturnsIsQuadratic() {
        let sd = 0.01, mu = 0.0005
        let r = normals(400_000, seed: 3, mean: mu, sd: sd)
        for x in [-0.01, -0.02] {
            let expected = (x - mu) * (x - mu) / (2 * sd * sd)
            let c = Metrics.cramerRate(r, at: x)
            #expect(abs(c.rate / expected - 1) < 0.05, "x \(x): \(c.rate) vs \(expected)")
        }
    }

    @Test func psrDsrAndMinTRLMatchHandComputedFormulas() {
        let r = normals(1_000, seed: 4, mean: 0.0008, sd: 0.01)
        let n = Double(r.count)
        let m = r.reduce(0, +) / n
        let sd = Foundation.sqrt(r.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1))
        let m2 = r.map { Foundation.pow($0 - m, 2) }.reduce(0, +) / n
        let g3 = r.map { Foundation.pow($0 - m, 3) }.reduce(0, +) / n / Foundation.pow(m2, 1.5)
        let g4 = r.map { Foundation.pow($0 - m, 4) }.reduce(0, +) / n / (m2 * m2)
        let sr = m / sd
        let denom = Foundation.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr * sr)
        let psr = 0.5 * Foundation.erfc(-((sr - 0) * Foundation.sqrt(n - 1) / denom) / Foundation.sqrt(2))
        #expect(abs(Metrics.probabilisticSharpeRatio(r) - psr) < 1e-12)
        // With one trial the deflated Sharpe is the PSR against zero.
        #expect(
            Metrics.deflatedSharpeRatio(r, trials: 1, trialSharpeVariance: 0.5) == Metrics.probabilisticSharpeRatio(r))
        // Expected max of N trials grows with N and with the trial variance.
        let e100 = Metrics.expectedMaxSharpe(trials: 100, variance: 0.01),
            e1000 = Metrics.expectedMaxSharpe(trials: 1000, variance: 0.01)
        #expect(e100 > 0 && e1000 > e100)
        // Bailey & López de Prado's example figures: N = 100, V = 1 gives ≈ 2.5306.
        #expect(abs(Metrics.expectedMaxSharpe(trials: 100, variance: 1) - 2.5306) < 1e-3)
        let z = 1.6448536269514722
        let mintrl = 1 + (1 - g3 * sr + (g4 - 1) / 4 * sr * sr) * Foundation.pow(z / sr, 2)
        #expect(abs(Metrics.minimumTrackRecordLength(r) / mintrl - 1) < 1e-12)
        #expect(Metrics.minimumTrackRecordLength(r.map { -$0 }).isNaN)
    }

    @Test func normalQuantileInvertsTheCDF() {
        for p in [1e-10, 1e-4, 0.01, 0.05, 0.3, 0.5, 0.9, 0.99, 1 - 1e-9] {
            let z = Stat.normalQuantile(p)
            #expect(abs(Stat.normalCDF(z) - p) < 1e-14 * max(1, p / (1 - p)), "p \(p)")
        }
        #expect(abs(Stat.normalQuantile(0.975) - 1.959963984540054) < 1e-14)
    }

    @Test func cornishFisherReducesToGaussianWithoutSkewOrKurtosis() {
        #expect(Metrics.cornishFisherZ(-1.6448536269514722, skew: 0, excessKurtosis: 0) == -1.6448536269514722)
        // Negative skew pushes the quantile further into the loss tail.
        #expect(Metrics.cornishFisherZ(-1.64, skew: -1, excessKurtosis: 0) < -1.64)
        let r = normals(200_000, seed: 5, sd: 0.01)
        let cf = Metrics.conditionalValueAtRisk(r, confidence: 0.95, method: .cornishFisher)
        let gauss = Metrics.conditionalValueAtRisk(r, confidence: 0.95, method: .parametric)
        #expect(abs(cf / gauss - 1) < 0.01)
    }

    @Test func pureNoiseStrategiesGivePBONearOneHalf() throws {
        let series = (0..<100).map { normals(1_000, seed: UInt64(100 + $0), sd: 0.01) }
        let report = try Metrics.backtestOverfitting(ReturnsMatrix(series: series), blocks: 10)
        #expect(report.splits == 252)  // C(10, 5)
        #expect(abs(report.pbo - 0.5) < 0.15, "PBO \(report.pbo)")
        #expect(report.degradationSlope < 0.5)
    }

    @Test func oneStrongStrategyGivesPBONearZero() throws {
        var series = (0..<50).map { normals(1_000, seed: UInt64(300 + $0), sd: 0.01) }
        series[17] = normals(1_000, seed: 999, mean: 0.004, sd: 0.01)
        let report = try Metrics.backtestOverfitting(ReturnsMatrix(series: series))
        #expect(report.splits == 12_870)  // C(16, 8)
        #expect(report.pbo < 0.01)
        #expect(report.probabilityOfLoss == 0)
    }

    @Test func cscvEqualsAStraightforwardRecomputationOfEverySplit() throws {
        // 7 series (not a multiple of the 4 SIMD lanes), one flat at zero and one constant (zero variance).
        var series = (0..<5).map { normals(120, seed: UInt64(700 + $0), mean: 0.0005 * Double($0), sd: 0.01) }
        series.append([Double](repeating: 0, count: 120))
        series.append([Double](repeating: 0.001, count: 120))
        let blocks = 6
        let report = try Metrics.backtestOverfitting(ReturnsMatrix(series: series), blocks: blocks)
        func sharpe(_ v: [Double]) -> Double {
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)
            return variance > 1e-24 ? mean / variance.squareRoot() : (mean > 0 ? .infinity : mean < 0 ? -.infinity : 0)
        }
        var splits: [(key: Double, logit: Double)] = []
        for mask in 0..<(1 << blocks) where mask.nonzeroBitCount == blocks / 2 {
            let inSample = { (i: Int) in mask & (1 << (i * blocks / 120)) != 0 }
            let isSR = series.map { s in sharpe(s.indices.filter(inSample).map { s[$0] }) }
            let oosSR = series.map { s in sharpe(s.indices.filter { !inSample($0) }.map { s[$0] }) }
            let best = isSR.indices.max { isSR[$0] < isSR[$1] || (isSR[$0] == isSR[$1] && $0 > $1) }!
            let below = oosSR.filter { $0 < oosSR[best] }.count, equal = oosSR.filter { $0 == oosSR[best] }.count
            let omega = (Double(below) + Double(equal + 1) / 2) / Double(series.count + 1)
            let chosen = (0..<blocks).filter { mask & (1 << $0) != 0 }
            splits.append((Double(chosen.reduce(0) { $0 * blocks + $1 }), Foundation.log(omega / (1 - omega))))
        }
        let want = splits.sorted { $0.key < $1.key }.map(\.logit)
        #expect(report.splits == 20)  // C(6, 3)
        #expect(want.count == report.logits.count)
        for (a, b) in zip(report.logits, want) { #expect(abs(a - b) < 1e-12, "\(a) vs \(b)") }
        #expect(report.pbo == Double(want.filter { $0 <= 0 }.count) / Double(want.count))
    }

    @Test func cscvRefusesBadShapes() throws {
        let m = try ReturnsMatrix(series: [normals(20, seed: 1), normals(20, seed: 2)])
        #expect(throws: HindsightError.self) { try Metrics.backtestOverfitting(m, blocks: 16) }
        #expect(throws: HindsightError.self) { try Metrics.backtestOverfitting(m, blocks: 3) }
    }

    @Test func returnsMatrixBLASAgreesWithDirectSums() throws {
        let series = (0..<7).map { normals(300, seed: UInt64(50 + $0), mean: 0.001 * Double($0), sd: 0.01) }
        let m = try ReturnsMatrix(series: series)
        let cov = m.covariance(), corr = m.correlation(), means = m.means()
        for i in 0..<7 {
            #expect(abs(means[i] - series[i].reduce(0, +) / 300) < 1e-15)
            for j in 0..<7 {
                let mi = series[i].reduce(0, +) / 300, mj = series[j].reduce(0, +) / 300
                var c = 0.0
                for t in 0..<300 { c += (series[i][t] - mi) * (series[j][t] - mj) }
                c /= 299
                #expect(abs(cov[j * 7 + i] - c) < 1e-15)
            }
            #expect(abs(corr[i * 7 + i] - 1) < 1e-12)
        }
        #expect(m.sharpeRatios()[3] == Metrics.sharpeRatio(series[3]))
    }

    @Test func edgeCasesGiveNaNNeverMadeUpNumbers() {
        let empty: [Double] = [], one = [0.01], flat = [0.001, 0.001, 0.001, 0.001], withNaN = [0.01, .nan, 0.02]
        for f in [Metrics.sharpeRatio(_:riskFree:periodsPerYear:)] {
            #expect(f(empty, 0, 252).isNaN && f(one, 0, 252).isNaN && f(flat, 0, 252).isNaN && f(withNaN, 0, 252).isNaN)
        }
        #expect(Metrics.totalReturn(empty).isNaN && Metrics.cagr(empty).isNaN && Metrics.maxDrawdown(empty).isNaN)
        #expect(Metrics.annualVolatility(one).isNaN)
        #expect(Metrics.sortinoRatio(flat).isNaN)  // no downside
        #expect(Metrics.calmarRatio(flat).isNaN)  // no drawdown
        #expect(Metrics.skew(flat).isNaN && Metrics.kurtosis(flat).isNaN)
        #expect(Metrics.winRate([0, 0, 0]).isNaN)
        #expect(Metrics.profitFactor([0.01, 0.02]) == .infinity)
        #expect(Metrics.payoffRatio([0.01, 0.02]).isNaN)
        #expect(Metrics.valueAtRisk(withNaN).isNaN && Metrics.tailRatio(withNaN).isNaN)
        #expect(Metrics.informationRatio([0.01, 0.02], benchmark: [0.01, 0.02]).isNaN)
        #expect(Metrics.beta([0.01, 0.02, 0.03], benchmark: [0.01, 0.01, 0.01]).isNaN)
        #expect(Metrics.probabilisticSharpeRatio(flat).isNaN)
        #expect(Metrics.stabilityOfTimeseries(one).isNaN)
        #expect(throws: HindsightError.self) {
            try Metrics.linearRegression(y: [1, 2], regressors: [[1, 2]], names: ["x"])
        }
        #expect(throws: HindsightError.self) {
            try Metrics.linearRegression(y: [1, 2, 3, 4], regressors: [[1, 1, 1, 1]], names: ["c"])
        }
    }

    @Test func drawdownTableFindsPeaksValleysAndRecoveries() {
        // Wealth: 1.1, 0.99, 1.188 (recovers), 1.0692, then ends under water.
        let r = [0.1, -0.1, 0.2, -0.1]
        let t = Metrics.drawdownTable(r, top: 5)
        #expect(t.count == 2)
        #expect(
            t[0].peak == 0 && t[0].valley == 1 && t[0].recovery == 2 && abs(t[0].depth + 0.1) < 1e-15
                && t[0].length == 2)
        #expect(t[1].peak == 2 && t[1].recovery == nil && t[1].length == 1)
        #expect(Metrics.maxDrawdownDuration(r) == 2)
        // A first-period loss is a drawdown from the starting wealth.
        #expect(abs(Metrics.maxDrawdown([-0.1, 0.05]) + 0.1) < 1e-15)
    }
}
