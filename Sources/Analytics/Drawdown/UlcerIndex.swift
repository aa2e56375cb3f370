extension Metrics {
    /// Ulcer index: √(Σ ddₜ² / (n − 1)) over the drawdown series (quantstats `ulcer_index`). NaN with fewer than 2 points.
    public static func ulcerIndex(_ r: [Double]) -> Double {
        guard r.count >= 2, !Stat.hasNaN(r) else { return .nan }
        var s = 0.0
        for d in drawdownSeries(r) { s += d * d }
        return (s / Double(r.count - 1)).squareRoot()
    }
}
