import Dispatch
import Foundation
import HindsightCore

/// Parses and validates price files into `PriceRows`, collecting rejected rows.
public struct PriceFileParser {
    public var forcedFormat: PriceFormat?
    public var forcedTicker: String?
    /// How a file is cut for parsing: into at most `chunkParts` pieces (0: one per core) of at least `chunkMinBytes`
    /// (tests cut small files).
    public var chunkParts = 0
    public var chunkMinBytes = 4 << 20
    /// Prices at or above this are refused (not a real share price; sums of them overflow).
    public static let maxPrice = 1e9
    /// Relative slack allowed for open/close outside [low, high] (float rounding in vendor files).
    public static let rangeTolerance = 1e-6

    static func powerOfTenInverse(_ d: Int) -> Double {
        var v = 1.0
        for _ in 0..<d { v /= 10 }
        return v
    }

    public private(set) var rows = PriceRows()
    public private(set) var rejects: [RejectedRow] = []
    private var tickerLookup: [String: Int32] = [:]
    private var files: [String] = []

    public init(format: PriceFormat? = nil, ticker: String? = nil) {
        self.forcedFormat = format
        self.forcedTicker = ticker
    }

    /// Parses one file (plain or gzip) and appends its valid rows.
    public mutating func parse(file path: String) throws {
        let bytes = try FileBytes.read(path)
        try parse(bytes: bytes, path: path)
    }

    public mutating func parse(bytes: [UInt8], path: String) throws {
        var csv = CSVReader(bytes: bytes, path: path)
        let header = try csv.header()
        guard let format = forcedFormat ?? PriceFormat.detect(header: header) else {
            throw HindsightError(
                .invalidData,
                "\(path):1: unrecognised price header '\(header.joined(separator: ","))'",
                cause:
                    "expected date,ticker,open,high,low,close,volume (long), Date,Open,High,Low,Close,Volume[,OpenInt] (stooq/plain) or Date,Open,High,Low,Close,Adj Close,Volume (yahoo); or pass --format"
            )
        }
        let names = header.map(PriceFormat.normalize)
        for (i, n) in names.enumerated() where !n.isEmpty {
            if let j = names[(i + 1)...].firstIndex(of: n) {
                throw HindsightError(
                    .invalidData, "\(path):1: column '\(header[i])' appears twice (columns \(i + 1) and \(j + 1))",
                    cause: "keep one of them; Hindsight will not guess which one holds the data")
            }
        }
        func column(_ wanted: [String], _ label: String) throws -> Int {
            for w in wanted { if let i = names.firstIndex(of: w) { return i } }
            throw HindsightError(
                .invalidData, "\(path):1: missing column '\(label)' in header '\(header.joined(separator: ","))'",
                cause: "add the column, or pass --format to choose another layout")
        }
        let cDate = try column(["date"], "date")
        let cOpen = try column(["open"], "open")
        let cHigh = try column(["high"], "high")
        let cLow = try column(["low"], "low")
        let cClose = try column(["close"], "close")
        let cVol = try column(["volume", "vol"], "volume")
        var cTicker = -1
        var fileTicker: Int32 = -1
        // stooq's bulk files carry `<TICKER>,<PER>,...` with tickers like `AAPL.US`.
        let stooqTickers = names.contains("per")
        if format.isPerTicker {
            let t = forcedTicker ?? PriceFormat.ticker(fromFileName: path)
            guard !t.isEmpty else {
                throw HindsightError(
                    .invalidArgument, "\(path): cannot tell the ticker from the file name",
                    cause: "pass --ticker SYMBOL")
            }
            if let problem = PriceFileParser.tickerProblem(t) {
                throw HindsightError(
                    .invalidArgument, "\(path): the ticker taken from the file name \(problem)",
                    cause: "pass --ticker SYMBOL")
            }
            fileTicker = intern(t)
        } else {
            cTicker = try column(["ticker", "symbol"], "ticker")
        }
        // Columns the layout does not read are named, not dropped silently.
        let used: Set<Int> = [cDate, cOpen, cHigh, cLow, cClose, cVol, cTicker]
        let known: Set<String> = ["adjclose", "openint", "per", "time"]
        let extra = header.indices.filter { !used.contains($0) && !known.contains(names[$0]) }.map { header[$0] }
        if !extra.isEmpty { ignoredColumns.append((path, extra)) }
        let fileIndex = Int16(files.count)
        files.append(path)
        let layout = ChunkLayout(
            path: path, header: header, date: cDate, ticker: cTicker,
            fileTicker: fileTicker < 0 ? nil : tickerOrder[Int(fileTicker)],
            needed: max(cDate, cOpen, cHigh, cLow, cClose, cVol, cTicker) + 1,
            bars: BarColumns(open: cOpen, high: cHigh, low: cLow, close: cClose, volume: cVol),
            stooqTickers: stooqTickers, fileIndex: fileIndex, quoteFree: !csv.hasQuotes)
        let body = csv.offset..<bytes.count
        // A file without quotes is cut at line ends and read by one thread a part (a quoted field may hold a line
        // end, so a file with quotes is read by one thread): 122 MB, 2.2M rows, 0.6 s on one thread.
        let parts =
            csv.hasQuotes
            ? [body]
            : PriceFileParser.split(
                bytes, body, parts: chunkParts > 0 ? chunkParts : ProcessInfo.processInfo.activeProcessorCount,
                minBytes: chunkMinBytes)
        // Each part's rows go to their final place: its first line and first row follow from the earlier parts'
        // line counts.
        let lines = PriceFileParser.counts(parts) { PriceFileParser.lineCount(bytes, $0) }
        var firstLine = [csv.lineNumber + 1], firstRow = [rows.count]
        for k in lines.indices.dropLast() {
            firstLine.append(firstLine[k] + lines[k])
            firstRow.append(firstRow[k] + lines[k])
        }
        let slots = parts.map { _ in ChunkSlot() }
        let starts = (line: firstLine, row: firstRow)
        var found: [ParsedChunk] = []
        rows = RowSink.columns(capacity: rows.count + lines.reduce(0, +), head: rows) { sink in
            let parse: @Sendable (Int) -> Void = { k in
                slots[k].chunk = PriceFileParser.parseChunk(
                    bytes, parts[k], layout, firstLine: starts.line[k],
                    into: sink.part(from: starts.row[k], capacity: lines[k]))
            }
            if parts.count == 1 {
                parse(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: parts.count, execute: parse)
            }
            found = slots.map { $0.chunk! }
            // Close the gaps that rejected and blank lines left.
            var at = starts.row[0]
            for (k, chunk) in found.enumerated() {
                sink.move(chunk.rows, from: starts.row[k], to: at)
                at += chunk.rows
            }
            return at
        }
        // Number the tickers as one pass would (each part numbered its own in order of first sight).
        var at = starts.row[0]
        for chunk in found {
            let global = chunk.tickers.map { intern($0) }
            if !global.elementsEqual(0..<Int32(global.count)) {
                rows.tickerIndex.withUnsafeMutableBufferPointer { t in
                    for i in at..<(at + chunk.rows) { t[i] = global[Int(t[i])] }
                }
            }
            at += chunk.rows
            rejects += chunk.rejects
        }
        rows.tickers = tickerOrder
        rows.files = files
    }

