extension Metrics {
    /// The summary metrics of one series (every `SummaryMetric`, deflated Sharpe left NaN) and
    /// the per-period Sharpe ratio, skewness γ₃ and kurtosis γ₄ that a deflated Sharpe ratio across trials needs.
    public struct SeriesSummary: Sendable {
        public var values: SummaryMetric.Values
        public var sharpePerPeriod: Double
        public var skewness: Double
        public var kurtosis: Double
    }

    /// Summary metrics of one return series, with the same fused kernel as the matrix path.
    public static func summary(_ r: [Double], periodsPerYear p: Double = defaultPeriodsPerYear) -> SeriesSummary {
        var out = SummaryMetric.Values()
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(r.count, 1))
        defer { scratch.deallocate() }
        let m = r.withUnsafeBufferPointer { ColumnSummary.compute($0, scratch: scratch, periodsPerYear: p, into: &out) }
        return SeriesSummary(
            values: out, sharpePerPeriod: m?.sr ?? .nan, skewness: m?.g3 ?? .nan, kurtosis: m?.g4 ?? .nan)
    }

    /// Deflated Sharpe ratio of one trial given its moments, the number of observations and the trials' Sharpe variance.
    public static func deflatedSharpe(
        sharpePerPeriod sr: Double, skewness g3: Double, kurtosis g4: Double, observations n: Int,
        trials: Int, trialSharpeVariance variance: Double
    ) -> Double {
        let denom = 1 - g3 * sr + (g4 - 1) / 4 * sr * sr
        guard sr.isFinite, denom > 0, n > 1 else { return .nan }
        return Stat.normalCDF(
            (sr - expectedMaxSharpe(trials: trials, variance: variance)) * Double(n - 1).squareRoot()
                / denom.squareRoot())
    }
}
