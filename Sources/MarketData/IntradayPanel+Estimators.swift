import HindsightCore

extension IntradayPanel {
    /// The realised volatility of the bars (√Σ of squared log returns, close to close, the first from its open)
    /// and their volume: a session's own σ and volume for the square-root impact.
    public func realised(_ bars: Range<Int>) -> (sigma: Double, volume: Double) {
        var sum = 0.0, v = 0.0
        var previous = open[bars.lowerBound]
        for j in bars {
            let r = PortableMath.log(close[j] / previous)
            sum += r * r
            previous = close[j]
            v += volume[j]
        }
        return (sum.squareRoot(), v)
    }

    /// The mean Corwin–Schultz spread over consecutive pairs of the bars (each pair floored at 0).
    public func corwinSchultzSpread(_ bars: Range<Int>) -> Double {
        guard bars.count >= 2 else { return 0 }
        var sum = 0.0
        for j in bars.dropFirst() {
            sum += CorwinSchultz.spread(high0: high[j - 1], low0: low[j - 1], high1: high[j], low1: low[j])
        }
        return sum / Double(bars.count - 1)
    }
}
