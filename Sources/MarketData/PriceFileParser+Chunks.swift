import Foundation
import HindsightCore

/// Where a price file's fields are, shared read-only by the threads that parse its parts.
struct ChunkLayout: Sendable {
    var path: String
    var header: [String]
    var date: Int
    /// The ticker column, or -1 when the file is one ticker's (`fileTicker`).
    var ticker: Int
    var fileTicker: String?
    var needed: Int
    var bars: BarColumns
    var stooqTickers: Bool
    var fileIndex: Int16
    /// The file has no quote, so its records are read by the quote-free tokeniser.
    var quoteFree: Bool
}

/// What one part found besides its rows: tickers numbered in the part's own order of first sight, its rejects
/// (with the file's line numbers) and how many rows it wrote.
struct ParsedChunk: Sendable {
    var tickers: [String] = []
    var rejects: [RejectedRow] = []
    var rows = 0
}

/// Where a parser thread leaves what its part found (each thread writes only its own slot).
final class ChunkSlot: @unchecked Sendable {
    var chunk: ParsedChunk?
}

extension PriceFileParser {
    /// `body` cut into at most `parts` ranges of at least `minBytes`, each ending just after a line end (the last at
    /// the end of the body).
    static func split(_ bytes: [UInt8], _ body: Range<Int>, parts: Int, minBytes: Int) -> [Range<Int>] {
        let k = max(1, min(parts, body.count / max(1, minBytes)))
        guard k > 1 else { return [body] }
        var cuts = [body.lowerBound]
        bytes.withUnsafeBytes { b in
            for j in 1..<k {
                let nominal = max(cuts.last!, body.lowerBound + body.count / k * j)
                guard nominal < body.upperBound,
                    let nl = memchr(b.baseAddress! + nominal, 0x0A, body.upperBound - nominal)
                else { break }
                let cut = b.baseAddress!.distance(to: UnsafeRawPointer(nl)) + 1
                if cut < body.upperBound, cut > cuts.last! { cuts.append(cut) }
            }
        }
        cuts.append(body.upperBound)
        return zip(cuts, cuts.dropFirst()).map { $0..<$1 }
    }

    /// The lines of `range` as the reader counts them: its line ends, and one more for text after the last.
    static func lineCount(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        bytes.withUnsafeBytes { b in
            var n = 0, i = range.lowerBound
            while i + 8 <= range.upperBound {
                let w = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                n += CSVReader.zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A).nonzeroBitCount
                i += 8
            }
            while i < range.upperBound {
                if b[i] == 0x0A { n += 1 }
                i += 1
            }
            if !range.isEmpty, b[range.upperBound - 1] != 0x0A { n += 1 }
            return n
        }
    }

    /// Parses and checks the records of `range` (whose first line is the file's line `firstLine`) into `sink`, as
    /// a single pass over the file would, but for ticker numbers (the part's own).
    static func parseChunk(
        _ bytes: [UInt8], _ range: Range<Int>, _ layout: ChunkLayout, firstLine: Int, into sink: RowSink
    ) -> ParsedChunk {
        var out = ParsedChunk()
        var csv = CSVReader(bytes: bytes, path: layout.path, range: range, quoteFree: layout.quoteFree)
        let header = layout.header, path = layout.path, cTicker = layout.ticker, needed = layout.needed
        let lineBase = firstLine - 1
        var lookup: [String: Int32] = [:]
        func intern(_ t: String) -> Int32 {
            if let i = lookup[t] { return i }
            let i = Int32(out.tickers.count)
            lookup[t] = i
            out.tickers.append(t)
            return i
        }
        let fileTicker = layout.fileTicker.map(intern) ?? -1
        // Fast path: raw ticker bytes seen before in this part, so no String is made for the row.
        var rawLookup: [UInt64: Int32] = [:]
        var rawBytes: [[UInt8]] = []
        var rawIndex: [Int32] = []
        var last = -1
        var n = 0
        while csv.next() {
            let line = lineBase + csv.lineNumber
            @inline(__always) func reject(_ col: Int, _ reason: String) {
                let name = col >= 0 && col < header.count ? header[col] : "?"
                let value = col >= 0 && col < csv.fieldCount ? csv.string(col) : ""
                out.rejects.append(RejectedRow(file: path, line: line, column: name, value: value, reason: reason))
            }
            if csv.fieldCount < needed {
                let missing = (0..<needed).first { $0 >= csv.fieldCount } ?? 0
                out.rejects.append(
                    RejectedRow(
                        file: path, line: line, column: header[missing], value: csv.lineText(),
                        reason: "missing column: expected \(header.count) fields, found \(csv.fieldCount)"))
                continue
            }
            guard let day = csv.day(layout.date) else {
                reject(layout.date, "unparsable date; expected YYYY-MM-DD")
                continue
            }
            let bar: (Double, Double, Double, Double, Double)
            switch csv.bar(layout.bars) {
            case .success(let b): bar = b
            case .failure(let problem):
                reject(problem.column, problem.reason)
                continue
            }
            let t: Int32
            if cTicker >= 0 {
                if csv.isEmpty(cTicker) {
                    reject(cTicker, "empty ticker")
                    continue
                }
                if last >= 0, csv.fieldEquals(cTicker, rawBytes[last]) {
                    // Long files are mostly grouped by ticker: the row's ticker is usually the previous row's.
                    t = rawIndex[last]
                } else if case let key = csv.fieldHash(cTicker), let known = rawLookup[key],
                    csv.fieldEquals(cTicker, rawBytes[Int(known)])
                {
                    t = rawIndex[Int(known)]
                    last = Int(known)
                } else {
                    let raw = csv.fieldBytes(cTicker)
                    if let problem = PriceFileParser.tickerProblem(bytes: raw) {
                        reject(cTicker, problem)
                        continue
                    }
                    var name = csv.string(cTicker).uppercased()
                    if layout.stooqTickers, name.hasSuffix(".US") { name.removeLast(3) }
                    t = intern(name)
                    last = rawBytes.count
                    rawLookup[csv.fieldHash(cTicker)] = Int32(rawBytes.count)
                    rawBytes.append(raw)
                    rawIndex.append(t)
                }
            } else {
                t = fileTicker
            }
            sink.write(n, ticker: t, date: day, bar: bar, line: Int32(line), file: layout.fileIndex)
            n += 1
        }
        out.rows = n
        return out
    }
}
