extension Metrics {
    /// Annualised tracking error: std(r − b, ddof = 1) · √P. NaN with fewer than 2 points.
    public static func trackingError(
        _ r: [Double], benchmark b: [Double], periodsPerYear: Double = defaultPeriodsPerYear
    ) -> Double {
        guard r.count == b.count, r.count >= 2, !Stat.hasNaN(r), !Stat.hasNaN(b) else { return .nan }
        return Stat.std(zip(r, b).map { $0 - $1 }) * periodsPerYear.squareRoot()
    }
}
