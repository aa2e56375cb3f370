import HindsightCore
import MarketData

/// A position from its opening fill to a fill that reduces it (vectorbt's exit trades): each reducing fill closes
/// its share of the position at the average entry price, with that share of the entry commissions, so partial
/// exits split a trip proportionally and a reversal closes one trip and opens the next. A position still open at
/// the end is one more trip, marked at the last close (exit reason `end_of_run`, or `delisting` when the asset's
/// bars stop before the run ends).
///
/// P&L is the fills' cash: (exit − entry) × quantity (negated for shorts) − entry and exit commissions; slippage is
/// in the fill prices. Dividends, interest and borrow fees are cash outside trips, so closed trips plus the open
/// mark equal final minus initial equity when a run has none of them.
public struct RoundTrip: Sendable, Equatable {
    public var asset: Int32
    /// +1 long, −1 short.
    public var direction: Int8
    public var entryDay: Int32
    public var exitDay: Int32
    public var quantity: Double
    /// Average fill price of the shares this trip closes.
    public var entryPrice: Double
    public var exitPrice: Double
    public var entryCommission: Double
    public var exitCommission: Double
    public var pnl: Double
    /// P&L over the entry value (quantity × entry price), as vectorbt's trade return.
    public var ret: Double
    /// The asset's bars after the entry session up to the exit session.
    public var barsHeld: Int
    /// Worst and best excursion of the bars' lows and highs (highs and lows, for shorts) against the entry price,
    /// as fractions (≤ 0 and ≥ 0), over the bars after the entry bar through the exit bar; on the bar an intrabar
    /// stop exits, only the range between the open and the stop counts. NaN unless asked for.
    public var mae: Double
    public var mfe: Double
    public var exitReason: StopRules.ExitReason
    /// Indices (0-based) into the run's non-empty fills: the trip's first entry fill and its exit fill (nil if open).
    public var entryFill: Int
    public var exitFill: Int?

    public var isClosed: Bool { exitFill != nil }
}

