/// Inference on Sharpe ratios under serial correlation and non-normality: one HAC (Newey–West) long-run covariance
/// of the moment conditions, and the delta method.
extension Metrics {
    /// The Sharpe-ratio difference of two return series on the same sessions, with its standard error and two-sided
    /// p-value (per period; multiply the difference and error by √252 for annual units).
    public struct SharpeDifference: Sendable, Equatable {
        public var difference: Double
        public var standardError: Double
        public var pValue: Double
    }

    /// Long-run covariance Ψ of the columns of `y` (each a mean-zero moment series of length n): Newey–West with
    /// Bartlett weights 1 − l/(L+1), L = ⌊4 (n/100)^(2/9)⌋, no small-sample correction.
    static func longRunCovariance(_ y: [[Double]], lags: Int? = nil) -> [[Double]] {
        let k = y.count, n = y.first?.count ?? 0
        let lags = min(lags ?? defaultHACLags(n), max(n - 1, 0))
        var s = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for a in 0..<k {
            for b in a..<k {
                var acc = 0.0
                for t in 0..<n { acc += y[a][t] * y[b][t] }
                if lags > 0 {
                    for l in 1...lags {
                        let w = 1 - Double(l) / Double(lags + 1)
                        var g = 0.0
                        for t in l..<n { g += y[a][t] * y[b][t - l] + y[b][t] * y[a][t - l] }
                        acc += w * g
                    }
                }
                s[a][b] = acc / Double(n)
                s[b][a] = s[a][b]
            }
        }
        return s
    }

    /// The standard error of the per-period Sharpe ratio μ/σ (Lo 2002, non-iid form): the delta method on the
    /// moments (r − μ, (r − μ)² − σ²) with a Newey–West long-run covariance. For iid normal returns it tends to
    /// √((1 + SR²/2)/n). NaN with fewer than 3 returns or zero volatility.
    public static func sharpeStandardError(_ r: [Double], lags: Int? = nil) -> Double {
        let n = r.count
        guard n >= 3, !Stat.hasNaN(r) else { return .nan }
        let mu = r.reduce(0, +) / Double(n)
        let dev = r.map { $0 - mu }
        let v = dev.reduce(0) { $0 + $1 * $1 } / Double(n)
        guard v > 0 else { return .nan }
        let sd = v.squareRoot()
        let psi = longRunCovariance([dev, dev.map { $0 * $0 - v }], lags: lags)
        let g = [1 / sd, -mu / (2 * v * sd)]
        var q = 0.0
        for a in 0..<2 { for b in 0..<2 { q += g[a] * psi[a][b] * g[b] } }
        return (max(q, 0) / Double(n)).squareRoot()
    }

    /// Ledoit and Wolf (2008)'s test of equal Sharpe ratios, HAC-studentised: the difference μa/σa − μb/σb of the
    /// per-period ratios, its standard error by the delta method on the moments (ra − μa, rb − μb, ra² − γa,
    /// rb² − γb) with a Newey–West long-run covariance (their kernel choice is a quadratic-spectral one; Bartlett is
    /// used here, with the same automatic lag rule as the regressions), and a two-sided normal p-value.
    public static func sharpeDifferenceTest(_ a: [Double], _ b: [Double], lags: Int? = nil) -> SharpeDifference {
        let n = a.count
        let nan = SharpeDifference(difference: .nan, standardError: .nan, pValue: .nan)
        guard n == b.count, n >= 3, !Stat.hasNaN(a), !Stat.hasNaN(b) else { return nan }
        let ma = a.reduce(0, +) / Double(n), mb = b.reduce(0, +) / Double(n)
        let ga = a.reduce(0) { $0 + $1 * $1 } / Double(n), gb = b.reduce(0) { $0 + $1 * $1 } / Double(n)
        let va = ga - ma * ma, vb = gb - mb * mb
        guard va > 0, vb > 0 else { return nan }
        let y = [a.map { $0 - ma }, b.map { $0 - mb }, a.map { $0 * $0 - ga }, b.map { $0 * $0 - gb }]
        let psi = longRunCovariance(y, lags: lags)
        let pa = va * va.squareRoot(), pb = vb * vb.squareRoot()
        let g = [ga / pa, -gb / pb, -ma / (2 * pa), mb / (2 * pb)]
        var q = 0.0
        for i in 0..<4 { for j in 0..<4 { q += g[i] * psi[i][j] * g[j] } }
        let diff = ma / va.squareRoot() - mb / vb.squareRoot()
        let se = (max(q, 0) / Double(n)).squareRoot()
        let p = se > 0 ? 2 * Stat.normalCDF(-abs(diff) / se) : .nan
        return SharpeDifference(difference: diff, standardError: se, pValue: p)
    }
}
