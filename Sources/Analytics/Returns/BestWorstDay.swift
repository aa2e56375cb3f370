extension Metrics {
    /// Largest single-period return (quantstats `best`, without aggregation).
    public static func bestDay(_ r: [Double]) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        return r.max()!
    }

    /// Smallest single-period return (quantstats `worst`).
    public static func worstDay(_ r: [Double]) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r) else { return .nan }
        return r.min()!
    }
}
