extension Metrics {
    /// Beta: mean((b − b̄)·r) / mean((b − b̄)²) (empyrical `beta`); NaN when the benchmark variance is below 1e-30.
    public static func beta(_ r: [Double], benchmark b: [Double], riskFree: Double = 0) -> Double {
        guard r.count == b.count, b.count >= 2, !Stat.hasNaN(r), !Stat.hasNaN(b) else { return .nan }
        let x = riskFree == 0 ? r : r.map { $0 - riskFree }
        let y = riskFree == 0 ? b : b.map { $0 - riskFree }
        let mb = Stat.mean(y)
        var cov = 0.0, v = 0.0
        for i in 0..<x.count {
            let d = y[i] - mb
            cov += d * x[i]
            v += d * d
        }
        cov /= Double(x.count)
        v /= Double(x.count)
        return v < 1e-30 ? .nan : cov / v
    }

    /// Annualised alpha: (1 + mean(r − β·b))^P − 1 (empyrical `alpha`).
    public static func alpha(
        _ r: [Double], benchmark b: [Double], riskFree: Double = 0, periodsPerYear: Double = defaultPeriodsPerYear
    ) -> Double {
        let bt = beta(r, benchmark: b, riskFree: riskFree)
        guard bt.isFinite else { return .nan }
        var s = 0.0
        for i in 0..<r.count { s += (r[i] - riskFree) - bt * (b[i] - riskFree) }
        return libmPow(1 + s / Double(r.count), periodsPerYear) - 1
    }
}
