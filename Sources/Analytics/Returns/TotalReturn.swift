extension Metrics {
    /// Total compounded return: Π(1 + rₜ) − 1 (empyrical `cum_returns_final`). NaN when empty.
    public static func totalReturn(_ r: [Double]) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        return Stat.growth(r) - 1
    }
}
