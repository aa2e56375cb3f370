import Foundation
import HindsightCore
import HindsightTestSupport
import Testing

@testable import MarketData
@testable import TimeMachine

@Suite struct IntradayDataTests {
    private func utc(_ s: String) -> Int64 {
        let d = TradingDay(iso: String(s.prefix(10)))!
        let hh = Int(s.dropFirst(11).prefix(2))!, mm = Int(s.dropFirst(14).prefix(2))!
        return Int64(d.daysSinceEpoch) * 86_400 + Int64(hh * 3600 + mm * 60)
    }

    private func parse(_ text: String, zone: IntradayTimeZone) -> Result<Int64, IntradayTimestamp.Problem> {
        IntradayTimestamp.parse(Array(text.utf8)[...], zone: zone)
    }

    @Test func timestampsWithOffsetsOrAZoneBecomeUTCAcrossDaylightSaving() {
        #expect(parse("2024-03-08T14:30:00Z", zone: .offsetRequired) == .success(utc("2024-03-08T14:30")))
        #expect(parse("2024-03-08 09:30:00-05:00", zone: .offsetRequired) == .success(utc("2024-03-08T14:30")))
        #expect(parse("2024-03-11 09:30-0400", zone: .utc) == .success(utc("2024-03-11T13:30")))
        // Without an offset the zone decides: New York is UTC-5 before the March switch and UTC-4 after it.
        #expect(parse("2024-03-08 09:30", zone: .newYork) == .success(utc("2024-03-08T14:30")))
        #expect(parse("2024-03-11 09:30", zone: .newYork) == .success(utc("2024-03-11T13:30")))
        #expect(parse("2006-04-03 09:30", zone: .newYork) == .success(utc("2006-04-03T13:30")))  // old rule: April
        #expect(parse("2024-03-11 09:30", zone: .fixed(-5 * 3600)) == .success(utc("2024-03-11T14:30")))
        #expect(parse("2024-03-08 09:30", zone: .offsetRequired) == .failure(.noOffset))
        #expect(parse("2024-03-08 09:30:00.5Z", zone: .utc) == .failure(.fractionalSeconds))
        #expect(parse("2024-03-08 09:30:00.000Z", zone: .utc) == .success(utc("2024-03-08T09:30")))
        for bad in ["2024-03-08", "2024-13-08 09:30Z", "2024-03-08 25:30Z", "2024-03-08 09:30+5", "2024-03-08x09:30Z"] {
            #expect(parse(bad, zone: .utc) == .failure(.malformed), "\(bad)")
        }
    }

    @Test func theIntradayParserRejectsBadBarsAndDuplicatesWithTheirLines() throws {
        var p = IntradayFileParser(zone: .newYork)
        let csv = """
            datetime,ticker,open,high,low,close,volume
            2024-03-08 09:30,aapl,10,10.5,9.9,10.2,100
            2024-03-08 09:35,AAPL,10.2,10.1,10.3,10.25,50
            2024-03-08 09:40,AAPL,10.2,10.3,10.1,x,50
            2024-03-08 09:30,AAPL,10,10.5,9.9,10.2,100
            2024-03-08 09:45,AAPL,10.2,10.3,10.1,10.2,-1

            """
        try p.parse(bytes: Array(csv.utf8), path: "bars.csv")
        let bars = try p.finish()
        #expect(p.rows.count == 1 && p.rows.tickers == ["AAPL"])
        #expect(bars["AAPL"] == nil)  // one bar: no spacing to judge
        let got = p.sortedRejects.map { "\($0.line):\($0.column)" }
        #expect(got == ["3:high", "4:close", "5:datetime", "6:volume"], "\(p.sortedRejects.map(\.message))")
    }

    @Test func barsFurtherApartThanAnHourAreRefused() throws {
        var p = IntradayFileParser(zone: .utc)
        let csv =
            "datetime,ticker,open,high,low,close,volume\n"
            + (0..<4).map { "2024-03-0\($0 + 4)T15:00Z,A,1,1,1,1,1" }.joined(separator: "\n")
        try p.parse(bytes: Array(csv.utf8), path: "daily.csv")
        #expect(throws: HindsightError.self) { try p.finish() }
    }

