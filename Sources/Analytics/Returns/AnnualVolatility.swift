extension Metrics {
    /// Annualised volatility: std(r, ddof = 1) · √P (empyrical `annual_volatility`). NaN with fewer than 2 points.
    public static func annualVolatility(_ r: [Double], periodsPerYear: Double = defaultPeriodsPerYear) -> Double {
        guard r.count >= 2, !Stat.hasNaN(r) else { return .nan }
        return Stat.std(r) * periodsPerYear.squareRoot()
    }
}
