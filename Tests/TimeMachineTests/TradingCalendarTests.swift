import Foundation
import HindsightCore
import Testing

@testable import TimeMachine

private func day(_ s: String) -> TradingDay { TradingDay(iso: s)! }

@Suite struct TradingCalendarTests {
    @Test func nyseMatchesExchangeCalendarsDayByDayFrom1995To2030() throws {
        let url = Bundle.module.url(forResource: "Fixtures/nyse-sessions-1995-2030", withExtension: "txt")!
        let text = try String(contentsOf: url, encoding: .utf8)
        let expected = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { TradingDay(iso: $0)! }
        #expect(expected.count == 9057)
        let cal = try TradingCalendar.nyse(from: day("1995-01-01"), to: day("2030-12-31"))
        let got = Set(cal.sessions), want = Set(expected)
        let extra = got.subtracting(want).sorted().map(\.iso)
        let missing = want.subtracting(got).sorted().map(\.iso)
        #expect(extra.isEmpty, "sessions exchange_calendars does not have: \(extra)")
        #expect(missing.isEmpty, "sessions Hindsight lacks: \(missing)")
        #expect(cal.sessions == expected)
    }

    @Test func nyseObservanceRules() throws {
        let cal = try TradingCalendar.nyse(from: day("2000-01-01"), to: day("2030-12-31"))
        #expect(cal.isSession(day("2021-12-31")))  // New Year 2022 on Saturday: not observed on Friday
        #expect(!cal.isSession(day("2017-01-02")))  // New Year 2017 on Sunday: observed Monday
        #expect(!cal.isSession(day("2020-07-03")))  // July 4 on Saturday: observed Friday
        #expect(!cal.isSession(day("2022-06-20")))  // Juneteenth on Sunday: observed Monday
        #expect(cal.isSession(day("2021-06-18")))  // no Juneteenth before 2022
        #expect(!cal.isSession(day("2024-03-29")))  // Good Friday
        #expect(!cal.isSession(day("2012-10-29")) && !cal.isSession(day("2012-10-30")))  // Sandy
        #expect(!cal.isSession(day("2025-01-09")))  // Carter day of mourning
        #expect(cal.isSession(day("2004-06-10")))
    }

    @Test func nyseRefusesYearsOutsideItsRules() {
        #expect(throws: HindsightError.self) {
            try TradingCalendar.nyse(from: day("1989-12-01"), to: day("1990-02-01"))
        }
        #expect(throws: HindsightError.self) {
            try TradingCalendar.nyse(from: day("2035-12-01"), to: day("2036-01-10"))
        }
    }

    @Test func navigationAndIndexMappingOnWeekdays() {
        let cal = TradingCalendar.weekdays(from: day("2024-01-01"), to: day("2024-01-31"))
        #expect(cal.count == 23)
        #expect(cal.next(after: day("2024-01-05")) == day("2024-01-08"))  // Friday → Monday
        #expect(cal.next(after: day("2024-01-06")) == day("2024-01-08"))  // Saturday → Monday
        #expect(cal.previous(before: day("2024-01-08")) == day("2024-01-05"))
        #expect(cal.previous(before: day("2024-01-01")) == nil)
        #expect(cal.next(after: day("2024-01-31")) == nil)
        #expect(cal.index(of: day("2024-01-06")) == nil)
        for i in 0..<cal.count { #expect(cal.index(of: cal.day(at: i)) == i) }
        #expect(
            Array(cal.sessions(in: day("2024-01-06")...day("2024-01-10"))) == [
                day("2024-01-08"), day("2024-01-09"), day("2024-01-10"),
            ])
        #expect(cal.sessions(in: day("2024-01-06")...day("2024-01-07")).isEmpty)
        #expect(cal.indexOnOrAfter(day("2023-12-01")) == 0)
        #expect(cal.indexOnOrAfter(day("2025-01-01")) == cal.count)
    }

    @Test func dataCalendarIsExactlyTheGivenDates() {
        let dates = [day("2020-01-03"), day("2020-01-01"), day("2020-01-04"), day("2020-01-01")]
        let cal = TradingCalendar.data(dates)
        // A Saturday stays: the data says so.
        #expect(cal.sessions == [day("2020-01-01"), day("2020-01-03"), day("2020-01-04")])
        #expect(cal.next(after: day("2020-01-01")) == day("2020-01-03"))
    }

    @Test func calendarNamesParseCaseInsensitivelyAndUnknownNamesAreRefused() throws {
        #expect(try CalendarKind(parsing: "nyse") == .nyse)
        #expect(try CalendarKind(parsing: "Weekdays") == .weekdays)
        #expect(throws: HindsightError.self) { try CalendarKind(parsing: "LSE") }
    }

    @Test func easterDatesAreKnownOnes() {
        #expect(NYSEHolidays.easter(year: 2024) == day("2024-03-31"))
        #expect(NYSEHolidays.easter(year: 2000) == day("2000-04-23"))
        #expect(NYSEHolidays.easter(year: 2019) == day("2019-04-21"))
    }
}
