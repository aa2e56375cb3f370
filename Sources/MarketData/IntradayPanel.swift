import HindsightCore
import TimeMachine

/// Intraday bars aligned with a `MarketPanel`: per (asset, session) a contiguous, time-ordered range of bars, and
/// each session's NYSE hours. A bar belongs to the session of its New York date and must start inside its hours;
/// bars on other dates or outside the hours are left out and counted (`data check --intraday` lists them).
public struct IntradayPanel: Sendable {
    public let assetCount: Int
    public let dayCount: Int
    /// Bars of (asset a, session d) are `start[a * dayCount + d] ..< start[a * dayCount + d + 1]`.
    public let start: [Int32]
    public let ts: [Int64]
    public let open: [Double]
    public let high: [Double]
    public let low: [Double]
    public let close: [Double]
    public let volume: [Double]
    /// Each session's open and close, UTC seconds.
    public let sessionOpen: [Int64]
    public let sessionClose: [Int64]
    /// Per (asset, session), `a * dayCount + d`: the highest high and lowest low of its bars (NaN without bars),
    /// its realised volatility (√Σ of squared log returns, close to close, the first from its open), its volume,
    /// and its mean Corwin–Schultz spread over consecutive bars. Computed once per panel so a sweep's points and
    /// the stop checks do not redo them (a stop check skips a session whose range reaches no level).
    public let sessionHigh: [Double]
    public let sessionLow: [Double]
    public let sessionSigma: [Double]
    public let sessionVolume: [Double]
    public let sessionSpread: [Double]
    /// Rows with no session of the panel, or outside its hours.
    public let rowsOutsideSessions: Int
    public let fingerprint: String

    public init(rows: IntradayRows, panel: MarketPanel) {
        let nA = panel.assetCount, nD = panel.dayCount
        assetCount = nA
        dayCount = nD
        var sOpen = [Int64](repeating: 0, count: nD), sClose = [Int64](repeating: 0, count: nD)
        for d in 0..<nD {
            // The exchange's rules (a weekdays or data calendar's extra sessions get the regular hours).
            let h = NYSESessionTimes.hours(panel.calendar.day(at: d))
            sOpen[d] = h.open
            sClose[d] = h.close
        }
        // Place each row: its asset and session (rows arrive sorted by ticker, then time).
        var counts = [Int32](repeating: 0, count: nA * nD + 1)
        var slot = [Int32](repeating: -1, count: rows.count)
        var outside = 0
        let assetOf = rows.tickers.map { panel.asset(ticker: $0) ?? -1 }
        var lastDay = -1, lastLocal = TradingDay(daysSinceEpoch: .min)
        for i in 0..<rows.count {
            let a = assetOf[Int(rows.tickerIndex[i])]
            guard a >= 0 else { continue }
            let local = USEastern.local(utc: rows.ts[i]).day
            if local != lastLocal {
                lastLocal = local
                lastDay = panel.calendar.index(of: local) ?? -1
            }
            let d = lastDay
            guard d >= 0, rows.ts[i] >= sOpen[d], rows.ts[i] < sClose[d] else {
                outside += 1
                continue
            }
            slot[i] = Int32(a * nD + d)
            counts[a * nD + d + 1] += 1
        }
        for k in 0..<(nA * nD) { counts[k + 1] += counts[k] }
        let n = Int(counts[nA * nD])
        var fill = counts
        var t = [Int64](repeating: 0, count: n)
        var o = [Double](repeating: 0, count: n), hi = o, lo = o, c = o, v = o
        for i in 0..<rows.count where slot[i] >= 0 {
            let k = Int(slot[i])
            let j = Int(fill[k])
            fill[k] += 1
            t[j] = rows.ts[i]
            o[j] = rows.open[i]
            hi[j] = rows.high[i]
            lo[j] = rows.low[i]
            c[j] = rows.close[i]
            v[j] = rows.volume[i]
        }
        var h = StableHasher()
        for (a, name) in panel.tickers.enumerated() {
            h.combine(name)
            h.combine(Int(counts[(a + 1) * nD] - counts[a * nD]))
        }
        h.combine(doubles: t.map(Double.init))
        for field in [o, hi, lo, c, v] { h.combine(doubles: field) }
        let cells = nA * nD
        var sHigh = [Double](repeating: .nan, count: cells), sLow = sHigh, sSigma = sHigh, sSpread = sHigh
        var sVolume = [Double](repeating: 0, count: cells)
        for k in 0..<cells where counts[k + 1] > counts[k] {
            let bars = Int(counts[k])..<Int(counts[k + 1])
            var top = -Double.infinity, bottom = Double.infinity, squares = 0.0, volume = 0.0, spread = 0.0
            var previous = o[bars.lowerBound]
            for j in bars {
                top = max(top, hi[j])
                bottom = min(bottom, lo[j])
                let r = PortableMath.log(c[j] / previous)
                squares += r * r
                previous = c[j]
                volume += v[j]
                if j > bars.lowerBound {
                    spread += CorwinSchultz.spread(high0: hi[j - 1], low0: lo[j - 1], high1: hi[j], low1: lo[j])
                }
            }
            sHigh[k] = top
            sLow[k] = bottom
            sSigma[k] = squares.squareRoot()
            sVolume[k] = volume
            sSpread[k] = bars.count >= 2 ? spread / Double(bars.count - 1) : 0
        }
        sessionHigh = sHigh
        sessionLow = sLow
        sessionSigma = sSigma
        sessionVolume = sVolume
        sessionSpread = sSpread
        start = counts
        ts = t
        open = o
        high = hi
        low = lo
        close = c
        volume = v
        sessionOpen = sOpen
        sessionClose = sClose
        rowsOutsideSessions = outside
        fingerprint = h.hex
    }

    public var barCount: Int { ts.count }

    /// The bars of asset `a` on session `d`.
    @inline(__always)
    public func bars(asset a: Int, day d: Int) -> Range<Int> {
        let k = a * dayCount + d
        return Int(start[k])..<Int(start[k + 1])
    }

    /// The bars of asset `a` on session `d` that start in [from, to), local New York seconds after midnight.
    public func bars(asset a: Int, day d: Int, fromLocal: Int, toLocal: Int) -> Range<Int> {
        let all = bars(asset: a, day: d)
        guard !all.isEmpty else { return all }
        // The session's local midnight in UTC: its open minus the local opening time.
        let offset = sessionOpen[d] - Int64(NYSESessionTimes.regularOpen)
        let lo = offset + Int64(fromLocal), hi = offset + Int64(toLocal)
        var i = all.lowerBound
        while i < all.upperBound, ts[i] < lo { i += 1 }
        var j = i
        while j < all.upperBound, ts[j] < hi { j += 1 }
        return i..<j
    }
}

extension IntradayPanel {
    /// The bars as rows again (asset order, then time), tickers from `tickers` (the panel's).
    public func rows(tickers: [String]) -> IntradayRows {
        var out = IntradayRows()
        out.tickers = tickers
        out.reserve(barCount)
        for a in 0..<assetCount {
            for j in Int(start[a * dayCount])..<Int(start[(a + 1) * dayCount]) {
                out.append(
                    ticker: Int32(a), ts: ts[j], open: open[j], high: high[j], low: low[j], close: close[j],
                    volume: volume[j])
            }
        }
        return out
    }
}