extension BacktestResult {
    /// The run's round trips in the order they closed (open ones last, by asset). `excursions` adds MAE and MFE,
    /// which read every held bar (the stored rows want them; the metrics do not).
    public func roundTrips(panel: MarketPanel, excursions: Bool = false) -> [RoundTrip] {
        let nD = panel.dayCount
        struct Open {
            var quantity = 0.0, price = 0.0, commission = 0.0
            var day: Int32 = 0, fill = 0, lastDay: Int32 = 0
            /// The asset's bars after `day` through `lastDay`, counted as the splits are applied (counting them from
            /// the entry at every trim of a rebalanced position was quadratic: 8 % of a 118-stock momentum run).
            var held = 0
            /// The excursion scan so far against `scanEntry` (bars after `day` through `scanDay`), continued by the
            /// next partial exit of the same position instead of read again from the entry.
            var scanEntry = Double.nan, scanDay: Int32 = 0, scanRef = 0.0, scanWorst = 0.0, scanBest = 0.0
        }
        // By asset (a dictionary hashed every fill: 1 % of a momentum run).
        var book = [Open](repeating: Open(), count: panel.assetCount)
        var trips: [RoundTrip] = []
        let lastSession = Int32(firstSession + dates.count - 1)
        // Per asset: 1 when it has a bar on every session of the run and no split, 0 when not, -1 until asked. Such
        // an asset's positions need no bar read at each fill (a rebalance's fills each missed the cache on another
        // asset's row: 4 % of a 118-stock momentum run).
        var plain = [Int8](repeating: -1, count: panel.assetCount)
        func isPlain(_ a: Int32) -> Bool {
            if plain[Int(a)] < 0 {
                let row = Int(a) * nD, days = firstSession...Int(lastSession)
                // The bar span answers without reading the bars unless the asset has gaps inside its range (the
                // scan of every asset's range was 40 % of the round trips of a 118-stock momentum sweep).
                var ok = panel.hasEveryBar(asset: Int(a), days) ?? days.allSatisfy { panel.valid[row + $0] }
                if ok {
                    ok = !panel.actionDays[Int(a)].contains {
                        days.contains(Int($0)) && panel.splitRatio[row + Int($0)] != 1
                    }
                }
                plain[Int(a)] = ok ? 1 : 0
            }
            return plain[Int(a)] == 1
        }
        /// Rescales an open position for splits after its last fill up to `day` (the engine applies them first), and
        /// counts its bars.
        func split(_ o: inout Open, _ a: Int32, through day: Int32) {
            guard day > o.lastDay else { return }
            if o.lastDay >= Int32(firstSession), day <= lastSession, isPlain(a) {
                o.held += Int(day - o.lastDay)
                o.lastDay = day
                return
            }
            for d in Int(o.lastDay + 1)...Int(day) {
                let k = Int(a) * nD + d
                let r = panel.splitRatio[k]
                if r != 1 {
                    o.quantity *= r
                    o.price /= r
                }
                o.held &+= panel.valid[k] ? 1 : 0
            }
            o.lastDay = day
        }
        /// One bar of the excursion scan: the reference after the day's split, and the bar's low and high against it.
        @inline(__always) func scan(
            _ k: Int, _ side: Double, _ ref: inout Double, _ worst: inout Double, _ best: inout Double,
            stopPrice: Double?
        ) {
            ref /= panel.splitRatio[k]
            guard panel.valid[k] else { return }
            var low = panel.low[k], high = panel.high[k]
            if let p = stopPrice {
                low = max(low, min(p, panel.open[k]))
                high = min(high, max(p, panel.open[k]))
            }
            let lo = low / ref - 1, hi = high / ref - 1
            worst = min(worst, side > 0 ? lo : -hi)
            best = max(best, side > 0 ? hi : -lo)
        }
        /// `stopPrice`: an intrabar stop's fill, which bounds the exit bar (the bar after it was not lived through).
        /// The bars before the exit bar are scanned once per entry price: a later exit of the same position continues
        /// from there (min and max are exact, so the result is the same as a scan from the entry).
        func excursion(
            _ o: inout Open, _ a: Int32, _ side: Double, _ to: Int32, stopPrice: Double? = nil
        ) -> (Double, Double) {
            guard excursions else { return (.nan, .nan) }
            guard to > o.day else { return (0, 0) }
            if o.scanEntry.bitPattern != o.price.bitPattern {
                o.scanEntry = o.price
                o.scanDay = o.day
                o.scanRef = o.price
                o.scanWorst = 0
                o.scanBest = 0
            }
            var d = Int(o.scanDay) + 1
            while d < Int(to) {
                scan(Int(a) * nD + d, side, &o.scanRef, &o.scanWorst, &o.scanBest, stopPrice: nil)
                d += 1
            }
            o.scanDay = max(o.scanDay, to - 1)
            var ref = o.scanRef, worst = o.scanWorst, best = o.scanBest
            scan(Int(a) * nD + Int(to), side, &ref, &worst, &best, stopPrice: stopPrice)
            return (worst, best)
        }
        var fill = -1
        for t in trades where t.quantity != 0 {
            fill += 1
            let a = t.asset, d = t.day
            var o = book[Int(a)]
            if o.quantity != 0 { split(&o, a, through: d) }
            let q = t.quantity
            if o.quantity == 0 || (o.quantity > 0) == (q > 0) {
                if o.quantity == 0 {
                    o = Open(quantity: q, price: t.price, commission: t.commission, day: d, fill: fill, lastDay: d)
                } else {
                    let total = abs(o.quantity) + abs(q)
                    o.price = (o.price * abs(o.quantity) + t.price * abs(q)) / total
                    o.quantity += q
                    o.commission += t.commission
                }
                book[Int(a)] = o
                continue
            }
            let side: Double = o.quantity > 0 ? 1 : -1
            let closing = min(abs(q), abs(o.quantity))
            let share = closing / abs(o.quantity)
            let entryFee = o.commission * share, exitFee = t.commission * closing / abs(q)
            let entryValue = closing * o.price
            var diff = closing * t.price - entryValue
            if side < 0 { diff = -diff }
            let pnl = diff - entryFee - exitFee
            let reason = StopRules.ExitReason(rawValue: t.reason) ?? .signal
            let intrabar = reason != .signal && reason != .timeStop
            let (mae, mfe) = excursion(
                &o, a, side, d, stopPrice: intrabar ? t.price - t.slippage / abs(q) * (q > 0 ? 1 : -1) : nil)
            trips.append(
                RoundTrip(
                    asset: a, direction: side > 0 ? 1 : -1, entryDay: o.day, exitDay: d, quantity: closing,
                    entryPrice: o.price, exitPrice: t.price, entryCommission: entryFee, exitCommission: exitFee,
                    pnl: pnl, ret: pnl / entryValue, barsHeld: o.held, mae: mae,
                    mfe: mfe, exitReason: reason, entryFill: o.fill,
                    exitFill: fill))
            o.commission -= entryFee
            o.quantity += q > 0 ? closing : -closing
            let rest = abs(q) - closing
            if o.quantity == 0, rest > 0 {
                // A reversal: the rest of the fill opens the other side.
                o = Open(
                    quantity: q > 0 ? rest : -rest, price: t.price, commission: t.commission * rest / abs(q), day: d,
                    fill: fill, lastDay: d)
            } else if o.quantity == 0 {
                o = Open()
            }
            book[Int(a)] = o
        }
        for a in 0..<Int32(book.count) where book[Int(a)].quantity != 0 {
            var o = book[Int(a)]
            split(&o, a, through: lastSession)
            // The last close on or before the end (the engine's mark).
            var last = Int(lastSession)
            while last > Int(o.day), !panel.valid[Int(a) * nD + last] { last -= 1 }
            let mark = panel.close[Int(a) * nD + last]
            // Delisted: no bar at the end and none later in the data.
            let delisted =
                last < Int(lastSession) && !((Int(lastSession) + 1)..<nD).contains { panel.valid[Int(a) * nD + $0] }
            let side: Double = o.quantity > 0 ? 1 : -1
            let qty = abs(o.quantity)
            var diff = qty * mark - qty * o.price
            if side < 0 { diff = -diff }
            let pnl = diff - o.commission
            let (mae, mfe) = excursion(&o, a, side, lastSession)
            trips.append(
                RoundTrip(
                    asset: a, direction: side > 0 ? 1 : -1, entryDay: o.day, exitDay: lastSession, quantity: qty,
                    entryPrice: o.price, exitPrice: mark, entryCommission: o.commission, exitCommission: 0, pnl: pnl,
                    ret: pnl / (qty * o.price), barsHeld: o.held,
                    mae: mae, mfe: mfe, exitReason: delisted ? .delisting : .endOfRun,
                    entryFill: o.fill, exitFill: nil))
        }
        return trips
    }
}
