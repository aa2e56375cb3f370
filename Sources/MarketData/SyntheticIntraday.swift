import HindsightCore
import TimeMachine

/// Intraday bars for the synthetic market, consistent with its daily bars: the first bar opens at the day's open,
/// the last closes at its close, the bars' highs and lows reach the day's high and low and stay inside them, and
/// whole-share volumes add up to the day's along a U-shaped profile (heavy at the open and close). Between the
/// open, the high, the low and the close the path is a Brownian bridge. Deterministic in (seed, ticker, date).
public enum SyntheticIntraday {
    /// Bars of `minutes` (1 to 60) over each session's NYSE hours (early closes have fewer bars).
    public static func bars(for prices: PriceRows, minutes: Int, seed: UInt64) -> IntradayRows {
        precondition((1...60).contains(minutes))
        let step = Int64(minutes * 60)
        var out = IntradayRows()
        out.tickers = prices.tickers
        out.reserve(prices.count * 390 / minutes)
        var path: [Double] = []
        var weights: [Double] = []
        var shares: [Double] = []
        for i in 0..<prices.count {
            let day = prices.dates[i]
            let hours = NYSESessionTimes.hours(day)
            let n = Int((hours.close - hours.open) / step)
            guard n > 0 else { continue }
            var h = StableHasher()
            h.combine(Int(seed))
            h.combine(prices.tickers[Int(prices.tickerIndex[i])])
            h.combine(Int(day.daysSinceEpoch))
            var rng = Xoshiro256StarStar(seed: h.value)
            let o = prices.open[i], hi = prices.high[i], lo = prices.low[i], c = prices.close[i]
            bridgePath(open: o, high: hi, low: lo, close: c, points: n + 1, rng: &rng, into: &path)
            // U-shaped volume: the first and last half hours trade about three times the midday rate.
            weights.removeAll(keepingCapacity: true)
            for j in 0..<n {
                let u = (Double(j) + 0.5) / Double(n) * 2 - 1
                weights.append((0.5 + 1.5 * u * u) * (0.8 + 0.4 * rng.uniform()))
            }
            split(volume: prices.volume[i], weights: weights, into: &shares)
            let noise = (hi - lo) / Double(n).squareRoot() * 0.25
            for j in 0..<n {
                let a = path[j], b = path[j + 1]
                let barHigh = min(hi, max(a, b) + abs(rng.normal()) * noise)
                let barLow = max(lo, min(a, b) - abs(rng.normal()) * noise)
                out.append(
                    ticker: prices.tickerIndex[i], ts: hours.open + Int64(j) * step, open: a, high: barHigh,
                    low: barLow, close: b, volume: shares[j])
            }
        }
        return out
    }

    /// `points` prices from `open` to `close` that touch `high` and `low` at interior points (in random order) and
    /// stay within them: Brownian bridges between the four anchors, clamped to the range.
    static func bridgePath(
        open o: Double, high h: Double, low l: Double, close c: Double, points m: Int,
        rng: inout Xoshiro256StarStar, into path: inout [Double]
    ) {
        path = [Double](repeating: o, count: m)
        path[m - 1] = c
        guard m >= 4 else {
            // Too few points for interior anchors: the extremes go on the bars' own highs and lows.
            for j in 1..<(m - 1) { path[j] = (o + c) / 2 }
            return
        }
        var ih = 1 + rng.int(below: m - 2), il = 1 + rng.int(below: m - 3)
        if il >= ih { il += 1 }
        // An extreme the open or close already sits on needs no interior touch, but one does no harm.
        path[ih] = h
        path[il] = l
        let anchors = [0, min(ih, il), max(ih, il), m - 1]
        let sigma = (h - l) / Double(m).squareRoot()
        for s in 0..<3 {
            let a = anchors[s], b = anchors[s + 1]
            guard b - a > 1 else { continue }
            // Random walk from a, then the bridge correction so it ends at path[b].
            var walk = [Double](repeating: 0, count: b - a + 1)
            for j in 1...(b - a) { walk[j] = walk[j - 1] + sigma * rng.normal() }
            let gap = path[b] - path[a] - walk[b - a]
            for j in 1..<(b - a) {
                let t = Double(j) / Double(b - a)
                path[a + j] = min(h, max(l, path[a] + walk[j] + t * gap))
            }
        }
    }

    /// Splits a whole-share `volume` over `weights` so the parts are whole shares that add up to it exactly
    /// (largest remainders get the leftover shares); a fractional volume is split proportionally.
    static func split(volume v: Double, weights w: [Double], into out: inout [Double]) {
        let total = w.reduce(0, +)
        out = w.map { v * $0 / total }
        guard v == v.rounded(), v < 9e15 else { return }
        var floors = out.map { $0.rounded(.down) }
        var left = Int(v - floors.reduce(0, +))
        let order = out.indices.sorted { out[$0] - floors[$0] > out[$1] - floors[$1] }
        var k = 0
        while left > 0 {
            floors[order[k % order.count]] += 1
            left -= 1
            k += 1
        }
        out = floors
    }
}
