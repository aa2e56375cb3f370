import HindsightCore
import TimeMachine

/// Per-ticker checks of intraday bars against NYSE session hours and the daily bars: bars outside the hours (or on
/// dates that are no session), missing bars inside sessions, sessions with a daily bar but no intraday bars, and
/// sessions whose intraday bars do not aggregate to the daily bar (open, high, low, close, volume).
public struct IntradayQualityReport: Sendable, Codable, Equatable {
    public struct TickerQuality: Sendable, Codable, Equatable {
        public var ticker: String
        public var bars: Int
        /// The usual spacing of consecutive bars, seconds.
        public var barSeconds: Int
        public var first: String
        public var last: String
        public var outsideSession: Int
        /// Bar slots of sessions with bars that have none (gaps).
        public var missingBars: Int
        /// Sessions between the first and last bar with a daily bar but no intraday bar.
        public var sessionsWithoutBars: Int
        /// Sessions where the bars' open, high, low, close or volume differ from the daily bar's (relative 1e-6).
        public var dailyMismatches: Int
        /// The first mismatch, as `date field intraday daily`.
        public var firstMismatch: String?

        public var issueCount: Int { outsideSession + missingBars + sessionsWithoutBars + dailyMismatches }

        enum CodingKeys: String, CodingKey {
            case ticker, bars, first, last
            case barSeconds = "bar_seconds"
            case outsideSession = "outside_session_hours"
            case missingBars = "missing_bars"
            case sessionsWithoutBars = "sessions_without_bars"
            case dailyMismatches = "daily_mismatches"
            case firstMismatch = "first_mismatch"
        }
    }

    public var tickers: [TickerQuality]
    public static let tolerance = 1e-6

    /// `rows` sorted by ticker then time (as `loadIntraday` returns them); `daily` and `calendar` from the database.
    public init(rows: IntradayRows, daily: PriceRows, calendar: TradingCalendar) {
        var dailyIndex: [String: [TradingDay: Int]] = [:]
        for i in 0..<daily.count {
            dailyIndex[daily.tickers[Int(daily.tickerIndex[i])], default: [:]][daily.dates[i]] = i
        }
        var out: [TickerQuality] = []
        var i = 0
        while i < rows.count {
            let t = rows.tickerIndex[i]
            var j = i
            while j < rows.count, rows.tickerIndex[j] == t { j += 1 }
            out.append(
                Self.check(
                    rows, i..<j, daily: daily, dailyIndex: dailyIndex[rows.tickers[Int(t)]] ?? [:], calendar: calendar))
            i = j
        }
        tickers = out
    }

    public var totals: TickerQuality {
        TickerQuality(
            ticker: "TOTAL", bars: tickers.reduce(0) { $0 + $1.bars }, barSeconds: 0,
            first: tickers.map(\.first).min() ?? "-", last: tickers.map(\.last).max() ?? "-",
            outsideSession: tickers.reduce(0) { $0 + $1.outsideSession },
            missingBars: tickers.reduce(0) { $0 + $1.missingBars },
            sessionsWithoutBars: tickers.reduce(0) { $0 + $1.sessionsWithoutBars },
            dailyMismatches: tickers.reduce(0) { $0 + $1.dailyMismatches }, firstMismatch: nil)
    }

    static func check(
        _ rows: IntradayRows, _ range: Range<Int>, daily: PriceRows, dailyIndex: [TradingDay: Int],
        calendar: TradingCalendar
    ) -> TickerQuality {
        var gaps: [Int64: Int] = [:]
        for k in range.dropFirst() { gaps[rows.ts[k] - rows.ts[k - 1], default: 0] += 1 }
        let bar =
            gaps.filter { $0.key <= 3600 }.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?
            .key ?? 60
        var q = TickerQuality(
            ticker: rows.tickers[Int(rows.tickerIndex[range.lowerBound])], bars: range.count, barSeconds: Int(bar),
            first: UTCTime.iso(rows.ts[range.lowerBound]), last: UTCTime.iso(rows.ts[range.upperBound - 1]),
            outsideSession: 0, missingBars: 0, sessionsWithoutBars: 0, dailyMismatches: 0, firstMismatch: nil)
        // Group bars by New York date.
        var k = range.lowerBound
        var seen: Set<TradingDay> = []
        while k < range.upperBound {
            let day = USEastern.local(utc: rows.ts[k]).day
            var e = k
            while e < range.upperBound, USEastern.local(utc: rows.ts[e]).day == day { e += 1 }
            defer { k = e }
            guard calendar.isSession(day) else {
                q.outsideSession += e - k
                continue
            }
            seen.insert(day)
            let hours = NYSESessionTimes.hours(day)
            var inside: [Int] = []
            for b in k..<e {
                if rows.ts[b] < hours.open || rows.ts[b] >= hours.close {
                    q.outsideSession += 1
                } else {
                    inside.append(b)
                }
            }
            let slots = Int((hours.close - hours.open + bar - 1) / bar)
            let filled = Set(inside.map { (rows.ts[$0] - hours.open) / bar }).count
            q.missingBars += max(0, slots - filled)
            guard let di = dailyIndex[day], let f = inside.first, let l = inside.last else { continue }
            let hi = inside.map { rows.high[$0] }.max()!, lo = inside.map { rows.low[$0] }.min()!
            let vol = inside.reduce(0.0) { $0 + rows.volume[$1] }
            let fields: [(String, Double, Double)] = [
                ("open", rows.open[f], daily.open[di]), ("high", hi, daily.high[di]), ("low", lo, daily.low[di]),
                ("close", rows.close[l], daily.close[di]), ("volume", vol, daily.volume[di]),
            ]
            if let bad = fields.first(where: { abs($0.1 - $0.2) > tolerance * max(abs($0.2), 1) }) {
                q.dailyMismatches += 1
                if q.firstMismatch == nil { q.firstMismatch = "\(day.iso) \(bad.0) \(bad.1) \(bad.2)" }
            }
        }
        // Sessions inside the bars' span where the daily table has a bar and the intraday table none.
        let firstDay = USEastern.local(utc: rows.ts[range.lowerBound]).day
        let lastDay = USEastern.local(utc: rows.ts[range.upperBound - 1]).day
        for d in calendar.sessions(in: firstDay...lastDay) where !seen.contains(d) && dailyIndex[d] != nil {
            q.sessionsWithoutBars += 1
        }
        return q
    }
}
