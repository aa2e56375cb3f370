import ArgumentParser
import Foundation
import HindsightCore
import MarketData
import Storage
import TimeMachine

struct DataCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Report data quality per ticker: missing sessions, zero volume, moves over 50%, stale closes, rows off the calendar."
    )

    @Option(help: "Database file.") var db: String
    @Option(help: "NYSE, weekdays or data (default NYSE when the data lies in 1990-2035, else weekdays).") var calendar:
        String?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "List every ticker, not only those with issues.") var all = false
    @Flag(
        help:
            "Check the intraday bars instead: bars outside NYSE session hours, missing bars, and sessions whose bars do not add up to the daily bar."
    )
    var intraday = false

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase.openExisting(path: db)
            let rows = try store.loadPrices()
            guard rows.count > 0 else {
                throw HindsightError(
                    .invalidData, "\(db) has no prices",
                    cause: "import some with `hindsight data import prices FILE --db \(db)`")
            }
            let lo = rows.dates.min()!, hi = rows.dates.max()!
            let kind: CalendarKind
            if let calendar {
                kind = try CalendarKind(parsing: calendar)
            } else {
                kind = lo.year >= NYSEHolidays.firstYear && hi.year <= NYSEHolidays.lastYear ? .nyse : .weekdays
            }
            let cal = try kind.calendar(from: lo, to: hi, dataDates: kind == .data ? try store.priceDates() : [])
            if intraday {
                try checkIntraday(store, daily: rows, calendar: cal)
                return
            }
            let report = DataQualityReport(rows: rows, actions: try store.loadCorporateActions(), calendar: cal)
            if json {
                struct Output: Encodable {
                    let calendar: String
                    let totals: DataQualityReport.TickerQuality
                    let tickers: [DataQualityReport.TickerQuality]
                }
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                let data = try enc.encode(
                    Output(calendar: report.calendar, totals: report.totals, tickers: report.tickers))
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let shown = all ? report.tickers : report.tickers.filter { $0.issueCount > 0 }
            let header = ["ticker", "rows", "first", "last", "missing", "zero_vol", "moves>50%", "stale", "off_cal"]
            var table = shown.map { q in
                [
                    q.ticker, String(q.rows), q.first, q.last, String(q.missingSessions), String(q.zeroVolumeDays),
                    String(q.bigMoves), String(q.staleCloses), String(q.outsideCalendar),
                ]
            }
            let t = report.totals
            table.append([
                "TOTAL", String(t.rows), t.first, t.last, String(t.missingSessions), String(t.zeroVolumeDays),
                String(t.bigMoves), String(t.staleCloses), String(t.outsideCalendar),
            ])
            print(
                "calendar: \(report.calendar); \(report.tickers.count) tickers, \(report.tickers.count - report.tickers.filter { $0.issueCount > 0 }.count) without issues\(all ? "" : " (not listed; --all lists them)")"
            )
            print(TextTable.render(header: header, rows: table))
        }
    }

    func checkIntraday(_ store: HindsightDatabase, daily: PriceRows, calendar cal: TradingCalendar) throws {
        let bars = try store.loadIntraday()
        guard bars.count > 0 else {
            throw HindsightError(
                .invalidData, "\(db) has no intraday bars",
                cause: "import some with `hindsight data import intraday FILE --db \(db)`")
        }
        let report = IntradayQualityReport(rows: bars, daily: daily, calendar: cal)
        if json {
            struct Output: Encodable {
                let calendar: String
                let totals: IntradayQualityReport.TickerQuality
                let tickers: [IntradayQualityReport.TickerQuality]
            }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try enc.encode(Output(calendar: cal.name, totals: report.totals, tickers: report.tickers))
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let shown = all ? report.tickers : report.tickers.filter { $0.issueCount > 0 }
        let header = ["ticker", "bars", "bar_s", "first", "last", "off_hours", "missing", "no_bars", "daily_diff"]
        func row(_ q: IntradayQualityReport.TickerQuality) -> [String] {
            [
                q.ticker, String(q.bars), q.barSeconds > 0 ? String(q.barSeconds) : "", q.first, q.last,
                String(q.outsideSession), String(q.missingBars), String(q.sessionsWithoutBars),
                String(q.dailyMismatches),
            ]
        }
        let clean = report.tickers.filter { $0.issueCount == 0 }.count
        print(
            "intraday bars against \(cal.name) session hours and the daily bars; \(report.tickers.count) tickers, \(clean) without issues\(all ? "" : " (not listed; --all lists them)")"
        )
        print(TextTable.render(header: header, rows: shown.map(row) + [row(report.totals)]))
        for q in shown where q.firstMismatch != nil {
            print("\(q.ticker): first daily mismatch \(q.firstMismatch!)")
        }
    }
}