    /// `count` of each part, one task a part.
    private static func counts(_ parts: [Range<Int>], _ count: @Sendable (Range<Int>) -> Int) -> [Int] {
        guard parts.count > 1 else { return parts.map(count) }
        let out = Locked([Int](repeating: 0, count: parts.count))
        DispatchQueue.concurrentPerform(iterations: parts.count) { k in
            let n = count(parts[k])
            out.withLock { $0[k] = n }
        }
        return out.value
    }

    /// Why a bar cannot be stored, as (field: 0 open … 4 volume, reason), or nil. `decimals` gives the most digits
    /// written after the point in the row's prices (rounding slack for open or close just outside the range).
    @inline(__always)
    public static func barProblem(
        open o: Double, high h: Double, low l: Double, close c: Double, volume v: Double, decimals: () -> Int
    ) -> (field: Int, reason: String)? {
        // Checked field by field (no array per row: this runs once per imported bar).
        let positive = "non-positive price; prices must be > 0"
        if !(o > 0) { return (0, positive) }
        if !(h > 0) { return (1, positive) }
        if !(l > 0) { return (2, positive) }
        if !(c > 0) { return (3, positive) }
        // No listed share trades near 1e9 a share; beyond that sums overflow long before a run ends.
        func absurd(_ p: Double) -> String { "price \(p) is not finite or absurdly large (limit \(maxPrice))" }
        if !(o < maxPrice) { return (0, absurd(o)) }
        if !(h < maxPrice) { return (1, absurd(h)) }
        if !(l < maxPrice) { return (2, absurd(l)) }
        if !(c < maxPrice) { return (3, absurd(c)) }
        if !(v.isFinite && v < 1e15) { return (4, "volume \(v) is not finite or absurdly large") }
        if h < l { return (1, "high \(h) is below low \(l)") }
        var tol = rangeTolerance * h
        if o > h + tol || o < l - tol || c > h + tol || c < l - tol {
            // Rounding slack: one unit in the last decimal written (capped at 1e-4 of the price).
            tol = max(tol, min(powerOfTenInverse(decimals()), 1e-4 * h))
        }
        if o > h + tol || o < l - tol { return (0, "open \(o) is outside [low \(l), high \(h)]") }
        if c > h + tol || c < l - tol { return (3, "close \(c) is outside [low \(l), high \(h)]") }
        if v < 0 { return (4, "negative volume") }
        return nil
    }

