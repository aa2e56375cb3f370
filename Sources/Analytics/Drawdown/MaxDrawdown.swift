extension Metrics {
    /// Maximum drawdown as a negative fraction (0 when wealth never falls): min over t of the drawdown series
    /// (empyrical `max_drawdown`). NaN when empty.
    public static func maxDrawdown(_ r: [Double]) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        var wealth = 1.0, peak = 1.0, worst = 0.0
        for v in r {
            wealth *= 1 + v
            if wealth > peak { peak = wealth }
            worst = min(worst, wealth / peak - 1)
        }
        return worst
    }
}
