/// Performance, risk, tail, benchmark and overfitting statistics of simple (not log) periodic returns.
///
/// Conventions: 252 periods per year unless given, risk-free 0 unless given, sample standard deviations
/// (ddof = 1) where empyrical uses them. Every function returns NaN, never a made-up number, for empty input,
/// too few observations, zero dispersion where it is a divisor, or any NaN in the input.
public enum Metrics {
    public static let defaultPeriodsPerYear = 252.0

    /// numpy's `percentile` (linear interpolation, q in 0...100); NaN when empty.
    public static func percentile(_ x: [Double], _ q: Double) -> Double { Stat.percentile(x, q) }
}

/// Small numeric kernels shared by the metrics (internal).
enum Stat {
    static func hasNaN(_ x: [Double]) -> Bool { x.contains { $0.isNaN } }

    static func mean(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        var s = 0.0
        for v in x { s += v }
        return s / Double(x.count)
    }

    /// Standard deviation with `ddof` degrees of freedom removed (two-pass, as numpy).
    static func std(_ x: [Double], ddof: Int = 1) -> Double {
        let n = x.count
        guard n > ddof else { return .nan }
        let m = mean(x)
        var s = 0.0
        for v in x {
            let d = v - m
            s += d * d
        }
        return (s / Double(n - ddof)).squareRoot()
    }

    /// numpy's `percentile` with linear interpolation (q in 0...100).
    static func percentile(_ x: [Double], _ q: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        return percentileSorted(x.sorted(), q)
    }

    static func percentileSorted(_ s: [Double], _ q: Double) -> Double {
        guard !s.isEmpty else { return .nan }
        let pos = q / 100 * Double(s.count - 1)
        let lo = Int(pos.rounded(.down))
        let hi = min(lo + 1, s.count - 1)
        let frac = pos - Double(lo)
        // numpy's _lerp: a + (b - a) * t, switched to b - (b - a) * (1 - t) for t >= 0.5.
        let a = s[lo], b = s[hi]
        let diff = b - a
        return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac
    }

    /// Compounded growth of 1: Π(1 + r).
    static func growth(_ x: [Double]) -> Double {
        var g = 1.0
        for v in x { g *= 1 + v }
        return g
    }

    /// Standard normal CDF (via erfc, accurate in the tails).
    static func normalCDF(_ z: Double) -> Double { 0.5 * erfcPortable(-z / 2.0.squareRoot()) }

    /// Inverse standard normal CDF: Acklam's rational approximation refined by two Halley steps (~1e-15).
    static func normalQuantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p == 0 ? -.infinity : (p == 1 ? .infinity : .nan) }
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * libmLog(p)).squareRoot()
            x =
                (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p > 1 - 0.02425 {
            let q = (-2 * libmLog(1 - p)).squareRoot()
            x =
                -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5, r = q * q
            x =
                (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0..<2 {
            let e = normalCDF(x) - p
            let u = e * (2 * Double.pi).squareRoot() * libmExp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }
}
