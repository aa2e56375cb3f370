extension Metrics {
    /// Per-period Sharpe ratio, skewness and (non-excess) kurtosis as used by PSR/DSR/MinTRL:
    /// SR = mean/std(ddof = 1); γ₃, γ₄ are the population (biased) moments, as in Bailey & López de Prado's code.
    static func sharpeMoments(_ r: [Double]) -> (sr: Double, skew: Double, kurt: Double)? {
        guard r.count >= 3, !Stat.hasNaN(r), r.min() != r.max() else { return nil }
        let n = Double(r.count), m = Stat.mean(r)
        var m2 = 0.0, m3 = 0.0, m4 = 0.0
        for v in r {
            let d = v - m, d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
        }
        m2 /= n
        m3 /= n
        m4 /= n
        return (m / Stat.std(r), m3 / libmPow(m2, 1.5), m4 / (m2 * m2))
    }

    /// Probabilistic Sharpe ratio (Bailey & López de Prado 2012): the probability that the true per-period Sharpe
    /// exceeds `benchmarkSharpe`, Φ((SR − SR*)√(n − 1) / √(1 − γ₃SR + (γ₄ − 1)/4·SR²)).
    public static func probabilisticSharpeRatio(_ r: [Double], benchmarkSharpe: Double = 0) -> Double {
        guard let (sr, g3, g4) = sharpeMoments(r) else { return .nan }
        let denom = 1 - g3 * sr + (g4 - 1) / 4 * sr * sr
        guard denom > 0 else { return .nan }
        return Stat.normalCDF((sr - benchmarkSharpe) * Double(r.count - 1).squareRoot() / denom.squareRoot())
    }
}
