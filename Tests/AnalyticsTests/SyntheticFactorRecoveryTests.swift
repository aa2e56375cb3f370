import Foundation
import HindsightCore
import MarketData
import Testing
import TimeMachine

@testable import Analytics

@Suite struct SyntheticFactorRecoveryTests {
    @Test func regressionOnTheSyntheticMarketRecoversTheTrueBetas() throws {
        let params = SyntheticMarket.Parameters(
            assets: 40, start: TradingDay(iso: "2010-01-04")!, end: TradingDay(iso: "2017-12-29")!, seed: 11)
        let market = SyntheticMarket(params)
        let data = try market.generate()
        let cal = try market.calendar()
        let panel = try MarketPanel(rows: data.prices, actions: data.corporateActions, calendar: cal)
        func factor(_ name: String) -> [Double] { data.factorReturns.filter { $0.factor == name }.map(\.value) }
        let names = ["mkt_rf", "smb", "hml", "mom"]
        let f = names.map(factor), rf = factor("rf")
        var checked = 0, within2 = 0, total = 0
        for profile in data.companyProfiles
        where profile.profileVersionID.hasSuffix("-v1") && profile.ticker != SyntheticMarket.benchmarkTicker {
            guard let a = panel.asset(ticker: profile.ticker) else { continue }
            let range = panel.range(asset: a)
            let valid = (1..<panel.dayCount).filter {
                panel.valid[range.lowerBound + $0] && panel.valid[range.lowerBound + $0 - 1]
            }
            guard valid.count == panel.dayCount - 1 else { continue }  // full-history names only
            let adj = Array(panel.adjustedClose[range])
            let y = valid.map { adj[$0] / adj[$0 - 1] - 1 - rf[$0] }
            let fit = try Metrics.linearRegression(
                y: y, regressors: f.map { col in valid.map { col[$0] } }, names: names)
            let truth = try JSONSerialization.jsonObject(with: Data(profile.fieldsJSON.utf8)) as! [String: Any]
            for (j, name) in names.enumerated() {
                let b = truth["beta_\(name == "mkt_rf" ? "mkt" : name)"] as! Double
                let z = abs(fit.coefficients[j + 1] - b) / fit.stdErrors[j + 1]
                #expect(
                    z < 4.5,
                    "\(profile.ticker) \(name): \(fit.coefficients[j + 1]) vs true \(b), se \(fit.stdErrors[j + 1])")
                if z < 2 { within2 += 1 }
                total += 1
            }
            checked += 1
        }
        #expect(checked >= 20)
        // About 95% of estimates should lie within 2 standard errors of the truth.
        #expect(Double(within2) / Double(total) > 0.85, "\(within2) of \(total) within 2 se")
    }
}
