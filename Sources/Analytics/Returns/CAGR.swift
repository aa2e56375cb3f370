extension Metrics {
    /// Compound annual growth rate: (Π(1 + rₜ))^(P/n) − 1, P periods per year (empyrical `annual_return`).
    public static func cagr(_ r: [Double], periodsPerYear: Double = defaultPeriodsPerYear) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        return libmPow(Stat.growth(r), periodsPerYear / Double(r.count)) - 1
    }
}
