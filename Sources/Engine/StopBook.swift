import HindsightCore
import MarketData
import Signals

/// The run's stops (`StopRules`) on every open position: levels set at the entry fill, checked on each later bar's
/// open, high and low, and the count of bars whose outcome the intrabar path decides. Iterates only the positions
/// it holds, never the whole panel.
struct StopBook {
    let rules: StopRules
    let panel: MarketPanel
    /// Where the intrabar check reads each open position's bar flag and its open, high and low: the day-major
    /// copies when the run has them (same values as the panel).
    var prices: DayMajorMarks.Reader
    var bars: DayMajorBars?
    /// The sweep's shared columns: ATR(n) of an asset is computed once per sweep, not once per point.
    let cache: SignalCache?
    /// Per asset: +1 long, −1 short, 0 no position.
    var side: [Int8]
    var entryDay: [Int32]
    var entryPrice: [Double]
    /// Highest high (lowest low, for shorts) since the entry, starting at the entry price.
    var trail: [Double]
    /// k × ATR(n) at the entry's decision bar, NaN when ATR had not warmed up.
    var atrDistance: [Double]
    var barsHeld: [Int32]
    /// The session a stop closed the asset on (orders for the same bar's close are dropped: one exit per bar).
    var stoppedDay: [Int32]
    /// Assets with a position, in the order they opened.
    var open: [Int32] = []
    /// ATR(n) per asset, on its own bars, computed when the asset first opens.
    var atr: [Int: (sessions: [Int32], values: [Double])] = [:]
    /// Bars on which both a stop and the target lay inside the range with the open beyond neither.
    var ambiguousBars = 0
    /// Intraday bars: stops are checked bar by bar (first touch) on sessions that have them.
    let intraday: IntradayPanel?
    /// The last session whose stop checks had no intraday bars and used the daily bar.
    var lastFallbackDay: Int32 = -1

    init(rules: StopRules, panel: MarketPanel, cache: SignalCache? = nil, intraday: IntradayPanel? = nil) {
        self.rules = rules
        self.panel = panel
        prices = DayMajorMarks.Reader(panel: panel, marks: nil)
        self.intraday = intraday
        self.cache = cache
        let n = rules.isActive ? panel.assetCount : 0
        side = [Int8](repeating: 0, count: n)
        entryDay = [Int32](repeating: -1, count: n)
        entryPrice = [Double](repeating: .nan, count: n)
        trail = [Double](repeating: .nan, count: n)
        atrDistance = [Double](repeating: .nan, count: n)
        barsHeld = [Int32](repeating: 0, count: n)
        stoppedDay = [Int32](repeating: -1, count: n)
    }

