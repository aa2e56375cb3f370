import HindsightCore
import TimeMachine

/// Parses long intraday CSVs (`datetime,ticker,open,high,low,close,volume`, plain or gzip) into `IntradayRows`,
/// with the daily import's checks on every bar and the rejected rows collected.
public struct IntradayFileParser {
    public static let header = "datetime,ticker,open,high,low,close,volume"
    /// Bar lengths the engine accepts: 1 minute to 1 hour.
    public static let barSeconds = 60...3600

    public let zone: IntradayTimeZone
    public private(set) var rows = IntradayRows()
    public private(set) var rejects: [RejectedRow] = []
    private var files: [String] = []
    private var tickerLookup: [String: Int32] = [:]

    public init(zone: IntradayTimeZone) { self.zone = zone }

    public mutating func parse(file path: String) throws {
        try parse(bytes: try FileBytes.read(path), path: path)
    }

    public mutating func parse(bytes: [UInt8], path: String) throws {
        var csv = CSVReader(bytes: bytes, path: path)
        let header = try csv.header()
        let names = header.map(PriceFormat.normalize)
        func column(_ wanted: [String], _ label: String) throws -> Int {
            for w in wanted { if let i = names.firstIndex(of: w) { return i } }
            throw HindsightError(
                .invalidData, "\(path):1: missing column '\(label)' in header '\(header.joined(separator: ","))'",
                cause: "intraday files are long CSVs with the header \(IntradayFileParser.header)")
        }
        let cTime = try column(["datetime", "timestamp", "ts", "time"], "datetime")
        let cTicker = try column(["ticker", "symbol"], "ticker")
        let cOpen = try column(["open"], "open"), cHigh = try column(["high"], "high")
        let cLow = try column(["low"], "low"), cClose = try column(["close"], "close")
        let cVol = try column(["volume", "vol"], "volume")
        let needed = max(cTime, cTicker, cOpen, cHigh, cLow, cClose, cVol) + 1
        let columns = BarColumns(open: cOpen, high: cHigh, low: cLow, close: cClose, volume: cVol)
        let fileIndex = Int16(files.count)
        files.append(path)
        rows.reserve(rows.count + bytes.count / 56)
        var lastTickerBytes: [UInt8] = []
        var lastTicker: Int32 = -1
        while csv.next() {
            let line = csv.lineNumber
            func reject(_ col: Int, _ reason: String) {
                let value = col < csv.fieldCount ? csv.string(col) : ""
                rejects.append(RejectedRow(file: path, line: line, column: header[col], value: value, reason: reason))
            }
            if csv.fieldCount < needed {
                rejects.append(
                    RejectedRow(
                        file: path, line: line, column: header[min(csv.fieldCount, header.count - 1)],
                        value: csv.lineText(),
                        reason: "missing column: expected \(header.count) fields, found \(csv.fieldCount)"))
                continue
            }
            let t: Int64
            switch IntradayTimestamp.parse(csv.bytes[csv.fields[cTime]], zone: zone) {
            case .success(let v): t = v
            case .failure(.noOffset):
                reject(
                    cTime, "timestamp has no UTC offset; write one (e.g. -05:00) or pass --timezone America/New_York")
                continue
            case .failure(.fractionalSeconds):
                reject(cTime, "fractional seconds; bars start on whole seconds")
                continue
            case .failure(.malformed):
                reject(cTime, "unparsable timestamp; expected YYYY-MM-DD HH:MM[:SS][±HH:MM]")
                continue
            }
            let o: Double, h: Double, l: Double, c: Double, v: Double
            switch csv.bar(columns) {
            case .success(let bar): (o, h, l, c, v) = bar
            case .failure(let problem):
                reject(problem.column, problem.reason)
                continue
            }
            // Files are usually sorted by ticker: the last ticker's bytes are compared before any lookup.
            let ticker: Int32
            if lastTicker >= 0, csv.fieldEquals(cTicker, lastTickerBytes) {
                ticker = lastTicker
            } else {
                let raw = csv.fieldBytes(cTicker)
                if let problem = PriceFileParser.tickerProblem(bytes: raw) {
                    reject(cTicker, problem)
                    continue
                }
                ticker = intern(String(decoding: raw, as: UTF8.self).uppercased())
                lastTickerBytes = raw
                lastTicker = ticker
            }
            rows.append(
                ticker: ticker, ts: t, open: o, high: h, low: l, close: c, volume: v, line: Int32(line),
                file: fileIndex)
        }
        rows.files = files
    }

