extension Metrics {
    /// Drawdown after each period: Wₜ / max(1, W₁…Wₜ) − 1 with Wₜ = Π(1 + r), anchored at a starting wealth of 1
    /// so a first-period loss counts (empyrical-reloaded `drawdown_series`, quantstats `to_drawdown_series`).
    public static func drawdownSeries(_ r: [Double]) -> [Double] {
        guard !Stat.hasNaN(r) else { return [Double](repeating: .nan, count: r.count) }
        var out = [Double](repeating: 0, count: r.count)
        var wealth = 1.0, peak = 1.0
        for (i, v) in r.enumerated() {
            wealth *= 1 + v
            peak = max(peak, wealth)
            out[i] = wealth / peak - 1
        }
        return out
    }
}
