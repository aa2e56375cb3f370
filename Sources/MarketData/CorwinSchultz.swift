import HindsightCore

/// The Corwin–Schultz (2012) bid-ask spread estimator from the highs and lows of two consecutive bars: the
/// two-bar range grows with volatility twice as fast as the one-bar ranges, the spread does not.
public enum CorwinSchultz {
    static let k = 3 - 2 * 2.0.squareRoot()

    /// The spread as a fraction of the price, floored at 0 (the paper's practice for negative estimates).
    public static func spread(high0: Double, low0: Double, high1: Double, low1: Double) -> Double {
        guard high0 > 0, low0 > 0, high1 > 0, low1 > 0 else { return 0 }
        let log = PortableMath.log, exp = PortableMath.exp
        let r0 = log(high0 / low0), r1 = log(high1 / low1)
        let beta = r0 * r0 + r1 * r1
        let g = log(max(high0, high1) / min(low0, low1))
        let gamma = g * g
        let alpha = ((2 * beta).squareRoot() - beta.squareRoot()) / k - (gamma / k).squareRoot()
        let e = exp(alpha)
        return max(0, 2 * (e - 1) / (1 + e))
    }
}
