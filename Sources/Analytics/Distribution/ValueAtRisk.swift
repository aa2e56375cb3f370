/// How a value at risk or expected shortfall is estimated.
public enum RiskMethod: String, Sendable, CaseIterable {
    /// Empirical percentile (empyrical `value_at_risk` / `conditional_value_at_risk`).
    case historical
    /// Gaussian with the sample mean and std (ddof = 1) (quantstats `value_at_risk` / parametric CVaR).
    case parametric
    /// Gaussian quantile corrected for skew and excess kurtosis (Cornish & Fisher 1938; Favre & Galeano 2002).
    case cornishFisher = "cornish_fisher"
}

extension Metrics {
    /// Value at risk: the return at the (1 − confidence) quantile; a negative number for a loss.
    public static func valueAtRisk(_ r: [Double], confidence: Double = 0.95, method: RiskMethod = .historical) -> Double
    {
        guard !r.isEmpty, !Stat.hasNaN(r), confidence > 0, confidence < 1 else { return .nan }
        let alpha = 1 - confidence
        switch method {
        case .historical:
            return Stat.percentile(r, 100 * alpha)
        case .parametric:
            guard r.count >= 2 else { return .nan }
            return Stat.mean(r) + Stat.std(r) * Stat.normalQuantile(alpha)
        case .cornishFisher:
            guard r.count >= 4 else { return .nan }
            let s = skew(r), k = kurtosis(r)
            guard s.isFinite, k.isFinite else { return .nan }
            return Stat.mean(r) + Stat.std(r) * cornishFisherZ(Stat.normalQuantile(alpha), skew: s, excessKurtosis: k)
        }
    }

    /// Expected shortfall: the mean return in the worst (1 − confidence) tail.
    /// Historical: mean of the ⌊(n−1)α⌋+1 smallest returns (empyrical). Parametric: μ − σφ(z_α)/α (quantstats).
    /// Cornish-Fisher: the average of the Cornish-Fisher quantile over u ∈ (0, α), by 4,000-point midpoint rule.
    public static func conditionalValueAtRisk(
        _ r: [Double], confidence: Double = 0.95, method: RiskMethod = .historical
    ) -> Double {
        guard !r.isEmpty, !Stat.hasNaN(r), confidence > 0, confidence < 1 else { return .nan }
        let alpha = 1 - confidence
        switch method {
        case .historical:
            let cut = Int(Double(r.count - 1) * alpha)
            let sorted = r.sorted()
            return Stat.mean(Array(sorted[0...cut]))
        case .parametric:
            guard r.count >= 2 else { return .nan }
            let mu = Stat.mean(r), sd = Stat.std(r)
            if sd == 0 { return mu }
            let z = Stat.normalQuantile(alpha)
            return mu - sd * (libmExp(-z * z / 2) / (2 * Double.pi).squareRoot()) / alpha
        case .cornishFisher:
            guard r.count >= 4 else { return .nan }
            let s = skew(r), k = kurtosis(r)
            guard s.isFinite, k.isFinite else { return .nan }
            let mu = Stat.mean(r), sd = Stat.std(r)
            let steps = 4000
            var acc = 0.0
            for i in 0..<steps {
                let u = alpha * (Double(i) + 0.5) / Double(steps)
                acc += cornishFisherZ(Stat.normalQuantile(u), skew: s, excessKurtosis: k)
            }
            return mu + sd * acc / Double(steps)
        }
    }

    /// z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36.
    static func cornishFisherZ(_ z: Double, skew s: Double, excessKurtosis k: Double) -> Double {
        z + (z * z - 1) * s / 6 + (z * z * z - 3 * z) * k / 24 - (2 * z * z * z - 5 * z) * s * s / 36
    }
}
