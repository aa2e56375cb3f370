extension Metrics {
    /// |95th percentile| / |5th percentile| (empyrical `tail_ratio`). NaN when the 5th percentile is 0.
    public static func tailRatio(_ r: [Double]) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        let s = r.sorted()
        let lo = Stat.percentileSorted(s, 5), hi = Stat.percentileSorted(s, 95)
        return lo != 0 ? abs(hi) / abs(lo) : .nan
    }

    /// Profit factor × tail ratio (quantstats `common_sense_ratio`).
    public static func commonSenseRatio(_ r: [Double]) -> Double {
        profitFactor(r) * tailRatio(r)
    }
}
