import HindsightCore
import HindsightTestSupport
import MarketData
import Testing
import TimeMachine

@testable import Storage

@Suite struct PanelFromStoreTests {
    @Test func aPanelLoadedFromTheStoreEqualsThePanelOfTheGeneratedData() throws {
        let params = SyntheticMarket.Parameters(
            assets: 30, start: TradingDay(iso: "2014-01-02")!, end: TradingDay(iso: "2015-12-31")!, seed: 5)
        let market = SyntheticMarket(params)
        let data = try market.generate()
        let db = try HindsightDatabase()
        try db.importDataset(data, replace: false)
        let tickers = Array(data.prices.tickers.sorted().prefix(5))
        let from = TradingDay(iso: "2014-06-02")!, to = TradingDay(iso: "2015-06-30")!
        let cal = try TradingCalendar.nyse(from: from, to: to)
        let loaded = try MarketPanel(
            rows: try db.loadPrices(tickers: tickers, from: from, to: to),
            actions: try db.loadCorporateActions(tickers: tickers), calendar: cal, tickers: tickers)
        let direct = try MarketPanel(rows: data.prices, actions: data.corporateActions, calendar: cal, tickers: tickers)
        #expect(loaded.assetCount == 5 && loaded.dayCount == cal.count)
        #expect(loaded.fingerprint == direct.fingerprint)
        #expect(loaded.close.map(\.bitPattern) == direct.close.map(\.bitPattern))
        #expect(loaded.adjustedClose.map(\.bitPattern) == direct.adjustedClose.map(\.bitPattern))
        #expect(direct.rowsOutsideCalendar > 0)  // the generated rows outside the window are not sessions of `cal`
    }
}
