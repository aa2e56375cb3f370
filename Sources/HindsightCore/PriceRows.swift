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
}
