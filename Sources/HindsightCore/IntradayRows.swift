/// Intraday bars, columnar, with tickers interned; `ts` is the bar's start in UTC seconds since 1970.
public struct IntradayRows: Sendable {
    public var tickers: [String] = []
    public var tickerIndex: [Int32] = []
    public var ts: [Int64] = []
    public var open: [Double] = []
    public var high: [Double] = []
    public var low: [Double] = []
    public var close: [Double] = []
    public var volume: [Double] = []
    /// Source line of each row and its file (index into `files`), for error messages.
    public var lines: [Int32] = []
    public var sourceFile: [Int16] = []
    public var files: [String] = []

    public init() {}

    public var count: Int { ts.count }

    public mutating func reserve(_ n: Int) {
        tickerIndex.reserveCapacity(n)
        ts.reserveCapacity(n)
        open.reserveCapacity(n)
        high.reserveCapacity(n)
        low.reserveCapacity(n)
        close.reserveCapacity(n)
        volume.reserveCapacity(n)
        lines.reserveCapacity(n)
        sourceFile.reserveCapacity(n)
    }

    public mutating func append(
        ticker: Int32, ts t: Int64, open o: Double, high h: Double, low l: Double,
        close c: Double, volume v: Double, line: Int32 = 0, file: Int16 = 0
    ) {
        tickerIndex.append(ticker)
        ts.append(t)
        open.append(o)
        high.append(h)
        low.append(l)
        close.append(c)
        volume.append(v)
        lines.append(line)
        sourceFile.append(file)
    }
}
