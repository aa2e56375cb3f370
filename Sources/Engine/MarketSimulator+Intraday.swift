import HindsightCore
import MarketData

extension MarketSimulator {
    /// Marks session `d` as one that fell back to the daily rules (the engine counts such sessions).
    mutating func noteFallback(_ d: Int) { lastFallbackDay = Int32(d) }

    /// Fills the queued orders over the fill window's intraday bars of session `d` (sells first, then buys, sized
    /// from the pre-trade book at the window's first open). An asset without bars in the window that day fills by
    /// the daily rule (the open, or the close for the `close` model) and the session is counted.
    mutating func executeIntraday(
        day d: Int, fill window: RunConfig.IntradayFill, portfolio: inout Portfolio, trades: inout [TradeRecord],
        gaps: inout [GapEvent]
    ) -> Double {
        guard !pending.isEmpty, let ip = intraday else { return 0 }
        swap(&pending, &work)
        pending.removeAll(keepingCapacity: true)
        quantities.removeAll(keepingCapacity: true)
        let nD = panel.dayCount
        for o in work {
            let a = Int(o.asset), k = a * nD + d
            guard panel.valid[k] else {
                gaps.append(GapEvent(day: Int32(d), asset: o.asset, orderSkipped: true))
                quantities.append(0)
                continue
            }
            let bars = ip.bars(asset: a, day: d, fromLocal: window.from, toLocal: window.to)
            let ref =
                bars.isEmpty ? (window.model == .close ? panel.close[k] : panel.open[k]) : ip.open[bars.lowerBound]
            quantities.append(wanted(o, price: ref, held: portfolio.shares[a]))
        }
        return sellsThenBuys { sim, o, q in
            sim.fillOverBars(
                o, quantity: q, day: d, window: window, intraday: ip, portfolio: &portfolio, trades: &trades,
                gaps: &gaps)
        }
    }

    /// One order over the window's bars: each bar takes its share of the order by the model (volume for vwap,
    /// equal for twap, all in the first bar for open, all in the last for close) plus what earlier bars could not
    /// take, up to `max_participation` × the bar's volume; what is left after the last bar is carried to the next
    /// session or cancelled. The fill price is the average over the bars (typical price (H+L+C)/3 for vwap and
    /// twap, the bar's open or close for open and close), before slippage and commission.
    mutating func fillOverBars(
        _ o: Order, quantity wanted: Double, day d: Int, window: RunConfig.IntradayFill, intraday ip: IntradayPanel,
        portfolio: inout Portfolio, trades: inout [TradeRecord], gaps: inout [GapEvent]
    ) -> Double {
        let a = Int(o.asset), k = a * panel.dayCount + d
        let bars = ip.bars(asset: a, day: d, fromLocal: window.from, toLocal: window.to)
        guard !bars.isEmpty else {
            noteFallback(d)
            return fill(
                o, quantity: wanted, day: d, atOpen: window.model != .close, portfolio: &portfolio, trades: &trades,
                gaps: &gaps)
        }
        var q = wanted
        if q == .infinity {
            var budget = max(0, portfolio.cash)
            if let sleeve = sleeveCapital { budget = min(budget, max(0, sleeve + portfolio.cashFlow[a])) }
            let ref = ip.open[bars.lowerBound]
            q = affordable(
                budget: budget, price: ref + slippagePerShare(ref: ref, quantity: budget / ref, k: k, asset: a, day: d))
            guard q > 0 else { return 0 }
        }
        let side: Double = q > 0 ? 1 : -1
        let total = abs(q)
        let model = window.model
        var windowVolume = 0.0
        if model == .vwap { for j in bars { windowVolume += ip.volume[j] } }
        // A window without volume cannot weight by it: equal weights.
        let byVolume = model == .vwap && windowVolume > 0
        let weightSum: Double = byVolume ? windowVolume : (model == .twap || model == .vwap ? Double(bars.count) : 1)
        var cumulative = 0.0, filled = 0.0, value = 0.0
        var used: Int32 = 0, first: Int64 = 0, last: Int64 = 0
        for (i, j) in bars.enumerated() {
            let w: Double
            switch model {
            case .vwap: w = byVolume ? ip.volume[j] : 1
            case .twap: w = 1
            case .open: w = i == 0 ? 1 : 0
            case .close: w = i == bars.count - 1 ? 1 : 0
            }
            cumulative += w
            var target = i == bars.count - 1 || cumulative >= weightSum ? total : total * (cumulative / weightSum)
            if !fractional { target = target.rounded(.down) }
            var take = target - filled
            var capped = false
            if let p = execution.maxParticipation {
                var cap = p * ip.volume[j]
                if !fractional { cap = cap.rounded(.down) }
                if take > cap {
                    take = cap
                    capped = true
                }
            }
            guard take > 0 else { continue }
            let price: Double
            switch model {
            case .vwap, .twap: price = (ip.high[j] + ip.low[j] + ip.close[j]) / 3
            case .open: price = ip.open[j]
            case .close: price = ip.close[j]
            }
            // Uncapped, the order is exactly on its schedule (no round-off carried from bar to bar).
            filled = capped ? filled + take : target
            value += take * price
            if used == 0 { first = ip.ts[j] }
            last = ip.ts[j]
            used += 1
        }
        var flags: UInt8 = 0
        let rest = total - filled
        if rest > (fractional ? 1e-9 * total : 0.5) {
            flags |= TradeRecord.partial
            if execution.partialFills == .carry {
                flags |= TradeRecord.carriedRemainder
                pending.append(
                    Order(
                        asset: o.asset, kind: .quantity(side * rest), decision: o.decision, decisionDay: o.decisionDay,
                        decisionEquity: o.decisionEquity, carried: true))
            } else {
                flags |= TradeRecord.cancelledRemainder
            }
        }
        guard filled > 0 else {
            trades.append(
                TradeRecord(
                    day: Int32(d), asset: o.asset, quantity: 0, price: ip.open[bars.lowerBound], commission: 0,
                    slippage: 0, decision: o.decision, requested: side * total,
                    flags: flags | (o.carried ? TradeRecord.fromCarry : 0)))
            return 0
        }
        let before = trades.count
        let traded = fill(
            o, quantity: side * filled, day: d, atOpen: true, reference: value / filled, participation: false,
            portfolio: &portfolio, trades: &trades, gaps: &gaps)
        if trades.count > before {
            let t = trades.count - 1
            trades[t].flags |= flags
            if trades[t].flags & TradeRecord.trimmedToCash == 0 { trades[t].requested = side * total }
            trades[t].intradayBars = used
            trades[t].firstBar = first
            trades[t].lastBar = last
        }
        return traded
    }
}

extension Order.Trigger {
    /// The first intraday bar that fills the order and its price: each bar as `fillPrice` reads a daily bar, except
    /// that a stop-limit whose stop a bar touched without filling waits, as a limit order, for a later bar.
    public func firstFill(buy: Bool, bars: Range<Int>, intraday ip: IntradayPanel) -> (price: Double, bar: Int)? {
        var triggered = false
        for j in bars {
            let o = ip.open[j], h = ip.high[j], l = ip.low[j]
            if triggered {
                if buy ? o <= limit : o >= limit { return (o, j) }
                if buy ? l <= limit : h >= limit { return (limit, j) }
                continue
            }
            if let p = fillPrice(buy: buy, open: o, high: h, low: l) { return (p, j) }
            if kind == .stopLimit, buy ? h >= level : l <= level { triggered = true }
        }
        return nil
    }
}
