import GRDB
import HindsightCore

extension HindsightDatabase {
    /// Writes intraday bars in one transaction, in key order; a stored (ticker, ts) is refused unless `replace`.
    @discardableResult
    public func importIntraday(_ rows: IntradayRows, replace: Bool) throws -> Int {
        do {
            return try writer.write { db in
                try insertIntraday(db, rows, verb: replace ? "INSERT OR REPLACE" : "INSERT")
            }
        } catch let e as HindsightError {
            throw e
        } catch {
            throw HindsightError(
                .database, "\(path): the import failed and nothing was written",
                cause: HindsightDatabase.describe(error))
        }
    }

    /// Rows per INSERT statement: one statement step per 64 bars instead of per bar.
    static let intradayBatch = 64

    func insertIntraday(_ db: Database, _ rows: IntradayRows, verb: String) throws -> Int {
        let columns = "\(verb) INTO equity_prices_intraday(ticker, ts, open, high, low, close, volume) VALUES "
        let one = try RawStatement(db, sql: columns + "(?, ?, ?, ?, ?, ?, ?)")
        let batch = HindsightDatabase.intradayBatch
        let many = try RawStatement(
            db, sql: columns + Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: batch).joined(separator: ", "))
        // Every ticker's bytes in one buffer that outlives each statement step (bound without a copy).
        let names = rows.tickers.map { Array($0.utf8) }
        var offsets = [0]
        for n in names { offsets.append(offsets.last! + n.count) }
        let text = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, offsets.last!))
        defer { text.deallocate() }
        for (k, n) in names.enumerated() { for (j, b) in n.enumerated() { text[offsets[k] + j] = b } }
        // Binds row i at parameter offset `base`.
        func bind(_ st: RawStatement, _ i: Int, at base: Int32) {
            let t = Int(rows.tickerIndex[i])
            st.bindStatic(base + 1, text + offsets[t], count: offsets[t + 1] - offsets[t])
            st.bind(base + 2, Int(rows.ts[i]))
            st.bind(base + 3, rows.open[i])
            st.bind(base + 4, rows.high[i])
            st.bind(base + 5, rows.low[i])
            st.bind(base + 6, rows.close[i])
            st.bind(base + 7, rows.volume[i])
        }
        func insertOneByOne(_ range: Range<Int>) throws {
            for i in range {
                bind(one, i, at: 0)
                let rc = one.run()
                guard rc != 0 else { continue }
                let at =
                    rows.files.isEmpty ? "\(path): " : "\(rows.files[Int(rows.sourceFile[i])]):\(rows.lines[i]): "
                let what = "(\(rows.tickers[Int(rows.tickerIndex[i])]), \(UTCTime.iso(rows.ts[i])))"
                if RawStatement.isConstraint(rc) {
                    throw HindsightError(
                        .duplicate,
                        "\(at)bar \(what) is already in the database (\(one.lastError)); nothing was imported",
                        cause: "pass --replace to overwrite stored bars, or remove the row")
                }
                throw HindsightError(
                    .database, "\(at)cannot write bar \(what); nothing was imported", cause: one.lastError)
            }
        }
        var i = 0
        while i + batch <= rows.count {
            for r in 0..<batch { bind(many, i + r, at: Int32(r * 7)) }
            // A failed statement inserts none of its rows: the rows again one by one name the one that failed.
            if many.run() != 0 { try insertOneByOne(i..<(i + batch)) }
            i += batch
        }
        try insertOneByOne(i..<rows.count)
        return rows.count
    }

    /// The bars of `tickers` (all when nil) with `from` ≤ ts < `to`, ordered by ticker then time: one primary-key
    /// range scan per ticker, so the cost follows the tickers asked for, not the table.
    public func loadIntraday(tickers: [String]? = nil, from: Int64 = .min, to: Int64 = .max) throws -> IntradayRows {
        let names = try tickers ?? intradayTickers()
        return try readWrapped { db in
            var rows = IntradayRows()
            // A database made before intraday bars existed, opened read-only, has no table: no bars.
            guard try db.tableExists("equity_prices_intraday") else { return rows }
            let st = try RawStatement(
                db,
                sql:
                    "SELECT ts, open, high, low, close, volume FROM equity_prices_intraday WHERE ticker = ? AND ts >= ? AND ts < ? ORDER BY ts"
            )
            for name in names.sorted() {
                st.reset()
                st.bind(1, name)
                st.bind(2, Int(from))
                st.bind(3, Int(to))
                let index = Int32(rows.tickers.count)
                var any = false
                while try st.step() {
                    any = true
                    rows.tickerIndex.append(index)
                    rows.ts.append(Int64(st.int(0)))
                    rows.open.append(st.double(1))
                    rows.high.append(st.double(2))
                    rows.low.append(st.double(3))
                    rows.close.append(st.double(4))
                    rows.volume.append(st.double(5))
                }
                if any { rows.tickers.append(name) }
            }
            rows.lines = [Int32](repeating: 0, count: rows.count)
            rows.sourceFile = [Int16](repeating: 0, count: rows.count)
            return rows
        }
    }

    /// Tickers with intraday bars, ascending.
    public func intradayTickers() throws -> [String] {
        try readWrapped { db in
            guard try db.tableExists("equity_prices_intraday") else { return [] }
            return try String.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE t(x) AS (SELECT MIN(ticker) FROM equity_prices_intraday
                        UNION ALL SELECT (SELECT MIN(ticker) FROM equity_prices_intraday WHERE ticker > x) FROM t WHERE x IS NOT NULL)
                    SELECT x FROM t WHERE x IS NOT NULL
                    """)
        }
    }
}
