import Backtest
import Foundation
import HindsightCore
import MarketData
import TimeMachine

/// The deterministic markets the tests share: hand-made bars where a result is worked by hand, and the built-in
/// synthetic market where a check needs realistic prices without `../shared/data`.
public enum TestMarket {
    /// The first session of hand-made markets (a Monday).
    public static let firstDay = TradingDay(year: 2020, month: 1, day: 6)!

    /// Inputs from hand-made bars: one ticker per entry of `closes` (NaN = no bar), weekdays from `firstDay`.
    /// Highs and lows are 1% beyond the open and close unless given; opens default to the close.
    public static func inputs(
        closes: [String: [Double]], volume: Double = 1_000_000, actions: [CorporateAction] = [],
        sectors: [String: String] = [:], opens: [String: [Double]] = [:], highs: [String: [Double]] = [:],
        lows: [String: [Double]] = [:], fields: [String: String] = [:], factors: [String: [Double]] = [:]
    ) throws -> MarketInputs {
        let start = firstDay
        let n = closes.values.first!.count
        let calendar = TradingCalendar.weekdays(from: start, to: start.adding(days: n * 2))
        var rows = PriceRows()
        for (t, series) in closes.sorted(by: { $0.key < $1.key }) {
            rows.tickers.append(t)
            for (i, c) in series.enumerated() where c.isFinite {
                rows.tickerIndex.append(Int32(rows.tickers.count - 1))
                rows.dates.append(calendar.day(at: i))
                let o = opens[t]?[i] ?? c
                rows.open.append(o)
                rows.high.append(highs[t]?[i] ?? max(o, c) * 1.01)
                rows.low.append(lows[t]?[i] ?? min(o, c) * 0.99)
                rows.close.append(c)
                rows.volume.append(volume)
            }
        }
        let cal = TradingCalendar(name: "weekdays", sessions: Array(calendar.sessions.prefix(n)))
        let panel = try MarketPanel(rows: rows, actions: actions, calendar: cal)
        let profiles = sectors.map {
            CompanyProfile(
                ticker: $0.key, validFrom: start, profileVersionID: "\($0.key)-v1", sector: $0.value, industry: "x",
                fieldsJSON: fields[$0.key] ?? "{}")
        }
        let factorReturns = factors.sorted { $0.key < $1.key }.flatMap { name, values in
            values.enumerated().map { FactorReturn(date: cal.day(at: $0.offset), factor: name, value: $0.element) }
        }
        return MarketInputs(
            panel: panel, companies: profiles, sectors: [], regimes: [], factorReturns: factorReturns,
            sourceDescription: "test bars")
    }

    /// The built-in synthetic market (`hindsight data synth`'s generator): `assets` names plus the market index
    /// `MKT`, NYSE sessions from `start` to `end`, the same for a seed on every machine.
    public static func synthetic(
        assets: Int = 3, start: String = "2015-01-02", end: String = "2018-12-31", seed: UInt64 = 7
    ) throws -> MarketDataset {
        try SyntheticMarket(
            .init(assets: assets, start: TradingDay(iso: start)!, end: TradingDay(iso: end)!, seed: seed)
        ).generate()
    }

    /// One ticker's closes in date order.
    public static func closes(_ data: MarketDataset, ticker: String) -> [Double] {
        guard let t = data.prices.tickers.firstIndex(of: ticker) else { return [] }
        let rows = data.prices
        let idx = rows.tickerIndex.indices.filter { rows.tickerIndex[$0] == Int32(t) }.sorted {
            rows.dates[$0] < rows.dates[$1]
        }
        return idx.map { rows.close[$0] }
    }
}
