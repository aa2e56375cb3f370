extension Metrics {
    /// Sample skewness with the bias correction of pandas `Series.skew` (quantstats `skew`):
    /// √(n(n−1))/(n−2) · m₃/m₂^{3/2}. NaN with fewer than 3 points or zero variance.
    public static func skew(_ r: [Double]) -> Double {
        let n = Double(r.count)
        guard r.count >= 3, !Stat.hasNaN(r) else { return .nan }
        let m = Stat.mean(r)
        var m2 = 0.0, m3 = 0.0
        for v in r {
            let d = v - m
            m2 += d * d
            m3 += d * d * d
        }
        guard m2 > 0, r.min() != r.max() else { return .nan }
        // pandas' exact order of operations (sums, not means).
        return (n * (n - 1).squareRoot() / (n - 2)) * (m3 / libmPow(m2, 1.5))
    }

    /// Excess kurtosis with the bias correction of pandas `Series.kurt` (quantstats `kurtosis`, Fisher):
    /// ((n+1) n (n−1) Σd⁴ / (Σd²)² − 3(n−1)²) / ((n−2)(n−3)). NaN with fewer than 4 points or zero variance.
    public static func kurtosis(_ r: [Double]) -> Double {
        let n = Double(r.count)
        guard r.count >= 4, !Stat.hasNaN(r) else { return .nan }
        let m = Stat.mean(r)
        var s2 = 0.0, s4 = 0.0
        for v in r {
            let d = v - m
            let d2 = d * d
            s2 += d2
            s4 += d2 * d2
        }
        guard s2 > 0, r.min() != r.max() else { return .nan }
        let numerator = n * (n + 1) * (n - 1) * s4
        let denominator = (n - 2) * (n - 3) * (s2 * s2)
        return numerator / denominator - 3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3))
    }
}
