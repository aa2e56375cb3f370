extension Metrics {
    /// Minimum track record length in periods (Bailey & López de Prado 2012):
    /// 1 + (1 − γ₃SR + (γ₄ − 1)/4·SR²) · (Φ⁻¹(confidence) / (SR − SR*))². NaN when SR ≤ SR*.
    public static func minimumTrackRecordLength(_ r: [Double], benchmarkSharpe: Double = 0, confidence: Double = 0.95)
        -> Double
    {
        guard let (sr, g3, g4) = sharpeMoments(r), sr > benchmarkSharpe else { return .nan }
        let z = Stat.normalQuantile(confidence)
        let q = z / (sr - benchmarkSharpe)
        return 1 + (1 - g3 * sr + (g4 - 1) / 4 * sr * sr) * q * q
    }
}
