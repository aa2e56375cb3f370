/// The large-deviation rate of the mean daily return at one level.
public struct CramerRate: Sendable, Equatable, Codable {
    public var x: Double
    /// I(x) = sup_θ [θx − Λ(θ)], Λ the empirical cumulant generating function. +∞ outside the sample's range.
    public var rate: Double
    /// The maximising θ.
    public var theta: Double
    /// exp(−h·I(x)) for each horizon h: the implied probability that an h-day average return is at or beyond x.
    public var probabilities: [Int: Double]
}

extension Metrics {
    /// Empirical Λ(θ) = log((1/n) Σ e^{θ rₜ}), computed stably (log-sum-exp).
    static func empiricalCGF(_ r: [Double], _ theta: Double) -> (value: Double, mean: Double) {
        var m = -Double.infinity
        for v in r { m = max(m, theta * v) }
        var s = 0.0, sr = 0.0
        for v in r {
            let w = libmExp(theta * v - m)
            s += w
            sr += w * v
        }
        return (m + libmLog(s / Double(r.count)), sr / s)
    }

    /// Cramér rate function of the daily return at `x` (Legendre transform of the empirical CGF), with the implied
    /// probability of an h-day average return at or beyond x for each horizon. Solves Λ′(θ) = x by bisection on
    /// the tilted mean, which is increasing in θ.
    public static func cramerRate(_ r: [Double], at x: Double, horizons: [Int] = [21, 63]) -> CramerRate {
        guard r.count >= 2, !Stat.hasNaN(r), x.isFinite else {
            return CramerRate(x: x, rate: .nan, theta: .nan, probabilities: [:])
        }
        let lo = r.min()!, hi = r.max()!
        guard x > lo, x < hi else {
            return CramerRate(
                x: x, rate: .infinity, theta: x <= lo ? -.infinity : .infinity,
                probabilities: Dictionary(uniqueKeysWithValues: horizons.map { ($0, 0.0) }))
        }
        let sd = Stat.std(r)
        var a = -1.0 / sd, b = 1.0 / sd
        while empiricalCGF(r, a).mean > x { a *= 2 }
        while empiricalCGF(r, b).mean < x { b *= 2 }
        for _ in 0..<200 {
            let mid = (a + b) / 2
            if mid == a || mid == b || b - a <= 1e-13 * max(abs(a), abs(b)) { break }
            if empiricalCGF(r, mid).mean < x { a = mid } else { b = mid }
        }
        let theta = (a + b) / 2
        let rate = max(0, theta * x - empiricalCGF(r, theta).value)
        return CramerRate(
            x: x, rate: rate, theta: theta,
            probabilities: Dictionary(uniqueKeysWithValues: horizons.map { ($0, libmExp(-Double($0) * rate)) }))
    }
}