    @Test func syntheticIntradayBarsAggregateExactlyToTheDailyBars() throws {
        let data = try TestMarket.synthetic(assets: 3, start: "2018-01-02", end: "2018-12-31")
        let bars = SyntheticIntraday.bars(for: data.prices, minutes: 5, seed: 7)
        let again = SyntheticIntraday.bars(for: data.prices, minutes: 5, seed: 7)
        #expect(bars.close == again.close && bars.volume == again.volume)
        var i = 0, days = 0
        var early = 0
        var openShare = 0.0, middayShare = 0.0
        let p = data.prices
        for r in 0..<p.count {
            var j = i
            while j < bars.count, bars.tickerIndex[j] == p.tickerIndex[r],
                USEastern.local(utc: bars.ts[j]).day == p.dates[r]
            {
                j += 1
            }
            let range = i..<j
            let hours = NYSESessionTimes.hours(p.dates[r])
            #expect(range.count == Int(hours.close - hours.open) / 300)
            if range.count == 42 { early += 1 }
            #expect(bars.ts[range.lowerBound] == hours.open && bars.ts[range.upperBound - 1] == hours.close - 300)
            #expect(bars.open[range.lowerBound] == p.open[r] && bars.close[range.upperBound - 1] == p.close[r])
            #expect(range.map { bars.high[$0] }.max() == p.high[r] && range.map { bars.low[$0] }.min() == p.low[r])
            #expect(range.reduce(0.0) { $0 + bars.volume[$1] } == p.volume[r])
            for k in range {
                #expect(
                    bars.high[k] >= max(bars.open[k], bars.close[k]) && bars.low[k] <= min(bars.open[k], bars.close[k]))
                if k > range.lowerBound { #expect(bars.open[k] == bars.close[k - 1]) }
            }
            if range.count == 78 {
                let v = range.map { bars.volume[$0] }
                openShare += v.prefix(6).reduce(0, +) / p.volume[r]
                middayShare += v[36..<42].reduce(0, +) / p.volume[r]
            }
            days += 1
            i = j
        }
        #expect(i == bars.count && days == p.count)
        // The day after Thanksgiving, Christmas Eve and July 3 close at 13:00 (3 a year, per ticker).
        let expected = p.dates.filter { NYSESessionTimes.localClose($0) == 13 * 3600 }.count
        #expect(early == expected && expected >= 3)
        // U-shaped: the first half hour trades well over twice the midday half hour.
        #expect(openShare > 2 * middayShare, "\(openShare) vs \(middayShare)")
    }

    @Test func corwinSchultzGivesTheClosedFormSpreadOfTwoEqualRanges() {
        // Two bars with the same range [L, H] and no drift: α = ln(H/L), so S = 2(H − L)/(H + L).
        let s = CorwinSchultz.spread(high0: 101, low0: 99, high1: 101, low1: 99)
        #expect(Tolerance.close(s, 0.02, rel: 1e-12), "\(s)")
        // A two-bar range much wider than the one-bar ranges is volatility, not spread: floored at 0.
        #expect(CorwinSchultz.spread(high0: 101, low0: 100, high1: 111, low1: 110) == 0)
    }
}

@Suite struct PriceDuplicateTests {
    @Test func duplicatesAreFoundAnywhereInABigFileWithTheirFirstLine() throws {
        var text = "date,ticker,open,high,low,close,volume\n"
        let tickers = ["AAA", "BBB", "CCC", "DDD", "EEE"]
        var day = TradingDay(iso: "2000-01-03")!
        for i in 0..<20_000 {
            if i % 5 == 0 { day = day.adding(days: 1) }
            text += "\(day.iso),\(tickers[(i * 3) % 5]),10,11.5,9.25,10.5,\(100 + i)\n"
        }
        let clean = Array(text.utf8)
        var a = PriceFileParser()
        try a.parse(bytes: clean, path: "big.csv")
        a.rejectDuplicates()
        #expect(a.rows.count == 20_000 && a.rejects.isEmpty)
        // The first session's BBB again at the end (file line 20,002; first seen on line 4).
        var b = PriceFileParser()
        try b.parse(bytes: clean + Array("2000-01-04,BBB,10,11,9,10,1\n".utf8), path: "big.csv")
        b.rejectDuplicates()
        #expect(b.rows.count == 20_000 && b.sortedRejects.map(\.line) == [20_002], "\(b.sortedRejects)")
        #expect(b.sortedRejects.first?.reason.contains("first seen on line 4") == true)
    }
}
