/// One asset's own bars in date order (gaps skipped, not filled): the input of every signal kernel.
public struct AssetBars: Sendable {
    public var open: [Double]
    public var high: [Double]
    public var low: [Double]
    public var close: [Double]
    public var volume: [Double]
    /// Close adjusted for splits and dividends (total return).
    public var adjClose: [Double]
    /// The session index of each bar in its panel (empty when the bars were made by hand).
    public var sessions: [Int32] = []

    public init(
        open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double], adjClose: [Double]
    ) {
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.adjClose = adjClose
    }

    public var count: Int { close.count }

    /// A named input series.
    public func series(_ s: SignalSeries) -> [Double] {
        switch s {
        case .open: return open
        case .high: return high
        case .low: return low
        case .close: return close
        case .volume: return volume
        case .adjClose: return adjClose
        case .returns:
            var r = [Double](repeating: .nan, count: adjClose.count)
            for t in 1..<max(1, adjClose.count) { r[t] = adjClose[t] / adjClose[t - 1] - 1 }
            return r
        }
    }
}

/// The input series an expression can name.
public enum SignalSeries: String, CaseIterable, Sendable {
    case open, high, low, close, volume
    case adjClose = "adj_close"
    case returns
}