    /// Header columns a file had that its layout does not read, by file (reported by the import).
    public private(set) var ignoredColumns: [(file: String, columns: [String])] = []

    public static let maxTickerLength = 32

    /// Why a ticker cannot be stored (nil when it can): 1 to 32 printable ASCII characters, no spaces, commas or
    /// quotes. Bytes are checked as they are, so a Latin-1 byte or a NUL is refused rather than changed.
    public static func tickerProblem(bytes: [UInt8]) -> String? {
        if bytes.isEmpty { return "empty ticker" }
        if bytes.count > maxTickerLength { return "ticker of \(bytes.count) bytes, more than \(maxTickerLength)" }
        if let b = bytes.first(where: { $0 <= 0x20 || $0 >= 0x7F || $0 == 0x22 || $0 == 0x27 || $0 == 0x2C }) {
            return
                "ticker has the byte 0x\(String(b, radix: 16, uppercase: true)) (tickers are printable ASCII without spaces, quotes or commas)"
        }
        return nil
    }

    public static func tickerProblem(_ t: String) -> String? { tickerProblem(bytes: Array(t.utf8)) }

    private var tickerOrder: [String] = []

    private mutating func intern(_ t: String) -> Int32 {
        if let i = tickerLookup[t] { return i }
        let i = Int32(tickerOrder.count)
        tickerLookup[t] = i
        tickerOrder.append(t)
        return i
    }

    /// Moves duplicate (ticker, date) rows to the rejects; the first occurrence is kept.
    public mutating func rejectDuplicates() {
        let n = rows.count
        guard n > 1 else { return }
        // One bit per (ticker, day) finds whether there is any duplicate in one pass; only then are the rows sorted
        // to name each duplicate and its first line (the sort took 0.1 s of a 2.2M-row load).
        let lo = rows.dates.min()!.daysSinceEpoch, span = Int(rows.dates.max()!.daysSinceEpoch - lo) + 1
        if rows.tickers.count * span <= 1 << 32 {
            var seen = [UInt64](repeating: 0, count: (rows.tickers.count * span + 63) / 64)
            var any = false
            for i in 0..<n {
                let cell = Int(rows.tickerIndex[i]) * span + Int(rows.dates[i].daysSinceEpoch - lo)
                let bit: UInt64 = 1 << UInt64(cell & 63)
                if seen[cell >> 6] & bit != 0 {
                    any = true
                    break
                }
                seen[cell >> 6] |= bit
            }
            guard any else { return }
        }
        let keys = (0..<n).map {
            Int64(rows.tickerIndex[$0]) << 32 | Int64(UInt32(bitPattern: rows.dates[$0].daysSinceEpoch))
        }
        var order = Array(0..<n)
        order.sort { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        var drop = [Bool](repeating: false, count: n)
        var any = false
        for k in 1..<n where keys[order[k]] == keys[order[k - 1]] {
            let i = order[k]
            drop[i] = true
            any = true
            let firstLine = rows.lines[order[k - 1]]
            rejects.append(
                RejectedRow(
                    file: files[Int(rows.sourceFile[i])], line: Int(rows.lines[i]), column: "date",
                    value: rows.dates[i].iso,
                    reason:
                        "duplicate (ticker \(rows.tickers[Int(rows.tickerIndex[i])]), date); first seen on line \(firstLine)"
                ))
        }
        guard any else { return }
        var kept = PriceRows()
        kept.tickers = rows.tickers
        kept.files = rows.files
        kept.reserve(n)
        for i in 0..<n where !drop[i] { kept.append(row: i, of: rows) }
        rows = kept
    }

    /// Rejects sorted by file then line.
    public var sortedRejects: [RejectedRow] {
        rejects.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
    }
}
