import Foundation
import Testing

@testable import HindsightCore

@Suite struct TradingDayTests {
    @Test func epochIsThursdayFirstJanuary1970() {
        let d = TradingDay(daysSinceEpoch: 0)
        #expect(d.iso == "1970-01-01")
        #expect(d.weekday == 4)
    }

    @Test func civilConversionAgreesWithFoundationCalendarOverTwoCenturies() {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let epoch = Date(timeIntervalSince1970: 0)
        for offset in stride(from: -25_000, through: 50_000, by: 37) {
            let date = epoch.addingTimeInterval(Double(offset) * 86_400)
            let c = cal.dateComponents([.year, .month, .day, .weekday], from: date)
            let d = TradingDay(daysSinceEpoch: Int32(offset))
            #expect(d.components == (c.year!, c.month!, c.day!))
            // Foundation: 1 = Sunday; ISO: 7 = Sunday.
            #expect(d.weekday == (c.weekday! + 5) % 7 + 1)
            #expect(TradingDay(year: c.year!, month: c.month!, day: c.day!) == d)
        }
    }

    @Test func parsesIsoAndCompactAndRejectsImpossibleDates() {
        #expect(TradingDay(iso: "2024-02-29")?.iso == "2024-02-29")
        #expect(TradingDay(iso: "20240229")?.iso == "2024-02-29")
        #expect(TradingDay(iso: "2023-02-29") == nil)
        #expect(TradingDay(iso: "2023-13-01") == nil)
        #expect(TradingDay(iso: "2023-1-01") == nil)
        #expect(TradingDay(iso: "25.102") == nil)
        #expect(TradingDay(iso: "") == nil)
    }

    @Test func codableUsesIsoText() throws {
        let d = TradingDay(iso: "2013-03-01")!
        let data = try JSONEncoder().encode([d])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2013-03-01\"]")
        #expect(try JSONDecoder().decode([TradingDay].self, from: data) == [d])
    }
}
