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

/// One part's rows: tickers numbered in the part's own order of first sight, lines from 1 at the part's start.
struct ParsedChunk: Sendable {
    var rows = PriceRows()
    var tickers: [String] = []
    var rejects: [RejectedRow] = []
    /// Lines the part spans (blank ones included), to number the next part's.
    var lines = 0
}

/// Where a parser thread leaves its part (each thread writes only its own slot).
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

    /// Parses and checks the records of `range`, as a single pass over the file would, but for line numbers (from 1
    /// at the range's start) and ticker numbers (the part's own).
    static func parseChunk(_ bytes: [UInt8], _ range: Range<Int>, _ layout: ChunkLayout) -> ParsedChunk {
        var out = ParsedChunk()
        var csv = CSVReader(bytes: bytes, path: layout.path, range: range, quoteFree: layout.quoteFree)
        let header = layout.header, path = layout.path, cTicker = layout.ticker, needed = layout.needed
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
        out.rows.reserve(range.count / 48)
        while csv.next() {
            let line = csv.lineNumber
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
            let o: Double, h: Double, l: Double, c: Double, v: Double
            switch csv.bar(layout.bars) {
            case .success(let bar): (o, h, l, c, v) = bar
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
                let key = csv.fieldHash(cTicker)
                if let known = rawLookup[key], csv.fieldEquals(cTicker, rawBytes[Int(known)]) {
                    t = rawIndex[Int(known)]
                } else {
                    let raw = csv.fieldBytes(cTicker)
                    if let problem = PriceFileParser.tickerProblem(bytes: raw) {
                        reject(cTicker, problem)
                        continue
                    }
                    var name = csv.string(cTicker).uppercased()
                    if layout.stooqTickers, name.hasSuffix(".US") { name.removeLast(3) }
                    t = intern(name)
                    rawLookup[key] = Int32(rawBytes.count)
                    rawBytes.append(raw)
                    rawIndex.append(t)
                }
            } else {
                t = fileTicker
            }
            out.rows.tickerIndex.append(t)
            out.rows.dates.append(day)
            out.rows.open.append(o)
            out.rows.high.append(h)
            out.rows.low.append(l)
            out.rows.close.append(c)
            out.rows.volume.append(v)
            out.rows.lines.append(Int32(line))
            out.rows.sourceFile.append(layout.fileIndex)
        }
        out.lines = csv.lineNumber
        return out
    }
}
