/// Number comparisons for tests against references (closed forms, peers' golden values).
public enum Tolerance {
    /// |a − b| / |b| (b is the reference), with a tiny floor so a zero reference does not divide by zero.
    public static func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    /// True when `a` and `b` agree to `rel` relative (plus `abs` absolute, for values near zero); NaN matches only
    /// NaN and an infinity only the same infinity.
    public static func close(_ a: Double, _ b: Double, rel: Double = 1e-9, abs absolute: Double = 1e-15) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        return Swift.abs(a - b) <= rel * max(Swift.abs(a), Swift.abs(b)) + absolute
    }

    /// The first index where two series differ beyond `rel`, with both values, or nil when they agree everywhere
    /// (a length mismatch is reported at the shorter length).
    public static func firstMismatch(_ a: [Double], _ b: [Double], rel: Double = 1e-9, abs absolute: Double = 1e-15)
        -> (index: Int, got: Double, want: Double)?
    {
        for i in 0..<min(a.count, b.count) where !close(a[i], b[i], rel: rel, abs: absolute) { return (i, a[i], b[i]) }
        if a.count != b.count { return (min(a.count, b.count), .nan, .nan) }
        return nil
    }

    /// The worst relative error over two aligned series (b is the reference).
    public static func worstRelativeError(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { relativeError($0, $1) }.max() ?? 0
    }
}
