extension Metrics {
    /// Sharpe ratio: mean(r − rf) / std(r − rf, ddof = 1) · √P (empyrical `sharpe_ratio`).
    /// `riskFree` is per period. NaN with fewer than 2 points or zero dispersion.
    public static func sharpeRatio(_ r: [Double], riskFree: Double = 0, periodsPerYear: Double = defaultPeriodsPerYear)
        -> Double
    {
        guard r.count >= 2, !Stat.hasNaN(r) else { return .nan }
        let x = riskFree == 0 ? r : r.map { $0 - riskFree }
        return sharpeOfExcess(x, periodsPerYear: periodsPerYear)
    }

    /// Sharpe ratio of already-excess returns (a per-period risk-free series subtracted by the caller).
    public static func sharpeOfExcess(_ x: [Double], periodsPerYear: Double = defaultPeriodsPerYear) -> Double {
        guard x.count >= 2, !Stat.hasNaN(x) else { return .nan }
        // empyrical: identical values have exactly zero dispersion, whatever the float residue of the mean.
        if x.min() == x.max() { return .nan }
        let sd = Stat.std(x)
        guard sd > 0 else { return .nan }
        return Stat.mean(x) / sd * periodsPerYear.squareRoot()
    }
}
