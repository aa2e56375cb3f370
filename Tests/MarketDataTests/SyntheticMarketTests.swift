import HindsightCore
import Testing
import TimeMachine

@testable import MarketData

@Suite struct SyntheticMarketTests {
    static let params = SyntheticMarket.Parameters(
        assets: 60, start: TradingDay(iso: "2012-01-03")!, end: TradingDay(iso: "2016-12-30")!, seed: 17)
    static let data = try! SyntheticMarket(params).generate()

    private func digest(_ d: MarketDataset) -> String {
        var h = StableHasher()
        for t in d.prices.tickers { h.combine(t) }
        h.combine(doubles: d.prices.open)
        h.combine(doubles: d.prices.high)
        h.combine(doubles: d.prices.low)
        h.combine(doubles: d.prices.close)
        h.combine(doubles: d.prices.volume)
        for x in d.prices.dates { h.combine(Int(x.daysSinceEpoch)) }
        for a in d.corporateActions {
            h.combine(a.ticker)
            h.combine(a.date.iso)
            h.combine(a.value)
        }
        for r in d.regimes { h.combine(r.regimeID) }
        for p in d.companyProfiles {
            h.combine(p.profileVersionID)
            h.combine(p.fieldsJSON)
        }
        for u in d.universes { for m in u.members { h.combine(m.ticker) } }
        for f in d.factorReturns { h.combine(f.value) }
        return h.hex
    }

    @Test func sameSeedGivesIdenticalDataAndAnotherSeedDoesNot() throws {
        let again = try SyntheticMarket(Self.params).generate()
        #expect(digest(again) == digest(Self.data))
        var other = Self.params
        other.seed = 18
        #expect(digest(try SyntheticMarket(other).generate()) != digest(Self.data))
    }

    @Test func pricesAreConsistentOHLCV() {
        let p = Self.data.prices
        for i in 0..<p.count {
            #expect(p.low[i] > 0 && p.low[i] <= min(p.open[i], p.close[i]) && p.high[i] >= max(p.open[i], p.close[i]))
            #expect(p.volume[i] >= 0)
        }
    }

    @Test func containsRegimesListingsDelistingsSplitsAndDividends() {
        let d = Self.data
        #expect(Set(d.regimes.map(\.regimeID)).count >= 3)
        let p = d.prices
        var first = [TradingDay](repeating: TradingDay(daysSinceEpoch: .max), count: p.tickers.count),
            last = first.map { _ in TradingDay(daysSinceEpoch: .min) }
        for i in 0..<p.count {
            let t = Int(p.tickerIndex[i])
            first[t] = min(first[t], p.dates[i])
            last[t] = max(last[t], p.dates[i])
        }
        let lo = p.dates.min()!, hi = p.dates.max()!
        #expect(first.contains { $0 > lo })
        #expect(last.contains { $0 < hi })
        #expect(d.corporateActions.contains { $0.kind == .dividend })
        #expect(d.factorReturns.count == d.regimes.count * 5)
        #expect(d.sectorProfiles.count == SyntheticMarket.sectors.count * 2)
    }

    @Test func splitsOccurInLargerMarkets() throws {
        var p = Self.params
        p.assets = 300
        p.end = TradingDay(iso: "2021-12-31")!
        let d = try SyntheticMarket(p).generate()
        #expect(d.corporateActions.contains { $0.kind == .split })
    }

    @Test func benchmarkTotalReturnIsRiskFreePlusTheMarketFactor() throws {
        let d = Self.data
        let cal = try SyntheticMarket(Self.params).calendar()
        let panel = try MarketPanel(
            rows: d.prices, actions: d.corporateActions, calendar: cal, tickers: [SyntheticMarket.benchmarkTicker])
        let mkt = d.factorReturns.filter { $0.factor == "mkt_rf" }.map(\.value)
        let rf = d.factorReturns.filter { $0.factor == "rf" }.map(\.value)
        var worst = 0.0
        for t in 1..<panel.dayCount {
            let r = panel.adjustedClose[t] / panel.adjustedClose[t - 1] - 1
            worst = max(worst, abs(r - (rf[t] + mkt[t])))
        }
        // Prices are rounded to 1e-4 at a level near 100: 2e-6 of slack per day.
        #expect(worst < 2e-6)
    }

    @Test func universeIsPointInTime() {
        let d = Self.data
        var bars = Set<String>()
        for i in 0..<d.prices.count {
            bars.insert(d.prices.tickers[Int(d.prices.tickerIndex[i])] + d.prices.dates[i].iso)
        }
        var firstBar: [String: TradingDay] = [:]
        for i in 0..<d.prices.count {
            let t = d.prices.tickers[Int(d.prices.tickerIndex[i])]
            firstBar[t] = min(firstBar[t] ?? d.prices.dates[i], d.prices.dates[i])
        }
        #expect(!d.universes.isEmpty)
        for u in d.universes {
            #expect(u.members.count <= 100 && !u.members.isEmpty)
            for m in u.members {
                #expect(bars.contains(m.ticker + u.asOf.iso), "\(m.ticker) has no bar on \(u.asOf)")
                #expect(firstBar[m.ticker]! < u.asOf)
            }
        }
    }

    @Test func profilesAreVersionedAndNeverPredateTheListing() {
        let d = Self.data
        var firstBar: [String: TradingDay] = [:]
        for i in 0..<d.prices.count {
            let t = d.prices.tickers[Int(d.prices.tickerIndex[i])]
            firstBar[t] = min(firstBar[t] ?? d.prices.dates[i], d.prices.dates[i])
        }
        #expect(Set(d.companyProfiles.map(\.profileVersionID)).count == d.companyProfiles.count)
        #expect(d.companyProfiles.contains { $0.profileVersionID.hasSuffix("-v2") })
        for p in d.companyProfiles { #expect(p.validFrom >= firstBar[p.ticker]!) }
        #expect(Set(d.companyProfiles.map(\.ticker)) == Set(d.prices.tickers))
    }

    @Test func badParametersAreRefused() {
        var p = Self.params
        p.assets = 0
        #expect(throws: HindsightError.self) { try SyntheticMarket(p).generate() }
        p = Self.params
        p.end = p.start
        #expect(throws: HindsightError.self) { try SyntheticMarket(p).generate() }
    }
}
