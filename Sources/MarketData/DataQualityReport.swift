import HindsightCore
import TimeMachine

/// Per-ticker data-quality counts against a calendar.
public struct DataQualityReport: Sendable, Codable, Equatable {
    public struct TickerQuality: Sendable, Codable, Equatable {
        public var ticker: String
        public var rows: Int
        public var first: String
        public var last: String
        /// Sessions between the first and last row with no row.
        public var missingSessions: Int
        public var zeroVolumeDays: Int
        /// Split-adjusted close-to-close moves larger than 50%.
        public var bigMoves: Int
        /// Closes equal to the previous row's close.
        public var staleCloses: Int
        /// Rows on dates that are not sessions of the calendar.
        public var outsideCalendar: Int

        public var issueCount: Int { missingSessions + zeroVolumeDays + bigMoves + staleCloses + outsideCalendar }

        enum CodingKeys: String, CodingKey {
            case ticker, rows, first, last
            case missingSessions = "missing_sessions"
            case zeroVolumeDays = "zero_volume_days"
            case bigMoves = "moves_over_50pct"
            case staleCloses = "stale_closes"
            case outsideCalendar = "rows_outside_calendar"
        }
    }

    public var calendar: String
    public var tickers: [TickerQuality]

    public static let bigMoveThreshold = 0.5

    /// Rows must be grouped by ticker and sorted by date within each ticker (as `loadPrices` returns them).
    public init(rows: PriceRows, actions: [CorporateAction], calendar: TradingCalendar) {
        self.calendar = calendar.name
        var splits: [String: [TradingDay: Double]] = [:]
        for a in actions where a.kind == .split { splits[a.ticker, default: [:]][a.date, default: 1] *= a.value }
        var out: [TickerQuality] = []
        var i = 0
        let n = rows.count
        while i < n {
            let t = rows.tickerIndex[i]
            var j = i
            while j < n, rows.tickerIndex[j] == t { j += 1 }
            let ticker = rows.tickers[Int(t)]
            let tickerSplits = splits[ticker] ?? [:]
            var q = TickerQuality(
                ticker: ticker, rows: j - i, first: rows.dates[i].iso, last: rows.dates[j - 1].iso,
                missingSessions: 0, zeroVolumeDays: 0, bigMoves: 0, staleCloses: 0, outsideCalendar: 0)
            var present = 0
            for k in i..<j {
                if calendar.isSession(rows.dates[k]) { present += 1 } else { q.outsideCalendar += 1 }
                if rows.volume[k] == 0 { q.zeroVolumeDays += 1 }
                if k > i {
                    let prev = rows.close[k - 1]
                    if rows.close[k] == prev { q.staleCloses += 1 }
                    let ratio = tickerSplits[rows.dates[k]] ?? 1
                    if abs(rows.close[k] * ratio / prev - 1) > DataQualityReport.bigMoveThreshold { q.bigMoves += 1 }
                }
            }
            let expected = calendar.indexRange(rows.dates[i]...rows.dates[j - 1]).count
            q.missingSessions = max(0, expected - present)
            out.append(q)
            i = j
        }
        tickers = out.sorted { $0.ticker < $1.ticker }
    }

    /// Sums over all tickers.
    public var totals: TickerQuality {
        var t = TickerQuality(
            ticker: "TOTAL", rows: 0, first: tickers.map(\.first).min() ?? "", last: tickers.map(\.last).max() ?? "",
            missingSessions: 0, zeroVolumeDays: 0, bigMoves: 0, staleCloses: 0, outsideCalendar: 0)
        for q in tickers {
            t.rows += q.rows
            t.missingSessions += q.missingSessions
            t.zeroVolumeDays += q.zeroVolumeDays
            t.bigMoves += q.bigMoves
            t.staleCloses += q.staleCloses
            t.outsideCalendar += q.outsideCalendar
        }
        return t
    }
}
