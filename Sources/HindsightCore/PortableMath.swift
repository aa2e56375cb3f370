/// Transcendental functions built from IEEE +, −, ×, ÷ only, so results are bit-identical on every
/// platform and libm (system `log`/`exp` may differ in the last bit between libraries).
public enum PortableMath {
    /// Natural logarithm for x > 0 (NaN otherwise); about 1 ulp.
    public static func log(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : (x.isInfinite ? .infinity : .nan) }
        var m = x.significand // [1, 2)
        var e = Double(x.exponent)
        if m > 1.4142135623730951 { m *= 0.5; e += 1 }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var term = s, sum = 0.0, k = 1.0
        while true {
            let add = term / k
            let next = sum + add
            if next == sum { break }
            sum = next
            term *= s2
            k += 2
        }
        return 2 * sum + e * 0.6931471805599453
    }

    /// e^x; about 1 ulp over the normal range.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let ln2 = 0.6931471805599453
        let n = (x / ln2).rounded()
        let r = x - n * ln2
        var term = 1.0, sum = 1.0, k = 1.0
        while true {
            term *= r / k
            let next = sum + term
            if next == sum { break }
            sum = next
            k += 1
        }
        return Double(sign: .plus, exponent: Int(n), significand: sum)
    }
}
