import Foundation
import HindsightCore
import Testing

@testable import TimeMachine

private func day(_ s: String) -> TradingDay { TradingDay(iso: s)! }

@Suite struct SessionTimesTests {
    /// `2024-01-02T14:30Z` as UTC seconds.
    private func instant(_ s: Substring) -> Int64 {
        let d = day(String(s.prefix(10)))
        let hh = Int(s.dropFirst(11).prefix(2))!, mm = Int(s.dropFirst(14).prefix(2))!
        return Int64(d.daysSinceEpoch) * 86_400 + Int64(hh * 3600 + mm * 60)
    }

    @Test func nyseSessionHoursMatchExchangeCalendarsOnEverySessionFrom1995To2030() throws {
        let url = Bundle.module.url(forResource: "Fixtures/nyse-session-times-1995-2030", withExtension: "csv")!
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.hasPrefix("date") }
        #expect(rows.count == 9057)
        let cal = try TradingCalendar.nyse(from: day("1995-01-01"), to: day("2030-12-31"))
        #expect(cal.count == rows.count)
        var wrong: [String] = []
        for (d, row) in zip(cal.sessions, rows) {
            let f = row.split(separator: ",")
            let h = NYSESessionTimes.hours(d)
            if d.iso != f[0] || h.open != instant(f[1]) || h.close != instant(f[2]) {
                wrong.append("\(d.iso): \(UTCTime.iso(h.open))..\(UTCTime.iso(h.close)), want \(row)")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) sessions differ, first: \(wrong.prefix(5))")
    }

    @Test func easternTimeSwitchesAtTwoInTheMorningUnderBothDaylightRules() {
        // 2006: first Sunday of April to last Sunday of October; 2007: second Sunday of March to first of November.
        #expect(USEastern.daylightDays(year: 2006) == (day("2006-04-02"), day("2006-10-29")))
        #expect(USEastern.daylightDays(year: 2007) == (day("2007-03-11"), day("2007-11-04")))
        // 01:59 EST is 06:59 UTC; a minute later the clock reads 03:00 EDT (07:00 UTC).
        let start = day("2007-03-11")
        #expect(
            USEastern.utc(start, secondsOfDay: 1 * 3600 + 59 * 60) == Int64(start.daysSinceEpoch) * 86_400 + 6 * 3600
                + 59 * 60)
        #expect(USEastern.local(utc: Int64(start.daysSinceEpoch) * 86_400 + 7 * 3600).secondsOfDay == 3 * 3600)
        #expect(
            USEastern.local(utc: Int64(start.daysSinceEpoch) * 86_400 + 6 * 3600 + 59 * 60).secondsOfDay == 3600 + 59
                * 60)
        // Fall back: 05:30 UTC is 01:30 EDT, 06:30 UTC is 01:30 EST again.
        let end = day("2007-11-04")
        let base = Int64(end.daysSinceEpoch) * 86_400
        #expect(USEastern.local(utc: base + 5 * 3600 + 1800).secondsOfDay == 3600 + 1800)
        #expect(USEastern.local(utc: base + 6 * 3600 + 1800).secondsOfDay == 3600 + 1800)
        // Round trip over a year of minutes at the open and close.
        for offset in stride(from: 0, to: 365, by: 1) {
            let d = day("2006-01-01").adding(days: offset)
            for s in [9 * 3600 + 1800, 16 * 3600] {
                let back = USEastern.local(utc: USEastern.utc(d, secondsOfDay: s))
                #expect(back.day == d && back.secondsOfDay == s)
            }
        }
    }

    @Test func earlyClosesFollowTheExchangeRules() {
        let close = { (s: String) in NYSESessionTimes.localClose(day(s)) / 3600 }
        #expect(close("1992-11-27") == 14)  // before 1993: 14:00
        #expect(close("2023-11-24") == 13)  // day after Thanksgiving
        #expect(close("2024-12-24") == 13)  // Christmas Eve
        #expect(close("2024-07-03") == 13)  // July 3, a Wednesday, from 2013
        #expect(close("2002-07-05") == 13 && close("2002-07-03") == 16)  // until 2012, the Friday after
        #expect(close("1999-12-31") == 13)  // one-off
        #expect(close("2024-07-05") == 16)
    }
}