    /// Brings the book up to date with the fills `trades[from...]` of session `d` (filled at the open or close).
    /// `atOpen`: the fills happened after the bar opened (the decision's ATR is the previous bar's).
    mutating func record(_ trades: [TradeRecord], from: Int, day d: Int, atOpen: Bool, portfolio: Portfolio) {
        guard rules.isActive, from < trades.count else { return }
        for t in trades[from...] {
            let a = Int(t.asset)
            let held = portfolio.shares[a]
            if held == 0 {
                if side[a] != 0 { close(a) }
                continue
            }
            let s: Int8 = held > 0 ? 1 : -1
            guard side[a] != s else { continue }
            // Opened or reversed: stops from the price the entry filled at before slippage.
            if side[a] == 0 { open.append(Int32(a)) }
            // The fill price before slippage (the open, the close, or a limit or stop level).
            let ref = t.price - (t.quantity > 0 ? 1 : -1) * t.slippage / abs(t.quantity)
            side[a] = s
            entryDay[a] = Int32(d)
            entryPrice[a] = ref
            trail[a] = ref
            barsHeld[a] = 0
            atrDistance[a] = .nan
            if let (n, mult) = rules.atrStop {
                // The last ATR known when the order was decided: this bar's for close fills, the previous for opens.
                let series = atrSeries(a, n)
                var lo = 0, hi = series.sessions.count
                let limit = Int32(atOpen ? d - 1 : d)
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if series.sessions[mid] <= limit { lo = mid + 1 } else { hi = mid }
                }
                if lo > 0, series.values[lo - 1].isFinite { atrDistance[a] = mult * series.values[lo - 1] }
            }
        }
    }

    mutating func atrSeries(_ a: Int, _ n: Int) -> (sessions: [Int32], values: [Double]) {
        if let s = atr[a] { return s }
        let bars = cache?.bars(asset: a) { AssetBars(panel: panel, asset: a) } ?? AssetBars(panel: panel, asset: a)
        // The expression `atr(n)`: the same column (and cache key) a signal expression naming it uses.
        let values =
            (try? SignalProgram.compile("atr(\(n))", params: [:]))?.evaluate(bars, cache: cache, asset: a)
            ?? Indicators.atr(high: bars.high, low: bars.low, close: bars.close, n)
        let s = (bars.sessions, values)
        atr[a] = s
        return s
    }

    /// Prices after a split of `ratio` new shares per old one: levels scale down with them.
    mutating func applySplit(asset a: Int, ratio: Double) {
        guard rules.isActive, side[a] != 0, ratio > 0 else { return }
        entryPrice[a] /= ratio
        trail[a] /= ratio
        atrDistance[a] /= ratio
    }

    mutating func close(_ a: Int) {
        side[a] = 0
        entryDay[a] = -1
        if let i = open.firstIndex(of: Int32(a)) { open.remove(at: i) }
    }

    /// An exit the book wants filled now: asset, reference price, reason.
    struct Exit {
        var asset: Int
        var price: Double
        var reason: StopRules.ExitReason
        /// The intraday bar that touched the level (an index into the `IntradayPanel`), or −1 for a daily bar.
        var bar = -1
    }

    /// Intrabar stops on session `d` for positions entered before it; trailing references move after the check.
    mutating func intrabarExits(day d: Int, into exits: inout [Exit]) {
        exits.removeAll(keepingCapacity: true)
        guard rules.isActive, !open.isEmpty else { return }
        let nD = panel.dayCount, px = prices, dayBars = bars
        for a32 in open {
            let a = Int(a32), k = a * nD + d
            guard px.valid[px.index(asset: a, day: d)], entryDay[a] < Int32(d) else { continue }
            barsHeld[a] += 1
            guard rules.isIntrabar else { continue }
            if let ip = intraday {
                let bars = ip.bars(asset: a, day: d)
                if !bars.isEmpty {
                    // A session whose range reaches no level (even with the trail at the session's high) has no
                    // exit on any bar: the trail moves to its extreme, as the bar-by-bar walk would leave it.
                    if !reaches(asset: a, high: ip.sessionHigh[k], low: ip.sessionLow[k]) {
                        if rules.trailingStop != nil { moveTrail(a, high: ip.sessionHigh[k], low: ip.sessionLow[k]) }
                        continue
                    }
                    // The intraday path: the first bar that reaches a level decides, at that bar's open or level.
                    for j in bars {
                        if var exit = barExit(asset: a, open: ip.open[j], high: ip.high[j], low: ip.low[j]) {
                            exit.bar = j
                            exits.append(exit)
                            break
                        }
                        if rules.trailingStop != nil { moveTrail(a, high: ip.high[j], low: ip.low[j]) }
                    }
                    continue
                }
                lastFallbackDay = Int32(d)
            }
            let o: Double, h: Double, l: Double
            if let b = dayBars {
                let j = (d * b.assets + a) * 3
                (o, h, l) = (b.ohlc[j], b.ohlc[j + 1], b.ohlc[j + 2])
            } else {
                (o, h, l) = (panel.open[k], panel.high[k], panel.low[k])
            }
            if let exit = barExit(asset: a, open: o, high: h, low: l) {
                exits.append(exit)
            } else if rules.trailingStop != nil {
                moveTrail(a, high: h, low: l)
            }
        }
    }

    /// Whether any level of the position in `a` could be reached by bars inside [low, high]: each protective level
    /// at its highest (the trail at `high` for a long) against the low, the target against the high (strictly: a
    /// level equal to an extreme is reached).
    func reaches(asset a: Int, high h: Double, low l: Double) -> Bool {
        let long = side[a] > 0, entry = entryPrice[a]
        @inline(__always) func protective(_ level: Double) -> Bool {
            level.isFinite && (long ? level >= l : level <= h)
        }
        if let f = rules.stopLoss, protective(long ? entry * (1 - f) : entry * (1 + f)) { return true }
        if let f = rules.trailingStop {
            let t = long ? max(trail[a], h) : min(trail[a], l)
            if protective(long ? t * (1 - f) : t * (1 + f)) { return true }
        }
        if rules.atrStop != nil, atrDistance[a].isFinite,
            protective(long ? entry - atrDistance[a] : entry + atrDistance[a])
        {
            return true
        }
        if let f = rules.takeProfit {
            let target = long ? entry * (1 + f) : entry * (1 - f)
            if long ? target <= h : target >= l { return true }
        }
        return false
    }

    mutating func moveTrail(_ a: Int, high h: Double, low l: Double) {
        trail[a] = side[a] > 0 ? max(trail[a], h) : min(trail[a], l)
    }

    /// The exit a bar (daily or intraday) with open `o`, high `h` and low `l` gives the position in `a`, or nil.
    mutating func barExit(asset a: Int, open o: Double, high h: Double, low l: Double) -> Exit? {
        let long = side[a] > 0
        // The protective level nearest the price, and which rule set it (stop loss wins ties).
        var stop = long ? -Double.infinity : .infinity
        var stopReason = StopRules.ExitReason.stopLoss
        func consider(_ level: Double, _ reason: StopRules.ExitReason) {
            guard level.isFinite else { return }
            if long ? level > stop : level < stop {
                stop = level
                stopReason = reason
            }
        }
        let entry = entryPrice[a]
        if let f = rules.stopLoss { consider(long ? entry * (1 - f) : entry * (1 + f), .stopLoss) }
        if let f = rules.trailingStop { consider(long ? trail[a] * (1 - f) : trail[a] * (1 + f), .trailingStop) }
        if rules.atrStop != nil, atrDistance[a].isFinite {
            consider(long ? entry - atrDistance[a] : entry + atrDistance[a], .atrStop)
        }
        let target = rules.takeProfit.map { long ? entry * (1 + $0) : entry * (1 - $0) } ?? .nan
        // vectorbt's get_stop_price_nb: beyond at the open fills at the open, else at the level inside the bar.
        func hit(_ level: Double, protective: Bool) -> Double? {
            guard level.isFinite else { return nil }
            let below = long == protective
            if below ? o <= level : level <= o { return o }
            return l <= level && level <= h ? level : nil
        }
        let stopFill = hit(stop, protective: true), targetFill = hit(target, protective: false)
        // The open comes first; only two levels inside the range leave the order to the unseen path.
        var exit: Exit?
        if let s = stopFill, s == o {
            exit = Exit(asset: a, price: s, reason: stopReason)
        } else if let t = targetFill, t == o {
            exit = Exit(asset: a, price: t, reason: .takeProfit)
        } else if let s = stopFill, let t = targetFill {
            ambiguousBars += 1
            exit =
                rules.intrabar == .pessimistic
                ? Exit(asset: a, price: s, reason: stopReason) : Exit(asset: a, price: t, reason: .takeProfit)
        } else if let s = stopFill {
            exit = Exit(asset: a, price: s, reason: stopReason)
        } else if let t = targetFill {
            exit = Exit(asset: a, price: t, reason: .takeProfit)
        }
        return exit
    }

    /// Time stops due at the close of session `d`.
    func timeExits(day d: Int, into exits: inout [Exit]) {
        exits.removeAll(keepingCapacity: true)
        guard let n = rules.timeStop, !open.isEmpty else { return }
        let nD = panel.dayCount
        for a32 in open {
            let a = Int(a32), k = a * nD + d
            if panel.valid[k], side[a] != 0, barsHeld[a] >= Int32(n) {
                exits.append(Exit(asset: a, price: panel.close[k], reason: .timeStop))
            }
        }
    }
}
