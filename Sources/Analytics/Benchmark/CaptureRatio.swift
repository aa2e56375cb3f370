extension Metrics {
    /// CAGR of the strategy over CAGR of the benchmark on the periods when the benchmark rose (empyrical `up_capture`).
    public static func upCapture(_ r: [Double], benchmark b: [Double], periodsPerYear: Double = defaultPeriodsPerYear)
        -> Double
    {
        capture(r, b, periodsPerYear) { $0 > 0 }
    }

    /// The same on the periods when the benchmark fell (empyrical `down_capture`).
    public static func downCapture(_ r: [Double], benchmark b: [Double], periodsPerYear: Double = defaultPeriodsPerYear)
        -> Double
    {
        capture(r, b, periodsPerYear) { $0 < 0 }
    }

    private static func capture(_ r: [Double], _ b: [Double], _ p: Double, _ keep: (Double) -> Bool) -> Double {
        guard r.count == b.count, !Stat.hasNaN(r), !Stat.hasNaN(b) else { return .nan }
        var rs: [Double] = [], bs: [Double] = []
        for i in 0..<r.count where keep(b[i]) {
            rs.append(r[i])
            bs.append(b[i])
        }
        guard !rs.isEmpty else { return .nan }
        let denom = cagr(bs, periodsPerYear: p)
        return denom != 0 ? cagr(rs, periodsPerYear: p) / denom : .nan
    }
}
