import HindsightCore
import MarketData
import TimeMachine

/// Rebuilds a market from resampled whole days: session `d` of a path takes the day-over-day moves of source
/// session `s` for every asset at once (close, open, high and low relative to the previous close, split-adjusted;
/// volume as it was), so each day's cross-section (correlations, dispersion) is a real day's, and blocks of days
/// keep volatility clustering. Calendar, listings and corporate actions stay on their original sessions (a split
/// divides the path's price on its own day; a dividend keeps its yield). Factor returns move with their day.
/// Days before `firstDay` are the original history, so indicators warm up on real data.
public struct MarketResampler: Sendable {
    public let inputs: MarketInputs
    public let firstDay: Int

    public init(inputs: MarketInputs, firstDay: Int) {
        self.inputs = inputs
        self.firstDay = max(1, firstDay)
    }

    /// Sessions a path resamples, and the source days it may draw from (the same range).
    public var window: Range<Int> { firstDay..<inputs.panel.dayCount }

    /// The inputs of one path: `sources[i]` is the source session of session `firstDay + i`. With `closeReturns`
    /// (asset-major, `closeReturns[a * window.count + i]`) the closes follow those returns instead, and the source
    /// day lends only its open/high/low shape relative to its close, its volume and its factor values.
    public func path(sources: [Int], closeReturns: [Double]? = nil) throws -> MarketInputs {
        let p = inputs.panel, nD = p.dayCount, n = window.count
        precondition(sources.count == n && sources.allSatisfy { window.contains($0) })
        precondition(closeReturns == nil || closeReturns!.count == n * p.assetCount)
        var rows = PriceRows()
        rows.tickers = p.tickers
        rows.files = ["scenario"]
        var actions: [CorporateAction] = []
        for a in 0..<p.assetCount {
            var prev = Double.nan
            for d in 0..<nD {
                let k = a * nD + d
                guard p.valid[k] else { continue }
                var o = p.open[k], h = p.high[k], l = p.low[k], c = p.close[k], v = p.volume[k]
                var div = p.dividend[k]
                if d >= firstDay, prev.isFinite, let moves = closeReturns {
                    let ks = a * nD + sources[d - firstDay]
                    c = prev / p.splitRatio[k] * (1 + moves[a * n + d - firstDay])
                    if p.valid[ks] {
                        o = c * p.open[ks] / p.close[ks]
                        h = max(c * p.high[ks] / p.close[ks], o, c)
                        l = min(c * p.low[ks] / p.close[ks], o, c)
                        v = p.volume[ks]
                    } else {
                        (o, h, l) = (c, c, c)
                    }
                    if div != 0, let before = lastClose(asset: a, before: d) { div *= prev / before }
                } else if d >= firstDay, prev.isFinite {
                    let s = sources[d - firstDay], ks = a * nD + s
                    // A source day without a bar (or without the bar before it) leaves a gap in the path.
                    guard p.valid[ks], s > 0, p.valid[ks - 1] else { continue }
                    let base = p.close[ks - 1] / p.splitRatio[ks], scale = prev / p.splitRatio[k]
                    c = scale * p.close[ks] / base
                    o = scale * p.open[ks] / base
                    h = scale * p.high[ks] / base
                    l = scale * p.low[ks] / base
                    v = p.volume[ks]
                    // Keep the dividend's yield on the path's own price.
                    if div != 0, let before = lastClose(asset: a, before: d) { div *= prev / before }
                }
                rows.tickerIndex.append(Int32(a))
                rows.dates.append(p.calendar.day(at: d))
                rows.open.append(o)
                rows.high.append(h)
                rows.low.append(l)
                rows.close.append(c)
                rows.volume.append(v)
                rows.lines.append(0)
                rows.sourceFile.append(0)
                let date = p.calendar.day(at: d)
                if p.splitRatio[k] != 1 {
                    actions.append(
                        CorporateAction(ticker: p.tickers[a], date: date, kind: .split, value: p.splitRatio[k]))
                }
                if div != 0 {
                    actions.append(CorporateAction(ticker: p.tickers[a], date: date, kind: .dividend, value: div))
                }
                prev = c
            }
        }
        let panel = try MarketPanel(rows: rows, actions: actions, calendar: p.calendar, tickers: p.tickers)
        var factorReturns: [FactorReturn] = []
        for (name, values) in inputs.factors.sorted(by: { $0.key < $1.key }) {
            for d in 0..<nD {
                let v = d >= firstDay ? values[sources[d - firstDay]] : values[d]
                if v.isFinite {
                    factorReturns.append(FactorReturn(date: p.calendar.day(at: d), factor: name, value: v))
                }
            }
        }
        return MarketInputs(
            panel: panel, companies: inputs.profiles.companyProfiles, sectors: inputs.profiles.sectorProfiles,
            regimes: inputs.dataRegimes, factorReturns: factorReturns,
            sourceDescription: inputs.sourceDescription
                + (closeReturns == nil ? " (resampled)" : " (synthetic, fitted)"), sourceTickers: inputs.sourceTickers)
    }

    func lastClose(asset a: Int, before d: Int) -> Double? {
        let p = inputs.panel
        var t = d - 1
        while t >= 0 {
            if p.valid[a * p.dayCount + t] { return p.close[a * p.dayCount + t] }
            t -= 1
        }
        return nil
    }
}
