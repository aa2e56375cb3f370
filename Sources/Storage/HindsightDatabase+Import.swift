import GRDB
import HindsightCore

extension HindsightDatabase {
    /// Writes a dataset in one transaction: any conflict or bad row rolls back everything.
    /// Without `replace`, a row whose key is already stored is refused; with it, that row is overwritten.
    @discardableResult
    public func importDataset(
        _ data: MarketDataset, replace: Bool, wipeInputs: Bool = false, intraday: IntradayRows? = nil
    ) throws -> ImportSummary {
        let verb = replace ? "INSERT OR REPLACE" : "INSERT"
        do {
            return try writer.write { db -> ImportSummary in
                var summary = ImportSummary()
                if wipeInputs {
                    for t in HindsightDatabase.inputTables.reversed() { try db.execute(sql: "DELETE FROM \(t)") }
                }
                if data.prices.count > 0 {
                    summary.rowsByTable["equity_prices_daily"] = try insertPrices(db, data.prices, verb: verb)
                }
                if let intraday, intraday.count > 0 {
                    summary.rowsByTable["equity_prices_intraday"] = try insertIntraday(db, intraday, verb: verb)
                }
                func insertAll<T>(
                    _ table: String, _ columns: String, _ items: [T], source: (T) -> SourceLocation?,
                    describe: (T) -> String, bind: (inout RawStatement, T) -> Void
                ) throws {
                    guard !items.isEmpty else { return }
                    let marks = Array(repeating: "?", count: columns.split(separator: ",").count).joined(
                        separator: ", ")
                    var st = try RawStatement(db, sql: "\(verb) INTO \(table)(\(columns)) VALUES (\(marks))")
                    for item in items {
                        bind(&st, item)
                        try check(st, st.run(), source(item), describe(item))
                    }
                    summary.rowsByTable[table] = items.count
                }
                try insertAll(
                    "corporate_actions", "ticker, date, kind, ratio_or_amount", data.corporateActions, source: \.source,
                    describe: { "(\($0.ticker), \($0.date), \($0.kind.rawValue))" }
                ) { st, a in
                    st.bind(1, a.ticker)
                    st.bind(2, day: a.date)
                    st.bind(3, a.kind.rawValue)
                    st.bind(4, a.value)
                }
                try insertAll(
                    "regime_history", "date, regime_id, label", data.regimes, source: \.source,
                    describe: { "(date \($0.date))" }
                ) { st, r in
                    st.bind(1, day: r.date)
                    st.bind(2, r.regimeID)
                    st.bind(3, r.label)
                }
                try insertAll(
                    "company_profiles", "ticker, valid_from, profile_version_id, sector, industry, fields_json",
                    data.companyProfiles,
                    source: \.source,
                    describe: { "(\($0.ticker), valid_from \($0.validFrom), version \($0.profileVersionID))" }
                ) { st, p in
                    st.bind(1, p.ticker)
                    st.bind(2, day: p.validFrom)
                    st.bind(3, p.profileVersionID)
                    st.bind(4, p.sector)
                    st.bind(5, p.industry)
                    st.bind(6, p.fieldsJSON)
                }
                try insertAll(
                    "sector_profiles", "sector, valid_from, profile_version_id, fields_json", data.sectorProfiles,
                    source: \.source, describe: { "(\($0.sector), valid_from \($0.validFrom))" }
                ) { st, p in
                    st.bind(1, p.sector)
                    st.bind(2, day: p.validFrom)
                    st.bind(3, p.profileVersionID)
                    st.bind(4, p.fieldsJSON)
                }
                try insertAll(
                    "factor_returns", "date, factor, value", data.factorReturns, source: \.source,
                    describe: { "(\($0.date), \($0.factor))" }
                ) { st, f in
                    st.bind(1, day: f.date)
                    st.bind(2, f.factor)
                    st.bind(3, f.value)
                }
                if !data.universes.isEmpty {
                    var snap = try RawStatement(
                        db, sql: "\(verb) INTO universe_snapshots(universe_id, as_of_date, rule_json) VALUES (?, ?, ?)")
                    var mem = try RawStatement(
                        db,
                        sql: "\(verb) INTO universe_members(universe_id, as_of_date, ticker, rank) VALUES (?, ?, ?, ?)")
                    var members = 0
                    for u in data.universes {
                        if replace {
                            try db.execute(
                                sql: "DELETE FROM universe_members WHERE universe_id = ? AND as_of_date = ?",
                                arguments: [u.universeID, u.asOf.iso])
                        }
                        snap.bind(1, u.universeID)
                        snap.bind(2, day: u.asOf)
                        snap.bind(3, u.ruleJSON)
                        try check(snap, snap.run(), u.members.first?.source, "universe \(u.universeID) as of \(u.asOf)")
                        for m in u.members {
                            mem.bind(1, u.universeID)
                            mem.bind(2, day: u.asOf)
                            mem.bind(3, m.ticker)
                            mem.bind(4, m.rank)
                            try check(mem, mem.run(), m.source, "(\(u.universeID), \(u.asOf), \(m.ticker))")
                        }
                        members += u.members.count
                    }
                    summary.rowsByTable["universe_snapshots"] = data.universes.count
                    summary.rowsByTable["universe_members"] = members
                }
                if !data.metadata.isEmpty {
                    let st = try RawStatement(
                        db, sql: "INSERT OR REPLACE INTO dataset_metadata(key, value) VALUES (?, ?)")
                    for (k, v) in data.metadata {
                        st.bind(1, k)
                        st.bind(2, v)
                        try check(st, st.run(), nil, "metadata \(k)")
                    }
                }
                return summary
            }
        } catch let e as HindsightError {
            throw e
        } catch {
            throw HindsightError(
                .database, "\(path): the import failed and nothing was written",
                cause: HindsightDatabase.describe(error))
        }
    }

