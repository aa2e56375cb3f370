extension Metrics {
    static let eulerMascheroni = 0.5772156649015329

    /// The expected maximum per-period Sharpe of `trials` independent zero-skill strategies whose Sharpe ratios have
    /// variance `variance`: √V · ((1 − γ)Φ⁻¹(1 − 1/N) + γΦ⁻¹(1 − 1/(N·e))) (Bailey & López de Prado 2014). 0 for N = 1.
    public static func expectedMaxSharpe(trials: Int, variance: Double) -> Double {
        guard trials > 1, variance >= 0 else { return trials == 1 ? 0 : .nan }
        let n = Double(trials)
        let g = eulerMascheroni
        return variance.squareRoot()
            * ((1 - g) * Stat.normalQuantile(1 - 1 / n) + g * Stat.normalQuantile(1 - 1 / (n * 2.718281828459045)))
    }

    /// Deflated Sharpe ratio: PSR against the expected maximum Sharpe of `trials` zero-skill trials.
    public static func deflatedSharpeRatio(_ r: [Double], trials: Int, trialSharpeVariance: Double) -> Double {
        probabilisticSharpeRatio(r, benchmarkSharpe: expectedMaxSharpe(trials: trials, variance: trialSharpeVariance))
    }
}
