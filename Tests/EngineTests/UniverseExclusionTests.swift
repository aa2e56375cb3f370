import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Testing

@testable import Services

/// A universe rule never picks the benchmark, nor a name its profile calls an index, an ETF or not tradable; a
/// static list trades what it names.
@Suite struct UniverseExclusionTests {
    static func fields(_ json: String) -> CompanyProfile {
        CompanyProfile(
            ticker: "X", validFrom: TradingDay(year: 2000, month: 1, day: 3)!, profileVersionID: "x", sector: "S",
            industry: "", fieldsJSON: json)
    }

    @Test func aProfileIsUntradableWhenItsKindIsIndexOrETFOrItSaysSo() {
        for json in [
            #"{"kind":"etf"}"#, #"{"kind":"INDEX"}"#, #"{"tradable":false}"#, #"{"tradable":"no"}"#,
            #"{"tradable":0}"#, #"{"kind":"stock","tradable":"false"}"#,
        ] {
            #expect(BacktestProfileService.isUntradable(Self.fields(json)), "\(json)")
        }
        for json in ["{}", #"{"kind":"stock"}"#, #"{"tradable":true}"#, #"{"tradable":"yes"}"#, #"{"kind":"adr"}"#] {
            #expect(!BacktestProfileService.isUntradable(Self.fields(json)), "\(json)")
        }
    }

    static let synthetic = """
        data: {synthetic: {assets: 30, start: 2014-01-02, end: 2016-12-30, seed: 9}}
        start: 2015-01-02
        end: 2016-12-30
        universe: {rule: {kind: top_dollar_volume, size: 10, lookback: 21, min_price: 1, min_history: 21, rebalance: monthly}}
        strategy: {kind: assessment_risk_daily_rebal, rebalance: monthly, assessment: {model: momentum, lookback: 63, skip: 5}, risk: {top_n: 5, long_only: true}}
        execution: {fill: close}
        benchmark: MKT
        """

    @Test func theBenchmarkIsLeftOutEvenWithoutAProfileButAStaticListKeepsIt() throws {
        let c = try TestConfig.parse(Self.synthetic)
        let panel = try MarketInputs.load(for: c).panel
        let mkt = try #require(panel.asset(ticker: "MKT"))
        let ex = BacktestUniverseService.excluded(panel: panel, profiles: nil, benchmark: "MKT")
        #expect(ex[mkt] && ex.filter { $0 }.count == 1)
        #expect(!BacktestUniverseService.candidates(.all, panel: panel, excluded: ex).assets.contains(Int32(mkt)))
        let rule = BacktestUniverseService.candidates(c.universe, panel: panel, excluded: ex)
        #expect(rule.ruleBased && rule.sleeves == 10 && !rule.assets.contains(Int32(mkt)))
        let fixed = BacktestUniverseService.candidates(.tickers(["MKT"]), panel: panel, excluded: ex)
        #expect(fixed.assets == [Int32(mkt)])
    }

    @Test func aDollarVolumeRuleOnTheSyntheticMarketNeverHoldsItsIndex() throws {
        let (o, _) = try Kit.run(Self.synthetic)
        let tickers = Set(o.result.trades.map { o.result.tickers[Int($0.asset)] })
        #expect(!tickers.isEmpty && !tickers.contains("MKT"), "\(tickers.sorted())")
        // Without the exclusion the index is the most liquid name on every snapshot.
        let inputs = try MarketInputs.load(for: try TestConfig.parse(Self.synthetic))
        guard case .rule(let rule) = try TestConfig.parse(Self.synthetic).universe else { return }
        let day = inputs.panel.dayCount - 1
        let open = BacktestUniverseService.rank(
            rule, day: day, panel: inputs.panel, technicals: inputs.technicals, profiles: inputs.profiles,
            excluded: [Bool](repeating: false, count: inputs.panel.assetCount))
        #expect(open.first.map { inputs.panel.tickers[Int($0)] } == "MKT")
    }

    @Test func aDollarVolumeRuleOnUSEquitiesHoldsNoETF() throws {
        guard FileManager.default.fileExists(atPath: TestPaths.shared("us-equities/prices.csv.gz")) else { return }
        let db = try Kit.sharedDatabase(
            "us.sqlite",
            imports: [
                ["prices", TestPaths.shared("us-equities/prices.csv.gz")],
                ["profiles", TestPaths.shared("us-equities/profiles.csv")],
            ])
        let yaml = """
            data: {db: \(db)}
            calendar: data
            start: 2015-01-02
            end: 2015-12-31
            universe: {rule: {kind: top_dollar_volume, size: 20, lookback: 63, min_price: 5, min_history: 63, rebalance: monthly}}
            strategy: {kind: assessment_risk_daily_rebal, rebalance: monthly, assessment: {model: momentum, lookback: 63, skip: 5}, risk: {top_n: 10, long_only: true}}
            execution: {fill: close}
            """
        let inputs = try MarketInputs.load(for: try TestConfig.parse(yaml))
        let c = try TestConfig.parse(yaml)
        let sessions = BacktestEngine.sessions(c, panel: inputs.panel)
        let u = BacktestUniverseService(
            c.universe, panel: inputs.panel, technicals: inputs.technicals, profiles: inputs.profiles,
            sessions: sessions, benchmark: nil)
        let etfs = Set(
            try String(contentsOfFile: TestPaths.shared("us-equities/profiles.csv"), encoding: .utf8)
                .split(separator: "\n").filter { $0.hasSuffix(",etf") }.map { String($0.split(separator: ",")[0]) })
        #expect(etfs.contains("SPY") && etfs.count == 15)
        let held = Set(u.snapshots.flatMap { $0.members.map(\.ticker) })
        #expect(held.count >= 20 && held.isDisjoint(with: etfs), "\(held.intersection(etfs))")
    }
}
