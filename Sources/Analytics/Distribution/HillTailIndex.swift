/// A Hill estimate of a tail index.
public struct TailIndex: Sendable, Equatable, Codable {
    /// Tail exponent α = 1/H (larger is thinner).
    public var alpha: Double
    /// Asymptotic standard error α/√k.
    public var standardError: Double
    /// Order statistics used.
    public var k: Int

    enum CodingKeys: String, CodingKey {
        case alpha
        case standardError = "std_error"
        case k
    }
}

extension Metrics {
    public enum Tail: String, Sendable { case left, right }

    /// Hill (1975) estimator on the k largest losses (left) or gains (right):
    /// H = (1/k) Σᵢ₌₁ᵏ ln(x₍ᵢ₎ / x₍ₖ₊₁₎), α = 1/H, se = α/√k, with k = ⌊√n⌋ by default.
    /// NaN when fewer than k + 1 observations lie in the tail (x > 0).
    public static func hillTailIndex(_ r: [Double], tail: Tail, k: Int? = nil) -> TailIndex {
        let nanResult = TailIndex(alpha: .nan, standardError: .nan, k: k ?? 0)
        guard !r.isEmpty, !Stat.hasNaN(r) else { return nanResult }
        let kk = k ?? Int(Double(r.count).squareRoot())
        let x = (tail == .left ? r.map { -$0 } : r).filter { $0 > 0 }.sorted(by: >)
        guard kk >= 1, x.count > kk else { return TailIndex(alpha: .nan, standardError: .nan, k: kk) }
        let threshold = x[kk]
        var h = 0.0
        for i in 0..<kk { h += libmLog(x[i] / threshold) }
        h /= Double(kk)
        guard h > 0 else { return TailIndex(alpha: .nan, standardError: .nan, k: kk) }
        let a = 1 / h
        return TailIndex(alpha: a, standardError: a / Double(kk).squareRoot(), k: kk)
    }
}
