import HindsightCore

/// A dated table read from `date,<col1>,<col2>,...` CSV: one row per date, numeric columns.
public struct TimeSeriesTable: Sendable {
    public var path: String
    public var dates: [TradingDay]
    public var names: [String]
    /// One array per column, aligned with `dates`.
    public var columns: [[Double]]

    /// Cells read as missing (NaN): empty, nan, null, na, n/a, #n/a (case-insensitive).
    public static let missingMarkers: Set<String> = ["nan", "null", "na", "n/a", "#n/a", "none"]

    /// Reads a file; every cell must be a number or missing, and dates must be unique.
    public static func read(_ path: String) throws -> TimeSeriesTable {
        var csv = CSVReader(bytes: try FileBytes.read(path), path: path)
        let header = try csv.header()
        let lower = header.map { $0.lowercased() }
        guard
            let dateCol = lower.firstIndex(where: { $0 == "date" || $0 == "datetime" || $0 == "timestamp" })
                ?? (lower.isEmpty ? nil : 0)
        else {
            throw HindsightError(.invalidData, "\(path):1: no columns", cause: "expected a header like date,value")
        }
        let valueCols = header.indices.filter { $0 != dateCol }
        guard !valueCols.isEmpty else {
            throw HindsightError(
                .invalidData, "\(path):1: no value column in header '\(header.joined(separator: ","))'",
                cause: "expected date,value")
        }
        var t = TimeSeriesTable(
            path: path, dates: [], names: valueCols.map { header[$0] },
            columns: Array(repeating: [], count: valueCols.count))
        var seen = Set<TradingDay>()
        while csv.next() {
            let line = csv.lineNumber
            guard csv.fieldCount >= header.count else {
                throw HindsightError(
                    .invalidData, "\(path):\(line): expected \(header.count) fields, found \(csv.fieldCount)",
                    cause: "every row needs a date and a value per column")
            }
            let text = csv.string(dateCol)
            // Accept timestamps like 2020-01-02 00:00:00 by their date part.
            guard let d = csv.day(dateCol) ?? TradingDay(iso: text.prefix(10)) else {
                throw HindsightError(
                    .invalidData, "\(path):\(line): column '\(header[dateCol])' value '\(text)' is not a date",
                    cause: "write dates as YYYY-MM-DD")
            }
            guard seen.insert(d).inserted else {
                throw HindsightError(
                    .invalidData, "\(path):\(line): date \(d) appears twice", cause: "keep one row per date")
            }
            t.dates.append(d)
            for (k, c) in valueCols.enumerated() {
                if csv.isEmpty(c) || TimeSeriesTable.missingMarkers.contains(csv.string(c).lowercased()) {
                    t.columns[k].append(.nan)
                    continue
                }
                guard let v = csv.double(c) else {
                    throw HindsightError(
                        .invalidData, "\(path):\(line): column '\(header[c])' value '\(csv.string(c))' is not a number",
                        cause: "write plain decimal numbers; leave a cell empty (or NaN) for a missing value")
                }
                t.columns[k].append(v)
            }
        }
        guard !t.dates.isEmpty else { throw HindsightError(.invalidData, "\(path): no data rows") }
        // Sort by date (files are usually sorted already).
        if zip(t.dates, t.dates.dropFirst()).contains(where: { $0 >= $1 }) {
            let order = t.dates.indices.sorted { t.dates[$0] < t.dates[$1] }
            t.dates = order.map { t.dates[$0] }
            t.columns = t.columns.map { col in order.map { col[$0] } }
        }
        return t
    }

    /// The column with this name (case-insensitive).
    public func column(named name: String) -> [Double]? {
        names.firstIndex { $0.lowercased() == name.lowercased() }.map { columns[$0] }
    }

    /// The price column to use: adjusted close, else close, else the first value column.
    public var priceColumn: Int {
        let norm = names.map { String($0.lowercased().filter { $0.isLetter }) }
        return norm.firstIndex(of: "adjclose") ?? norm.firstIndex(of: "close") ?? 0
    }

    /// Simple returns from a price column: pₜ/pₜ₋₁ − 1, dropping the first date.
    public func returnsFromPrices(column k: Int) throws -> TimeSeriesTable {
        let p = columns[k]
        for (i, v) in p.enumerated() where !(v > 0) && !v.isNaN {
            throw HindsightError(
                .invalidData, "\(path): price \(v) on \(dates[i]) is not positive",
                cause: "a prices file needs positive prices")
        }
        var out = TimeSeriesTable(path: path, dates: Array(dates.dropFirst()), names: [names[k]], columns: [[]])
        // A missing price makes the returns on both sides of it missing.
        out.columns[0] = (1..<p.count).map { p[$0] / p[$0 - 1] - 1 }
        return out
    }
}
