extension Metrics {
    /// Rolling beta over trailing windows; element t uses periods t−w+1 … t (NaN before the first full window),
    /// as empyrical `roll_beta`.
    public static func rollingBeta(_ r: [Double], benchmark b: [Double], window: Int = 63) -> [Double] {
        guard r.count == b.count, window >= 2 else { return [Double](repeating: .nan, count: r.count) }
        var out = [Double](repeating: .nan, count: r.count)
        guard r.count >= window else { return out }
        for t in (window - 1)..<r.count {
            out[t] = beta(Array(r[(t - window + 1)...t]), benchmark: Array(b[(t - window + 1)...t]))
        }
        return out
    }

    /// Rolling annualised Sharpe ratio over trailing windows (empyrical `roll_sharpe_ratio`).
    public static func rollingSharpe(_ r: [Double], window: Int = 63, periodsPerYear: Double = defaultPeriodsPerYear)
        -> [Double]
    {
        var out = [Double](repeating: .nan, count: r.count)
        guard window >= 2, r.count >= window else { return out }
        for t in (window - 1)..<r.count {
            out[t] = sharpeRatio(Array(r[(t - window + 1)...t]), periodsPerYear: periodsPerYear)
        }
        return out
    }
}
