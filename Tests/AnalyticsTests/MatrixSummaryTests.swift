import HindsightCore
import HindsightTestSupport
import Testing

@testable import Analytics

@Suite struct MatrixSummaryTests {
    private func close(_ a: Double, _ b: Double) -> Bool { Tolerance.close(a, b, rel: 1e-12) }

    @Test func fusedColumnSummaryEqualsTheReferenceMetrics() throws {
        var rng = Xoshiro256StarStar(seed: 77)
        var series = (0..<40).map { c in
            (0..<(c == 3 ? 4 : 500)).map { _ in 0.0004 * Double(c % 5) + 0.012 * rng.studentT(dof: 4) }
        }
        series[5] = [Double](repeating: 0.001, count: 500)  // constant
        series[6] = (0..<500).map { $0 % 3 == 0 ? 0 : 0.01 }  // never a loss
        series[7] = (0..<500).map { _ in -0.002 }  // always a loss
        let length = 500
        let padded = series.map { $0.count == length ? $0 : $0 + [Double](repeating: 0, count: length - $0.count) }
        let m = try ReturnsMatrix(series: padded)
        let got = m.summaryMetrics()
        let reference: [(String, ([Double]) -> Double)] = [
            ("total_return", { Metrics.totalReturn($0) }), ("cagr", { Metrics.cagr($0) }),
            ("annual_volatility", { Metrics.annualVolatility($0) }), ("sharpe_ratio", { Metrics.sharpeRatio($0) }),
            ("sortino_ratio", { Metrics.sortinoRatio($0) }), ("calmar_ratio", { Metrics.calmarRatio($0) }),
            ("omega_ratio", { Metrics.omegaRatio($0) }),
            ("stability_of_timeseries", { Metrics.stabilityOfTimeseries($0) }),
            ("max_drawdown", { Metrics.maxDrawdown($0) }),
            ("max_drawdown_duration_days", { Metrics.maxDrawdownDuration($0) }),
            ("ulcer_index", { Metrics.ulcerIndex($0) }), ("skew", { Metrics.skew($0) }),
            ("kurtosis", { Metrics.kurtosis($0) }),
            ("value_at_risk", { Metrics.valueAtRisk($0) }),
            ("conditional_value_at_risk", { Metrics.conditionalValueAtRisk($0) }),
            ("tail_ratio", { Metrics.tailRatio($0) }), ("win_rate", { Metrics.winRate($0) }),
            ("profit_factor", { Metrics.profitFactor($0) }),
            ("best_day", { Metrics.bestDay($0) }), ("worst_day", { Metrics.worstDay($0) }),
            ("probabilistic_sharpe_ratio", { Metrics.probabilisticSharpeRatio($0) }),
        ]
        for (name, f) in reference {
            let column = got.first { $0.name == name }!.values
            for j in 0..<padded.count {
                let want = f(padded[j])
                #expect(close(column[j], want), "\(name) column \(j): \(column[j]) vs \(want)")
            }
        }
        // DSR uses every column as a trial.
        let srs = padded.compactMap { Metrics.sharpeMoments($0)?.sr }
        let mean = srs.reduce(0, +) / Double(srs.count)
        let variance = srs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(srs.count - 1)
        let dsr = got.first { $0.name == "deflated_sharpe_ratio" }!.values
        #expect(
            close(dsr[0], Metrics.deflatedSharpeRatio(padded[0], trials: padded.count, trialSharpeVariance: variance)))
    }

    @Test func longSeriesTailsMatchTheReferenceInAnyOrder() throws {
        // Past `ColumnSummary.heapMinimum` the tails come from bounded heaps: check them on sorted, reversed,
        // tied and mostly-zero series of several lengths against the per-metric reference (which sorts).
        var rng = Xoshiro256StarStar(seed: 11)
        var series: [[Double]] = []
        for n in [64, 65, 99, 500, 2_148] {
            let noisy = (0..<n).map { _ in 0.012 * rng.studentT(dof: 3) }
            series += [
                noisy, noisy.sorted(), noisy.sorted(by: >),
                (0..<n).map { _ in rng.uniform() < 0.7 ? 0 : 0.01 * rng.studentT(dof: 4) },
                (0..<n).map { Double($0 % 4) * 0.001 - 0.0015 },
            ]
        }
        let checks: [(SummaryMetric, ([Double]) -> Double)] = [
            (.valueAtRisk, { Metrics.valueAtRisk($0) }),
            (.conditionalValueAtRisk, { Metrics.conditionalValueAtRisk($0) }),
            (.tailRatio, { Metrics.tailRatio($0) }),
            (.winRate, { Metrics.winRate($0) }), (.profitFactor, { Metrics.profitFactor($0) }),
            (.maxDrawdown, { Metrics.maxDrawdown($0) }),
        ]
        for (j, r) in series.enumerated() {
            let s = Metrics.summary(r)
            for (k, f) in checks {
                let want = f(r)
                #expect(
                    close(s.values[k], want),
                    "series \(j) (n \(r.count)) \(k.key): \(s.values[k]) vs \(want)")
            }
        }
    }

    @Test func aColumnWithNaNIsAllNaN() throws {
        var col = (0..<100).map { Double($0 % 7) * 0.001 - 0.003 }
        col[50] = .nan
        let got = try ReturnsMatrix(series: [col]).summaryMetrics()
        for (name, v) in got { #expect(v[0].isNaN, "\(name)") }
    }
}
