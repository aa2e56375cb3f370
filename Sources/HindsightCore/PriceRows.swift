/// Parsed price rows, columnar, with tickers interned.
public struct PriceRows: Sendable {
    public var tickers: [String] = []
    public var tickerIndex: [Int32] = []
    public var dates: [TradingDay] = []
    public var open: [Double] = []
    public var high: [Double] = []
    public var low: [Double] = []
    public var close: [Double] = []
    public var volume: [Double] = []
    /// Source line of each row, for error messages.
    public var lines: [Int32] = []
    public var sourceFile: [Int16] = []
    /// Source file names, indexed by `sourceFile`.
    public var files: [String] = []

    public init() {}

    public var count: Int { dates.count }

    public mutating func reserve(_ n: Int) {
        tickerIndex.reserveCapacity(n)
        dates.reserveCapacity(n)
        open.reserveCapacity(n)
        high.reserveCapacity(n)
        low.reserveCapacity(n)
        close.reserveCapacity(n)
        volume.reserveCapacity(n)
        lines.reserveCapacity(n)
        sourceFile.reserveCapacity(n)
    }

    /// Appends row `i` of `other` (same ticker numbering).
    public mutating func append(row i: Int, of other: PriceRows) {
        tickerIndex.append(other.tickerIndex[i])
        dates.append(other.dates[i])
        open.append(other.open[i])
        high.append(other.high[i])
        low.append(other.low[i])
        close.append(other.close[i])
        volume.append(other.volume[i])
        if other.lines.count > i { lines.append(other.lines[i]) }
        if other.sourceFile.count > i { sourceFile.append(other.sourceFile[i]) }
    }
}
