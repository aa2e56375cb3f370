#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// Correctly rounded decimal parsing from bytes: an exact fast path (Clinger) with `strtod` as fallback.
public enum NumberParser {
    @usableFromInline
    static let powersOfTen: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    @inlinable
    public static func parseDouble(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = b.count
        if n == 0 { return nil }
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if b[0] == UInt8(ascii: "+") {
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fracDigits = 0
        var sawDigit = false
        var sawDot = false
        while i < n {
            let c = b[i]
            if c >= 48 && c <= 57 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(c - 48)
                    if mantissa != 0 { digits += 1 }
                    if sawDot { fracDigits += 1 }
                } else {
                    return slow(b)
                }
            } else if c == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                return sawDigit ? slow(b) : nil
            } else {
                return nil
            }
            i += 1
        }
        if !sawDigit { return nil }
        // Exact when the mantissa fits in 53 bits and the power of ten is exact.
        if mantissa < (1 << 53) && fracDigits <= 22 {
            let v = Double(mantissa) / powersOfTen[fracDigits]
            return negative ? -v : v
        }
        return slow(b)
    }

    @usableFromInline
    static func slow(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        if b.count > 64 { return nil }
        var buf = [CChar](repeating: 0, count: b.count + 1)
        for k in 0..<b.count { buf[k] = CChar(bitPattern: b[k]) }
        return buf.withUnsafeMutableBufferPointer { p -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(p.baseAddress!, &end)
            guard let end, end - p.baseAddress! == b.count else { return nil }
            return v.isFinite ? v : nil
        }
    }
}
