import Analytics
import HindsightCore
import Storage

/// The base config's benchmark as the report compares with it: a total-return index (splits and dividends on their
/// ex-dates, the convention of the engine's adjusted closes), read once from the market data.
struct BenchmarkSeries: Sendable {
    let ticker: String
    /// Growth of 1 on each date the benchmark has a bar.
    let growth: [TradingDay: Double]

    init?(ticker: String?, store: HindsightDatabase) {
        guard let ticker, let prices = try? store.loadPrices(tickers: [ticker]), prices.count > 1 else { return nil }
        let actions = (try? store.loadCorporateActions(tickers: [ticker])) ?? []
        let dates = Array(prices.dates[0..<prices.count])
        let g = ReportBuilder.totalReturnIndex(
            dates: dates, closes: Array(prices.close[0..<prices.count]), actions: actions)
        self.ticker = ticker
        growth = Dictionary(uniqueKeysWithValues: zip(dates, g))
    }

    /// Daily returns on `dates` (the first is 0, as a run's first session is; 0 where a bar is missing, and the next
    /// bar's return spans the gap), or nil when the benchmark has no bar on the first date.
    func returns(on dates: [TradingDay]) -> [Double]? {
        guard let first = dates.first, var prev = growth[first] else { return nil }
        return dates.map { d in
            guard let g = growth[d] else { return 0 }
            defer { prev = g }
            return g / prev - 1
        }
    }

    /// Total return held through the sessions `from` ... `to`: from the last close before `from` to the last
    /// close on or before `to`, so consecutive windows compound to the return over their union.
    func totalReturn(from: TradingDay, to: TradingDay) -> Double? {
        let before = growth.filter { $0.key < from }.max { $0.key < $1.key }?.value
        guard let a = before ?? growth[from],
            let b = growth.filter({ $0.key <= to }).max(by: { $0.key < $1.key })?.value,
            a > 0
        else { return nil }
        return b / a - 1
    }

    /// The label the tables and charts use.
    var label: String { "benchmark \(ticker)" }
}
