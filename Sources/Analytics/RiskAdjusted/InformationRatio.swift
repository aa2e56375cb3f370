extension Metrics {
    /// Information ratio: mean(r − b) / std(r − b, ddof = 1), per period, not annualised
    /// (quantstats `information_ratio`, empyrical `excess_sharpe`). NaN when the active return has no dispersion.
    public static func informationRatio(_ r: [Double], benchmark b: [Double]) -> Double {
        guard r.count == b.count, r.count >= 2, !Stat.hasNaN(r), !Stat.hasNaN(b) else { return .nan }
        let active = zip(r, b).map { $0 - $1 }
        if active.min() == active.max() { return .nan }
        let sd = Stat.std(active)
        return sd > 0 ? Stat.mean(active) / sd : .nan
    }
}
