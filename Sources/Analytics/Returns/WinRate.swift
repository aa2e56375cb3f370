extension Metrics {
    /// Share of non-zero periods that are positive: #(r > 0) / #(r ≠ 0) (quantstats `win_rate`).
    /// NaN when every return is zero (quantstats returns 0.0 there, a made-up number we do not copy).
    public static func winRate(_ r: [Double]) -> Double {
        guard !Stat.hasNaN(r) else { return .nan }
        let nonZero = r.filter { $0 != 0 }.count
        guard nonZero > 0 else { return .nan }
        return Double(r.filter { $0 > 0 }.count) / Double(nonZero)
    }
}