    private func insertPrices(_ db: Database, _ rows: PriceRows, verb: String) throws -> Int {
        let st = try RawStatement(
            db,
            sql:
                "\(verb) INTO equity_prices_daily(ticker, date, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        // Insert in key order: B-tree appends instead of random page splits.
        let n = rows.count
        let keys = (0..<n).map {
            Int64(rows.tickerIndex[$0]) << 32 | Int64(UInt32(bitPattern: rows.dates[$0].daysSinceEpoch))
        }
        let tickerRank: [Int32] = {
            let order = rows.tickers.indices.sorted { rows.tickers[$0] < rows.tickers[$1] }
            var rank = [Int32](repeating: 0, count: rows.tickers.count)
            for (r, i) in order.enumerated() { rank[i] = Int32(r) }
            return rank
        }()
        var order = Array(0..<n)
        order.sort {
            let ra = tickerRank[Int(rows.tickerIndex[$0])], rb = tickerRank[Int(rows.tickerIndex[$1])]
            return ra != rb ? ra < rb : keys[$0] < keys[$1]
        }
        // Ticker and date texts are encoded once and bound without copies.
        let tickerBytes: [[UInt8]] = rows.tickers.map { Array($0.utf8) }
        let minDay = rows.dates.min()?.daysSinceEpoch ?? 0, maxDay = rows.dates.max()?.daysSinceEpoch ?? 0
        var dayText = [UInt8]()
        dayText.reserveCapacity(Int(maxDay - minDay + 1) * 10)
        for d in minDay...maxDay { dayText.append(contentsOf: TradingDay(daysSinceEpoch: d).iso.utf8) }
        try dayText.withUnsafeBufferPointer { days in
            for i in order {
                let t = Int(rows.tickerIndex[i])
                let rc: Int32 = tickerBytes[t].withUnsafeBufferPointer { tb in
                    st.bindStatic(1, tb.baseAddress!, count: tb.count)
                    st.bindStatic(2, days.baseAddress! + Int(rows.dates[i].daysSinceEpoch - minDay) * 10, count: 10)
                    st.bind(3, rows.open[i])
                    st.bind(4, rows.high[i])
                    st.bind(5, rows.low[i])
                    st.bind(6, rows.close[i])
                    st.bind(7, rows.volume[i])
                    return st.run()
                }
                if rc != 0 {
                    let loc =
                        rows.files.isEmpty
                        ? nil : SourceLocation(file: rows.files[Int(rows.sourceFile[i])], line: Int(rows.lines[i]))
                    try check(st, rc, loc, "(\(rows.tickers[t]), \(rows.dates[i]))")
                }
            }
        }
        return n
    }

    private func check(_ st: RawStatement, _ rc: Int32, _ source: SourceLocation?, _ what: String) throws {
        guard rc != 0 else { return }
        let at = source.map { "\($0): " } ?? "\(path): "
        if RawStatement.isConstraint(rc) {
            throw HindsightError(
                .duplicate,
                "\(at)row \(what) is already in the database or breaks a constraint (\(st.lastError)); nothing was imported",
                cause: "pass --replace to overwrite stored rows, or remove the row")
        }
        throw HindsightError(.database, "\(at)cannot write row \(what); nothing was imported", cause: st.lastError)
    }
}