    private mutating func intern(_ t: String) -> Int32 {
        if let i = tickerLookup[t] { return i }
        let i = Int32(rows.tickers.count)
        tickerLookup[t] = i
        rows.tickers.append(t)
        return i
    }

    /// Sorts the rows by (ticker, ts), moves duplicates to the rejects (the first is kept), and refuses a ticker
    /// whose usual spacing is not a 1-minute to 1-hour bar. Returns the bar length per ticker in seconds.
    @discardableResult
    public mutating func finish() throws -> [String: Int] {
        let n = rows.count
        var order = Array(0..<n)
        let ti = rows.tickerIndex, ts = rows.ts
        let rank: [Int32] = {
            let sorted = rows.tickers.indices.sorted { rows.tickers[$0] < rows.tickers[$1] }
            var r = [Int32](repeating: 0, count: rows.tickers.count)
            for (k, i) in sorted.enumerated() { r[i] = Int32(k) }
            return r
        }()
        @inline(__always) func before(_ x: Int, _ y: Int) -> Bool {
            let a = rank[Int(ti[x])], b = rank[Int(ti[y])]
            return a != b ? a < b : ts[x] < ts[y]
        }
        // Files are usually written in key order already: then there is nothing to sort and no duplicate.
        let inOrder = n < 2 || (1..<n).allSatisfy { before($0 - 1, $0) }
        if !inOrder { order.sort { before($0, $1) || (!before($1, $0) && $0 < $1) } }
        var kept = IntradayRows()
        if !inOrder {
            kept.tickers = rows.tickers
            kept.files = rows.files
            kept.reserve(n)
        }
        var spacing: [Int32: [Int64: Int]] = [:]
        // Spacings are counted in runs (a file's gaps are mostly equal), not one dictionary update per bar.
        var runTicker: Int32 = -1, runGap: Int64 = 0, runCount = 0
        func flush() {
            guard runTicker >= 0 else { return }
            if runCount > 0 { spacing[runTicker, default: [:]][runGap, default: 0] += runCount }
            runCount = 0
        }
        var previousDay = TradingDay(daysSinceEpoch: .min)
        for (k, i) in order.enumerated() {
            let day = USEastern.local(utc: ts[i]).day
            defer { previousDay = day }
            if k > 0, ti[order[k - 1]] == ti[i] {
                let gap = ts[i] - ts[order[k - 1]]
                if gap == 0 {
                    rejects.append(
                        RejectedRow(
                            file: files[Int(rows.sourceFile[i])], line: Int(rows.lines[i]), column: "datetime",
                            value: UTCTime.iso(ts[i]),
                            reason:
                                "duplicate (ticker \(rows.tickers[Int(ti[i])]), datetime); first seen on line \(rows.lines[order[k - 1]])"
                        ))
                    continue
                }
                // Bar length from bars of the same New York day (overnight gaps say nothing about it).
                if day == previousDay {
                    if ti[i] != runTicker || gap != runGap {
                        flush()
                        runTicker = ti[i]
                        runGap = gap
                    }
                    runCount += 1
                } else if spacing[ti[i]] == nil {
                    spacing[ti[i]] = [:]  // a ticker with only overnight gaps is daily data
                }
            } else {
                flush()
                runTicker = ti[i]
                runGap = 0
            }
            if !inOrder {
                kept.append(
                    ticker: ti[i], ts: ts[i], open: rows.open[i], high: rows.high[i], low: rows.low[i],
                    close: rows.close[i], volume: rows.volume[i], line: rows.lines[i], file: rows.sourceFile[i])
            }
        }
        flush()
        if !inOrder { rows = kept }
        var bars: [String: Int] = [:]
        for (t, counts) in spacing {
            let name = rows.tickers[Int(t)]
            guard
                let usual = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key })?.key
            else {
                throw HindsightError(
                    .invalidData, "\(name): one bar per day; these are daily bars, not intraday; nothing was imported",
                    cause: "import daily bars with `data import prices`")
            }
            guard IntradayFileParser.barSeconds.contains(Int(usual)) else {
                throw HindsightError(
                    .invalidData,
                    "\(name): bars are \(usual) seconds apart; intraday bars are 1 minute to 1 hour; nothing was imported",
                    cause: "resample to 1-minute bars or longer, or import daily bars with `data import prices`")
            }
            bars[name] = Int(usual)
        }
        return bars
    }

    public var sortedRejects: [RejectedRow] { rejects.sorted { ($0.file, $0.line) < ($1.file, $1.line) } }
}
