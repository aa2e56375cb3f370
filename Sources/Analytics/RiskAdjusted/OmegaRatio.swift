extension Metrics {
    /// Omega ratio: Σ(x > 0) / −Σ(x < 0) with x = r − rf − ((1 + τ)^(1/P) − 1) (empyrical `omega_ratio`).
    /// NaN with fewer than 2 points, τ ≤ −1 or no shortfall.
    public static func omegaRatio(
        _ r: [Double], riskFree: Double = 0, requiredReturn: Double = 0,
        periodsPerYear: Double = defaultPeriodsPerYear
    ) -> Double {
        guard r.count >= 2, !Stat.hasNaN(r) else { return .nan }
        let threshold: Double
        if periodsPerYear == 1 {
            threshold = requiredReturn
        } else {
            guard requiredReturn > -1 else { return .nan }
            threshold = libmPow(1 + requiredReturn, 1 / periodsPerYear) - 1
        }
        var up = 0.0, down = 0.0
        for v in r {
            let x = v - riskFree - threshold
            if x > 0 { up += x } else if x < 0 { down -= x }
        }
        return down > 0 ? up / down : .nan
    }
}
