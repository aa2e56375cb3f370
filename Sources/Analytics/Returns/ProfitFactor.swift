extension Metrics {
    /// Σ(r ≥ 0) / |Σ(r < 0)| (quantstats `profit_factor`). +∞ with gains and no losses; NaN with neither.
    public static func profitFactor(_ r: [Double]) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        var wins = 0.0, losses = 0.0
        for v in r { if v >= 0 { wins += v } else { losses += v } }
        if losses == 0 { return wins == 0 ? .nan : .infinity }
        return wins / abs(losses)
    }
}
