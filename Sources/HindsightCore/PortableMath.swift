/// Transcendental functions built from IEEE +, −, ×, ÷ only, so results are bit-identical on every
/// platform and libm (system `log`/`exp` may differ in the last bit between libraries).
public enum PortableMath {
    // fdlibm's split of ln 2: n * ln2Hi is exact for |n| < 2^11.
    static let ln2Hi = 6.93147180369123816490e-01
    static let ln2Lo = 1.90821492927058770002e-10

    /// Natural logarithm for x > 0 (NaN otherwise); within 2 ulp of libm.
    public static func log(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : (x.isInfinite ? .infinity : .nan) }
        var m = x.significand  // [1, 2)
        var e = Double(x.exponent)
        if m > 1.4142135623730951 {
            m *= 0.5
            e += 1
        }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        // atanh series s·Σ s^(2k)/(2k+1), Horner form, 14 terms (|s| ≤ 0.172 makes the tail < 1e-22).
        var poly = 0.0
        for k in stride(from: 13, through: 0, by: -1) { poly = poly * s2 + 1 / Double(2 * k + 1) }
        return e * ln2Hi + (2 * s * poly + e * ln2Lo)
    }

    /// e^x, within 2 ulp of libm over the normal range.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let n = (x / (ln2Hi + ln2Lo)).rounded()
        let r = (x - n * ln2Hi) - n * ln2Lo
        // Taylor series in Horner form, 20 terms (|r| ≤ 0.35).
        var sum = 1.0
        for k in stride(from: 20, through: 1, by: -1) { sum = 1 + sum * r / Double(k) }
        return Double(sign: .plus, exponent: Int(n), significand: sum)
    }
}
