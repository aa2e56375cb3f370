import HindsightCore
import Testing
import TimeMachine

@testable import MarketData

private func day(_ s: String) -> TradingDay { TradingDay(iso: s)! }

private func rows(_ ticker: String, _ closes: [(String, Double)]) -> PriceRows {
    var r = PriceRows()
    r.tickers = [ticker]
    for (d, c) in closes {
        r.tickerIndex.append(0)
        r.dates.append(day(d))
        r.open.append(c)
        r.high.append(c)
        r.low.append(c)
        r.close.append(c)
        r.volume.append(1000)
    }
    return r
}

@Suite struct MarketPanelTests {
    let cal = TradingCalendar.weekdays(from: TradingDay(iso: "2024-01-01")!, to: TradingDay(iso: "2024-01-05")!)

    @Test func totalReturnAdjustmentMatchesHandWorkedSplitAndDividendExample() throws {
        // 100 → 102 → 2:1 split, 51 → $1 dividend ex-date, 52 → 53.
        let r = rows(
            "AAA",
            [("2024-01-01", 100), ("2024-01-02", 102), ("2024-01-03", 51), ("2024-01-04", 52), ("2024-01-05", 53)])
        let actions = [
            CorporateAction(ticker: "AAA", date: day("2024-01-03"), kind: .split, value: 2),
            CorporateAction(ticker: "AAA", date: day("2024-01-04"), kind: .dividend, value: 1),
        ]
        let panel = try MarketPanel(rows: r, actions: actions, calendar: cal)
        // By hand, forwards from the first close 100: ·102/100, unchanged across the 2:1 split (2·51/102), ·(52+1)/51
        // on the ex-date, ·53/52. The day-to-day ratios are those of back-adjusting from the last close.
        let expected: [Double] = [100, 102, 102, 102.0 * 53 / 51, 102.0 * 53 / 51 * 53 / 52]
        for (a, e) in zip(panel.adjustedClose, expected) { #expect(abs(a - e) < 1e-12 * e, "\(a) vs \(e)") }
        // Forward adjustment depends only on the past: the data cut after 2024-01-04 gives the same bits.
        let cut = try MarketPanel(
            rows: rows("AAA", [("2024-01-01", 100), ("2024-01-02", 102), ("2024-01-03", 51), ("2024-01-04", 52)]),
            actions: actions,
            calendar: TradingCalendar.weekdays(from: TradingDay(iso: "2024-01-01")!, to: TradingDay(iso: "2024-01-04")!)
        )
        #expect(Array(panel.adjustedClose.prefix(4)) == cut.adjustedClose)
        #expect(panel.splitRatio == [1, 1, 2, 1, 1])
        #expect(panel.dividend == [0, 0, 0, 1, 0])
        #expect(panel.close == [100, 102, 51, 52, 53])  // raw prices are kept
        // The adjusted series' total return equals holding the share with the dividend reinvested at the close.
        let shares = 2 * (1 + 1.0 / 52)
        #expect(abs(panel.adjustedClose[4] / panel.adjustedClose[0] - shares * 53 / 100) < 1e-12)
    }

    @Test func eachAssetsActionDaysAreTheCellsWithASplitOrADividend() throws {
        var r = rows("AAA", [("2024-01-01", 100), ("2024-01-02", 102), ("2024-01-03", 51), ("2024-01-04", 52)])
        r.tickers.append("BBB")
        for (d, c) in [("2024-01-01", 10.0), ("2024-01-05", 11)] {
            r.tickerIndex.append(1)
            r.dates.append(day(d))
            for k in [\PriceRows.open, \.high, \.low, \.close] { r[keyPath: k].append(c) }
            r.volume.append(1)
        }
        let actions = [
            // BBB: a split and a dividend on one day, a 2:1 and 1:2 that cancel, a dividend on a weekend (next session).
            CorporateAction(ticker: "BBB", date: day("2024-01-02"), kind: .split, value: 3),
            CorporateAction(ticker: "BBB", date: day("2024-01-02"), kind: .dividend, value: 0.5),
            CorporateAction(ticker: "BBB", date: day("2024-01-03"), kind: .split, value: 2),
            CorporateAction(ticker: "BBB", date: day("2024-01-03"), kind: .split, value: 0.5),
            CorporateAction(ticker: "AAA", date: day("2024-01-04"), kind: .dividend, value: 1),
            CorporateAction(ticker: "ZZZ", date: day("2024-01-04"), kind: .dividend, value: 1),
        ]
        let panel = try MarketPanel(rows: r, actions: actions, calendar: cal)
        #expect(panel.actionDays == [[3], [1]])
        // The list is exactly the cells the columns mark.
        for a in 0..<panel.assetCount {
            let marked = (0..<panel.dayCount).filter {
                panel.splitRatio[panel.index(asset: a, day: $0)] != 1
                    || panel.dividend[panel.index(asset: a, day: $0)] != 0
            }
            #expect(panel.actionDays[a].map(Int.init) == marked)
        }
    }

    @Test func barSpansAnswerEveryRangeAsAScanOfTheBarsDoes() throws {
        // AAA: every session; BBB: a gap inside; CCC: listed late; DDD: one bar; EEE: none.
        var r = rows("AAA", ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"].map { ($0, 1) })
        for (t, days) in [
            ("BBB", ["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05"]), ("CCC", ["2024-01-03", "2024-01-04"]),
            ("DDD", ["2024-01-02"]),
        ] {
            r.tickers.append(t)
            for d in days {
                r.tickerIndex.append(Int32(r.tickers.count - 1))
                r.dates.append(day(d))
                for k in [\PriceRows.open, \.high, \.low, \.close] { r[keyPath: k].append(1) }
                r.volume.append(1)
            }
        }
        let panel = try MarketPanel(rows: r, calendar: cal, tickers: ["AAA", "BBB", "CCC", "DDD", "EEE"])
        #expect(panel.barSpans.map(\.complete) == [true, false, true, true, false])
        #expect(panel.barSpans[2].first == 2 && panel.barSpans[2].last == 3 && panel.barSpans[4].first == -1)
        for a in 0..<panel.assetCount {
            for lo in 0..<panel.dayCount {
                for hi in lo..<panel.dayCount {
                    let scan = (lo...hi).allSatisfy { panel.valid[panel.index(asset: a, day: $0)] }
                    if let known = panel.hasEveryBar(asset: a, lo...hi) {
                        #expect(known == scan, "asset \(a), sessions \(lo)...\(hi)")
                    } else {
                        // Unknown only where the span has gaps (BBB's covers every range).
                        #expect(a == 1, "asset \(a), sessions \(lo)...\(hi)")
                    }
                }
            }
        }
    }

    @Test func gapsAreInvalidNaNAndReturnsBridgeThem() throws {
        let r = rows("AAA", [("2024-01-01", 10), ("2024-01-02", 11), ("2024-01-04", 12.1)])
        let panel = try MarketPanel(rows: r, calendar: cal)
        #expect(panel.valid == [true, true, false, true, false])
        #expect(panel.close[2].isNaN && panel.adjustedClose[2].isNaN)
        #expect(panel.bar(asset: 0, day: 2) == nil)
        #expect(panel.bar(asset: 0, day: 3)?.close == 12.1)
        #expect(abs(panel.adjustedClose[3] / panel.adjustedClose[1] - 1.1) < 1e-12)
    }

    @Test func rowsOffTheCalendarAreCountedNotLoaded() throws {
        let r = rows("AAA", [("2024-01-01", 10), ("2024-01-06", 11)])  // a Saturday
        let panel = try MarketPanel(rows: r, calendar: cal)
        #expect(panel.rowsOutsideCalendar == 1)
        #expect(panel.valid.filter { $0 }.count == 1)
    }

    @Test func fingerprintIsStableAndSensitiveToEveryValue() throws {
        let base = rows("AAA", [("2024-01-01", 10), ("2024-01-02", 11)])
        let a = try MarketPanel(rows: base, calendar: cal).fingerprint
        #expect(try MarketPanel(rows: base, calendar: cal).fingerprint == a)
        var changed = base
        changed.volume[1] = 1001
        #expect(try MarketPanel(rows: changed, calendar: cal).fingerprint != a)
        let split = [CorporateAction(ticker: "AAA", date: day("2024-01-02"), kind: .split, value: 2)]
        #expect(try MarketPanel(rows: base, actions: split, calendar: cal).fingerprint != a)
    }

    @Test func layoutIsAssetMajor() throws {
        var r = rows("AAA", [("2024-01-01", 10)])
        r.tickers.append("BBB")
        r.tickerIndex.append(1)
        r.dates.append(day("2024-01-02"))
        r.open.append(20)
        r.high.append(20)
        r.low.append(20)
        r.close.append(20)
        r.volume.append(5)
        let panel = try MarketPanel(rows: r, calendar: cal)
        #expect(panel.tickers == ["AAA", "BBB"])
        #expect(panel.close[panel.index(asset: 1, day: 1)] == 20)
        #expect(panel.range(asset: 1) == 5..<10)
    }

    @Test func dataQualityCountsHandMadeProblems() {
        let r = rows("AAA", [("2024-01-01", 10), ("2024-01-02", 10), ("2024-01-04", 16), ("2024-01-06", 16.5)])
        var withZero = r
        withZero.volume[1] = 0
        let q = DataQualityReport(rows: withZero, actions: [], calendar: cal).tickers[0]
        #expect(q.missingSessions == 2)  // Jan 3 and Jan 5 (Jan 6 is a Saturday, outside the calendar)
        #expect(q.zeroVolumeDays == 1)
        #expect(q.staleCloses == 1)
        #expect(q.bigMoves == 1)  // 10 → 16
        #expect(q.outsideCalendar == 1)
    }
}

@Suite struct MarketPanelParallelBuildTests {
    /// The single pass the panel was built with before its columns were built one task each.
    static func serialReference(_ rows: PriceRows, _ actions: [CorporateAction], _ calendar: TradingCalendar)
        -> (close: [Double], valid: [Bool], adjusted: [Double], fingerprint: String, outside: Int)
    {
        let tickers = rows.tickers.sorted()
        let assetOf = Dictionary(uniqueKeysWithValues: tickers.enumerated().map { ($1, $0) })
        let nA = tickers.count, nD = calendar.count, size = nA * nD
        var open = [Double](repeating: .nan, count: size), high = open, low = open, close = open, volume = open
        var valid = [Bool](repeating: false, count: size)
        var outside = 0
        for r in 0..<rows.count {
            let a = assetOf[rows.tickers[Int(rows.tickerIndex[r])]]!
            guard let d = calendar.index(of: rows.dates[r]) else {
                outside += 1
                continue
            }
            let k = a * nD + d
            (open[k], high[k], low[k], close[k], volume[k]) = (
                rows.open[r], rows.high[r], rows.low[r], rows.close[r], rows.volume[r]
            )
            valid[k] = true
        }
        var split = [Double](repeating: 1, count: size), dividend = [Double](repeating: 0, count: size)
        for act in actions {
            let a = assetOf[act.ticker]!, d = calendar.indexOnOrAfter(act.date)
            guard d < nD else { continue }
            if act.kind == .split { split[a * nD + d] *= act.value } else { dividend[a * nD + d] += act.value }
        }
        var adjusted = [Double](repeating: .nan, count: size)
        for a in 0..<nA {
            var index = Double.nan, prevClose = Double.nan, pendingSplit = 1.0, pendingDividend = 0.0
            for d in 0..<nD {
                let k = a * nD + d
                pendingSplit *= split[k]
                pendingDividend = pendingDividend * split[k] + dividend[k]
                guard valid[k] else { continue }
                if prevClose.isFinite {
                    index *= pendingSplit * (close[k] + pendingDividend) / prevClose
                } else {
                    index = close[k]
                }
                (pendingSplit, pendingDividend) = (1, 0)
                adjusted[k] = index
                prevClose = close[k]
            }
        }
        var h = StableHasher()
        for t in tickers { h.combine(t) }
        for s in calendar.sessions { h.combine(Int(s.daysSinceEpoch)) }
        for field in [open, high, low, close, volume, split, dividend] { h.combine(doubles: field) }
        return (close, valid, adjusted, h.hex, outside)
    }

    @Test func aPanelBuiltColumnByColumnEqualsOneSerialPassBitForBit() throws {
        var rng = Xoshiro256StarStar(seed: 3)
        let calendar = TradingCalendar.weekdays(
            from: TradingDay(iso: "2020-01-01")!, to: TradingDay(iso: "2021-06-30")!)
        var rows = PriceRows()
        rows.tickers = (0..<37).map { "T\($0)" }
        var actions: [CorporateAction] = []
        // Rows in a shuffled ticker order, gaps, weekend rows outside the calendar, splits and dividends.
        for a in (0..<37).shuffled(using: &rng) {
            var price = 20 + Double(rng.next() % 100)
            for offset in 0..<560 where rng.next() % 10 != 0 {
                price *= 1 + (Double(rng.next() % 2001) - 1000) / 50_000
                rows.tickerIndex.append(Int32(a))
                rows.dates.append(TradingDay(iso: "2020-01-01")!.adding(days: offset))
                rows.open.append(price * 0.99)
                rows.high.append(price * 1.01)
                rows.low.append(price * 0.98)
                rows.close.append(price)
                rows.volume.append(Double(rng.next() % 1_000_000))
            }
            for _ in 0..<3 {
                let date = TradingDay(iso: "2020-01-01")!.adding(days: Int(rng.next() % 600))
                let split = rng.next() % 2 == 0
                actions.append(
                    CorporateAction(
                        ticker: "T\(a)", date: date, kind: split ? .split : .dividend,
                        value: split ? [2, 3, 0.5][Int(rng.next() % 3)] : Double(rng.next() % 100) / 100))
            }
        }
        let panel = try MarketPanel(rows: rows, actions: actions, calendar: calendar)
        let reference = Self.serialReference(rows, actions, calendar)
        // Compared as one flag each: a difference would print two 20,000-cell arrays.
        let sameClose = panel.close.map(\.bitPattern) == reference.close.map(\.bitPattern)
        let sameValid = panel.valid == reference.valid
        let sameAdjusted = panel.adjustedClose.map(\.bitPattern) == reference.adjusted.map(\.bitPattern)
        #expect(sameClose && sameValid && sameAdjusted)
        #expect(panel.fingerprint == reference.fingerprint)
        #expect(panel.rowsOutsideCalendar == reference.outside && reference.outside > 0)
    }
}
