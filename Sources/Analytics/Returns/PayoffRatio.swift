extension Metrics {
    /// Mean winning period over |mean losing period| (quantstats `payoff_ratio`). NaN without wins or losses.
    public static func payoffRatio(_ r: [Double]) -> Double {
        guard !Stat.hasNaN(r) else { return .nan }
        let wins = r.filter { $0 > 0 }, losses = r.filter { $0 < 0 }
        guard !wins.isEmpty, !losses.isEmpty else { return .nan }
        return Stat.mean(wins) / abs(Stat.mean(losses))
    }
}
