extension Metrics {
    /// Annualised downside deviation: √(mean(min(r − τ, 0)²)) · √P over all periods (empyrical `downside_risk`).
    public static func downsideRisk(
        _ r: [Double], requiredReturn: Double = 0, periodsPerYear: Double = defaultPeriodsPerYear
    ) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        var s = 0.0
        for v in r {
            let d = min(v - requiredReturn, 0)
            s += d * d
        }
        return (s / Double(r.count)).squareRoot() * periodsPerYear.squareRoot()
    }

    /// Sortino ratio: mean(r − τ) · P / downside risk (empyrical `sortino_ratio`). NaN with fewer than 2 points
    /// or no downside (empyrical gives ±inf there).
    public static func sortinoRatio(
        _ r: [Double], requiredReturn: Double = 0, periodsPerYear: Double = defaultPeriodsPerYear
    ) -> Double {
        guard r.count >= 2, !Stat.hasNaN(r) else { return .nan }
        let dr = downsideRisk(r, requiredReturn: requiredReturn, periodsPerYear: periodsPerYear)
        guard dr > 0 else { return .nan }
        let adj = requiredReturn == 0 ? r : r.map { $0 - requiredReturn }
        return Stat.mean(adj) * periodsPerYear / dr
    }
}
