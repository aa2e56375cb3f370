import GRDB
import HindsightCore

/// One ticker as `data list` shows it.
public struct TickerSummary: Sendable, Equatable {
    public var ticker: String
    /// The latest profile's `kind` field (stock, etf, index...), or nil without one.
    public var kind: String?
    public var sector: String?
    public var first: TradingDay?
    public var last: TradingDay?
    public var rows: Int
}

extension HindsightDatabase {
    /// Every ticker with prices or a profile: its kind and sector (latest profile), first and last date, and rows.
    public func tickerSummaries() throws -> [TickerSummary] {
        try readWrapped { db in
            var out: [String: TickerSummary] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT ticker, MIN(date), MAX(date), COUNT(*) FROM equity_prices_daily GROUP BY ticker")
            {
                let t: String = row[0]
                out[t] = TickerSummary(
                    ticker: t, kind: nil, sector: nil, first: (row[1] as String?).flatMap { TradingDay(iso: $0) },
                    last: (row[2] as String?).flatMap { TradingDay(iso: $0) }, rows: row[3])
            }
            // The latest version of each profile (the greatest valid_from).
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT p.ticker, p.sector, json_extract(p.fields_json, '$.kind') FROM company_profiles p
                    WHERE p.valid_from = (SELECT MAX(valid_from) FROM company_profiles q WHERE q.ticker = p.ticker)
                    """)
            {
                let t: String = row[0]
                var s = out[t] ?? TickerSummary(ticker: t, kind: nil, sector: nil, first: nil, last: nil, rows: 0)
                s.sector = row[1]
                let kind: DatabaseValue = row[2]
                s.kind = String.fromDatabaseValue(kind)
                out[t] = s
            }
            return out.values.sorted { $0.ticker < $1.ticker }
        }
    }

    /// Rows a ticker's deletion removed, by table.
    public struct TickerDeletion: Sendable, Equatable {
        public var rowsByTable: [String: Int]
        public var total: Int { rowsByTable.values.reduce(0, +) }
    }

    /// Removes one ticker's prices, corporate actions, profiles and universe memberships in one transaction.
    /// Throws, changing nothing, when the database has no row for it.
    @discardableResult
    public func deleteTicker(_ ticker: String) throws -> TickerDeletion {
        var result = TickerDeletion(rowsByTable: [:])
        try writeWrapped("delete \(ticker)") { db in
            for table in ["equity_prices_daily", "corporate_actions", "company_profiles", "universe_members"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE ticker = ?", arguments: [ticker])
                if db.changesCount > 0 { result.rowsByTable[table] = db.changesCount }
            }
            guard !result.rowsByTable.isEmpty else {
                throw HindsightError(
                    .notFound, "\(self.path) has no ticker \(ticker)", cause: "`hindsight data list --db DB` lists them"
                )
            }
        }
        return result
    }
}
