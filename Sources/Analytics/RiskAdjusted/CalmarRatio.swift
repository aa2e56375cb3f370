extension Metrics {
    /// Calmar ratio: CAGR / |max drawdown| (empyrical `calmar_ratio`). NaN without a drawdown.
    public static func calmarRatio(_ r: [Double], periodsPerYear: Double = defaultPeriodsPerYear) -> Double {
        let dd = maxDrawdown(r)
        guard dd < 0 else { return .nan }
        let v = cagr(r, periodsPerYear: periodsPerYear) / abs(dd)
        return v.isFinite ? v : .nan
    }
}
