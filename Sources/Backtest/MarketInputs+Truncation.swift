import HindsightCore
import MarketData
import TimeMachine

extension MarketInputs {
    /// The same inputs as they would have been on the close of session `day`: prices, corporate actions, profile
    /// versions, data regimes and factor returns after it are gone, and the calendar ends there. A run on these
    /// must decide everything up to `day` exactly as on the full data, or it reads the future.
    public func truncated(throughSession day: Int) throws -> MarketInputs {
        let p = panel
        let last = p.calendar.day(at: day)
        var rows = PriceRows()
        rows.tickers = p.tickers
        // Sized first: growing seven columns a row at a time was most of a cut's serial time.
        var valid = 0
        for a in 0..<p.assetCount {
            for d in 0...day where p.valid[a * p.dayCount + d] { valid += 1 }
        }
        rows.reserve(valid)
        var actions: [CorporateAction] = []
        for a in 0..<p.assetCount {
            for d in 0...day where p.valid[a * p.dayCount + d] {
                let k = a * p.dayCount + d
                rows.tickerIndex.append(Int32(a))
                rows.dates.append(p.calendar.day(at: d))
                rows.open.append(p.open[k])
                rows.high.append(p.high[k])
                rows.low.append(p.low[k])
                rows.close.append(p.close[k])
                rows.volume.append(p.volume[k])
            }
            // Actions on the asset's bars only, as the rows carry them.
            for d in p.actionDays[a] where Int(d) <= day && p.valid[a * p.dayCount + Int(d)] {
                let k = a * p.dayCount + Int(d), date = p.calendar.day(at: Int(d))
                if p.splitRatio[k] != 1 {
                    actions.append(
                        CorporateAction(ticker: p.tickers[a], date: date, kind: .split, value: p.splitRatio[k]))
                }
                if p.dividend[k] != 0 {
                    actions.append(
                        CorporateAction(ticker: p.tickers[a], date: date, kind: .dividend, value: p.dividend[k]))
                }
            }
        }
        let calendar = TradingCalendar(name: p.calendar.name, sessions: Array(p.calendar.sessions.prefix(day + 1)))
        let cut = try MarketPanel(rows: rows, actions: actions, calendar: calendar, tickers: p.tickers)
        var factorReturns: [FactorReturn] = []
        for (name, values) in factors.sorted(by: { $0.key < $1.key }) {
            for d in 0...day where values[d].isFinite {
                factorReturns.append(FactorReturn(date: p.calendar.day(at: d), factor: name, value: values[d]))
            }
        }
        return MarketInputs(
            panel: cut, companies: profiles.companyProfiles.filter { $0.validFrom <= last },
            sectors: profiles.sectorProfiles.filter { $0.validFrom <= last },
            regimes: dataRegimes.filter { $0.date <= last }, factorReturns: factorReturns,
            sourceDescription: sourceDescription + " through \(last)", sourceTickers: sourceTickers,
            intraday: intraday.map { IntradayPanel(rows: $0.rows(tickers: p.tickers), panel: cut) })
    }
}
