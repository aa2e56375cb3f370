/// The indicator library: TA-Lib's definitions (seeding, smoothing, first valid bar), computed over one asset's own
/// bars. Every function returns one value per input bar, NaN before its first valid bar (TA-Lib's lookback), and
/// is checked against the `ta-lib` Python package at 1e-9 (Tests/SignalsTests, scripts/make_signal_fixtures.py).
public enum Indicators {
    /// TA-Lib's TA_IS_ZERO.
    @inline(__always) static func isZero(_ v: Double) -> Bool { -1e-14 < v && v < 1e-14 }

    /// TA-Lib's TA_IS_ZERO_SCALED: zero within 1e-14 of the operands' magnitude.
    @inline(__always) static func isZeroScaled(_ v: Double, _ scale: Double) -> Bool { abs(v) <= 1e-14 * scale }

    @inline(__always) static func empty(_ n: Int) -> [Double] { [Double](repeating: .nan, count: n) }

    /// An output of `count` values: NaN before `firstValid`, the rest written by `body`, which must write every
    /// index from `firstValid` on. Skipping the NaN fill of the whole array is 0.2-0.3 ms of the 2 ms per million
    /// bars of `sma` and `ema` (the `Signals:` package benchmark).
    @inline(__always) static func output(
        count: Int, firstValid: Int, _ body: (UnsafeMutableBufferPointer<Double>) -> Void
    ) -> [Double] {
        precondition(firstValid >= 0 && firstValid <= count)
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.initialize(repeating: .nan, count: firstValid)
            body(buffer)
            initialized = count
        }
    }

    /// The bar true range of TA-Lib's TRUE_RANGE macro.
    @inline(__always) static func trueRange(high th: Double, low tl: Double, previousClose yc: Double) -> Double {
        var r = th - tl
        let a = abs(th - yc)
        if a > r { r = a }
        let b = abs(tl - yc)
        if b > r { r = b }
        return r
    }

    // MARK: Moving averages

    /// Simple moving average (lookback n − 1), summed as TA-Lib does: a running total.
    public static func sma(_ x: [Double], _ n: Int) -> [Double] {
        guard n >= 1, x.count >= n else { return empty(x.count) }
        // Buffer views in the hot loops of sma, ema and rsi: no bounds checks, so the serial chain of additions is
        // what sets the speed (about 1.7 ms per million bars here, the `Signals:` package benchmark; ta-lib 1.7-2.0).
        return x.withUnsafeBufferPointer { x in
            output(count: x.count, firstValid: n - 1) { out in
                // TA-Lib's order of additions, kept on purpose: adding the difference (one add on the chain) is
                // faster but flips 3 of the 14,751 GOOG crossovers at exact ties, and the expression must equal
                // `sma_crossover` on every point.
                var total = 0.0
                for i in 0..<(n - 1) { total += x[i] }
                var trailing = 0
                let nd = Double(n)
                for i in (n - 1)..<x.count {
                    total += x[i]
                    out[i] = total / nd
                    total -= x[trailing]
                    trailing += 1
                }
            }
        }
    }

    /// Exponential moving average, k = 2 / (n + 1), seeded with the SMA of the first n bars (lookback n − 1).
    public static func ema(_ x: [Double], _ n: Int) -> [Double] { ema(x, n, k: 2 / Double(n + 1)) }

    static func ema(_ x: [Double], _ n: Int, k: Double) -> [Double] {
        guard n >= 1 else { return empty(x.count) }
        // The first valid input: ema of an indicator with its own lookback starts after it.
        guard let first = x.firstIndex(where: { !$0.isNaN }), x.count - first >= n else { return empty(x.count) }
        return x.withUnsafeBufferPointer { x in
            output(count: x.count, firstValid: first + n - 1) { out in
                var seed = 0.0
                for i in first..<(first + n) { seed += x[i] }
                var prev = seed / Double(n)
                out[first + n - 1] = prev
                // prev·(1 − k) + x·k: a multiply and an add on the dependency chain, not a subtract, multiply and add
                // (2.7 → 2.0 ms per million bars; equal to TA-Lib's (x − prev)·k + prev at 1e-9, the golden test).
                let keep = 1 - k
                for i in (first + n)..<x.count {
                    prev = prev * keep + x[i] * k
                    out[i] = prev
                }
            }
        }
    }

    /// Weighted moving average, weights 1…n (lookback n − 1), with TA-Lib's running sums.
    public static func wma(_ x: [Double], _ n: Int) -> [Double] {
        var out = empty(x.count)
        guard n >= 1, x.count >= n else { return out }
        if n == 1 { return x }
        let divider = Double(n * (n + 1) / 2)
        var periodSub = 0.0, periodSum = 0.0
        for i in 0..<(n - 1) {
            periodSub += x[i]
            periodSum += x[i] * Double(i + 1)
        }
        var trailingValue = 0.0, trailing = 0
        for i in (n - 1)..<x.count {
            let v = x[i]
            periodSub += v
            periodSub -= trailingValue
            periodSum += v * Double(n)
            trailingValue = x[trailing]
            trailing += 1
            out[i] = periodSum / divider
            periodSum -= periodSub
        }
        return out
    }

    /// Double EMA: 2·EMA − EMA(EMA) (lookback 2(n − 1)).
    public static func dema(_ x: [Double], _ n: Int) -> [Double] {
        let e1 = ema(x, n), e2 = ema(e1, n)
        return zip(e1, e2).map { e2.isEmpty ? .nan : ($1.isNaN ? .nan : 2 * $0 - $1) }
    }

    /// Triple EMA: 3·EMA − 3·EMA² + EMA³ (lookback 3(n − 1)).
    public static func tema(_ x: [Double], _ n: Int) -> [Double] {
        let e1 = ema(x, n), e2 = ema(e1, n), e3 = ema(e2, n)
        var out = empty(x.count)
        for i in 0..<x.count where !e3[i].isNaN { out[i] = e3[i] + (3 * e1[i] - 3 * e2[i]) }
        return out
    }

    /// Triangular moving average (lookback n − 1): triangular weights 1, 2, …, ⌈n/2⌉, …, 2, 1.
    public static func trima(_ x: [Double], _ n: Int) -> [Double] {
        var out = empty(x.count)
        guard n >= 1, x.count >= n else { return out }
        var w = [Double](repeating: 0, count: n)
        for i in 0..<n { w[i] = Double(min(i + 1, n - i)) }
        if n % 2 == 0 { for i in 0..<n { w[i] = Double(min(i + 1, n - i)) } }
        let total = w.reduce(0, +)
        for t in (n - 1)..<x.count {
            var s = 0.0
            for i in 0..<n { s += w[i] * x[t - n + 1 + i] }
            out[t] = s / total
        }
        return out
    }

    /// Kaufman adaptive moving average (fast 2, slow 30; lookback n), TA-Lib's rules.
    public static func kama(_ x: [Double], _ n: Int) -> [Double] {
        var out = empty(x.count)
        guard n >= 1, x.count > n else { return out }
        let constMax = 2.0 / (30.0 + 1.0), constDiff = 2.0 / (2.0 + 1.0) - constMax
        var sumROC1 = 0.0
        for i in 0..<n { sumROC1 += abs(x[i] - x[i + 1]) }
        var prev = x[n - 1]
        var trailing = 0
        var trailingValue = x[0]
        func step(_ today: Int, first: Bool) {
            let v = x[today], back = x[trailing]
            trailing += 1
            let periodROC = v - back
            if !first {
                sumROC1 -= abs(trailingValue - back)
                sumROC1 += abs(v - x[today - 1])
            }
            trailingValue = back
            var er = sumROC1 <= periodROC || isZero(sumROC1) ? 1.0 : abs(periodROC / sumROC1)
            er = er * constDiff + constMax
            er *= er
            prev = (v - prev) * er + prev
            out[today] = prev
        }
        step(n, first: true)
        for t in (n + 1)..<x.count { step(t, first: false) }
        return out
    }

    // MARK: Rolling statistics

    /// Highest value over the last n bars (TA-Lib MAX; lookback n − 1).
    public static func highest(_ x: [Double], _ n: Int) -> [Double] { extreme(x, n, by: >) }

    /// Lowest value over the last n bars (TA-Lib MIN; lookback n − 1).
    public static func lowest(_ x: [Double], _ n: Int) -> [Double] { extreme(x, n, by: <) }

    /// The window's most extreme value by `better` (the first of equals).
    static func extreme(_ x: [Double], _ n: Int, by better: (Double, Double) -> Bool) -> [Double] {
        var out = empty(x.count)
        guard n >= 1, x.count >= n else { return out }
        for t in (n - 1)..<x.count {
            var m = x[t - n + 1]
            for i in (t - n + 1)...t where better(x[i], m) { m = x[i] }
            out[t] = m
        }
        return out
    }

    /// Population variance over n bars, as TA-Lib: E[x²] − E[x]² from running sums (lookback n − 1).
    public static func variance(_ x: [Double], _ n: Int) -> [Double] {
        var out = empty(x.count)
        guard n >= 1, x.count >= n else { return out }
        var s1 = 0.0, s2 = 0.0
        for i in 0..<(n - 1) {
            s1 += x[i]
            s2 += x[i] * x[i]
        }
        var trailing = 0
        for t in (n - 1)..<x.count {
            let v = x[t]
            s1 += v
            s2 += v * v
            let m1 = s1 / Double(n), m2 = s2 / Double(n)
            let b = x[trailing]
            trailing += 1
            s1 -= b
            s2 -= b * b
            out[t] = m2 - m1 * m1
        }
        return out
    }

    /// Population standard deviation × `k` (TA-Lib STDDEV; lookback n − 1; 0 where the variance is not positive).
    public static func stddev(_ x: [Double], _ n: Int, _ k: Double = 1) -> [Double] {
        variance(x, n).map { v in v.isNaN ? .nan : (v > 0 && !isZero(v) ? v.squareRoot() * k : 0) }
    }

    /// Bollinger bands on the SMA: (upper, middle, lower) with `up` and `down` standard deviations.
    public static func bbands(_ x: [Double], _ n: Int, up: Double, down: Double) -> (
        upper: [Double], middle: [Double], lower: [Double]
    ) {
        let middle = sma(x, n)
        // TA-Lib's deviation from the precomputed mean: E[x²] − mean², the mean taken from the SMA.
        var sd = empty(x.count)
        if n >= 1, x.count >= n {
            var s2 = 0.0
            for i in 0..<(n - 1) { s2 += x[i] * x[i] }
            var trailing = 0
            for t in (n - 1)..<x.count {
                s2 += x[t] * x[t]
                let m = middle[t]
                let v = s2 / Double(n) - m * m
                s2 -= x[trailing] * x[trailing]
                trailing += 1
                sd[t] = v > 0 && !isZero(v) ? v.squareRoot() : 0
            }
        }
        var upper = empty(x.count), lower = empty(x.count)
        for t in 0..<x.count where !middle[t].isNaN {
            if up == 1 { upper[t] = middle[t] + sd[t] } else { upper[t] = middle[t] + sd[t] * up }
            if down == 1 { lower[t] = middle[t] - sd[t] } else { lower[t] = middle[t] - sd[t] * down }
        }
        return (upper, middle, lower)
    }

    /// Slope of the least-squares line through the last n bars (TA-Lib LINEARREG_SLOPE; lookback n − 1).
    public static func linearRegressionSlope(_ x: [Double], _ n: Int) -> [Double] {
        var out = empty(x.count)
        guard n >= 2, x.count >= n else { return out }
        let nd = Double(n)
        let sumX = nd * (nd - 1) * 0.5
        let sumXSqr = nd * (nd - 1) * (2 * nd - 1) / 6
        let divisor = sumX * sumX - nd * sumXSqr
        // TA-Lib's sliding sums: each step raises every kept value's weight by one and drops the departing one;
        // the sums are recomputed from the window every 32·n bars (as TA-Lib does) so rounding cannot drift.
        var sumXY = 0.0, sumY = 0.0
        func reseed(_ t: Int) {
            sumXY = 0
            sumY = 0
            var i = n
            while i != 0 {
                i -= 1
                let v = x[t - i]
                sumY += v
                sumXY += Double(i) * v
            }
        }
        reseed(n - 1)
        out[n - 1] = (nd * sumXY - sumX * sumY) / divisor
        var untilReseed = 32 * n, trailing = 0
        for t in n..<max(n, x.count) {
            let old = x[trailing]
            trailing += 1
            sumXY = sumXY + sumY - nd * old
            sumY = sumY - old + x[t]
            untilReseed -= 1
            if untilReseed == 0 {
                reseed(t)
                untilReseed = 32 * n
            }
            out[t] = (nd * sumXY - sumX * sumY) / divisor
        }
        return out
    }

    // MARK: Momentum

    /// x − x[t − n] (lookback n).
    public static func mom(_ x: [Double], _ n: Int) -> [Double] {
        var out = empty(x.count)
        guard n >= 1 else { return out }
        for t in n..<max(n, x.count) { out[t] = x[t] - x[t - n] }
        return out
    }

    /// Rate of change in percent: (x / x[t − n] − 1) · 100, 0 where the old value is 0 (lookback n).
    public static func roc(_ x: [Double], _ n: Int) -> [Double] {
        var out = empty(x.count)
        guard n >= 1 else { return out }
        for t in n..<max(n, x.count) {
            let old = x[t - n]
            out[t] = old != 0 ? (x[t] / old - 1) * 100 : 0
        }
        return out
    }

    /// Wilder-smoothed average gain and loss over n bars with TA-Lib's RSI/CMO seeding (lookback n); `cmo` picks
    /// (gain − loss) / (gain + loss) instead of gain / (gain + loss).
    static func wilder(_ x: [Double], _ n: Int, cmo: Bool) -> [Double] {
        guard n >= 1, x.count > n else { return empty(x.count) }
        return x.withUnsafeBufferPointer { x in
            output(count: x.count, firstValid: n) { out in
                var prevValue = x[0], gain = 0.0, loss = 0.0
                for t in 1...n {
                    let d = x[t] - prevValue
                    prevValue = x[t]
                    if d < 0 { loss -= d } else { gain += d }
                }
                let nd = Double(n), m = Double(n - 1)
                loss /= nd
                gain /= nd
                var s = gain + loss
                out[n] = isZero(s) ? 0 : 100 * ((cmo ? gain - loss : gain) / s)
                // (avg·(n − 1) + move) / n as avg·a + move·b, branch-free: one multiply-add on the dependency chain
                // instead of a divide (7.5 → 2.8 ms per million bars, 2.15 ms without the output's NaN fill, the
                // `Signals:` benchmark; equal to TA-Lib at 1e-9, as the golden test checks). Two bars a step with
                // one two-lane division for both ratios (2.34 → 1.93 ms; the averages and the correctly rounded
                // quotients are the same numbers as one bar at a time). Splitting the chain from the divisions in
                // 1,024-bar blocks measured slower (4.8 ms), and so did carrying the averages two bars a step
                // (avg·a² + …: 2.7 ms).
                let a = m / nd, b = 1 / nd
                let count = x.count
                var t = n + 1
                while t + 1 < count {
                    let d1 = x[t] - prevValue, d2 = x[t + 1] - x[t]
                    prevValue = x[t + 1]
                    loss = loss * a + max(-d1, 0) * b
                    gain = gain * a + max(d1, 0) * b
                    let g1 = gain, l1 = loss
                    loss = loss * a + max(-d2, 0) * b
                    gain = gain * a + max(d2, 0) * b
                    let sums = SIMD2(g1 + l1, gain + loss)
                    let ratio = (cmo ? SIMD2(g1 - l1, gain - loss) : SIMD2(g1, gain)) / sums
                    out[t] = isZero(sums[0]) ? 0 : 100 * ratio[0]
                    out[t + 1] = isZero(sums[1]) ? 0 : 100 * ratio[1]
                    t += 2
                }
                if t < count {
                    let d = x[t] - prevValue
                    loss = loss * a + max(-d, 0) * b
                    gain = gain * a + max(d, 0) * b
                    s = gain + loss
                    out[t] = isZero(s) ? 0 : 100 * ((cmo ? gain - loss : gain) / s)
                }
            }
        }
    }

    /// Relative strength index (Wilder; lookback n).
    public static func rsi(_ x: [Double], _ n: Int) -> [Double] { wilder(x, n, cmo: false) }

    /// Chande momentum oscillator (lookback n).
    public static func cmo(_ x: [Double], _ n: Int) -> [Double] { wilder(x, n, cmo: true) }

    /// MACD line, signal and histogram (TA-Lib: both EMAs seeded at bar slow − 1; lookback slow + signal − 2).
    public static func macd(_ x: [Double], fast: Int, slow: Int, signal: Int) -> (
        macd: [Double], signal: [Double], histogram: [Double]
    ) {
        var fast = fast, slow = slow
        if slow < fast { swap(&fast, &slow) }
        var line = empty(x.count), sig = empty(x.count), hist = empty(x.count)
        guard fast >= 1, signal >= 1, x.count >= slow + signal - 1 else { return (line, sig, hist) }
        // The fast EMA starts where the slow one does: seeded with the SMA of the `fast` bars up to slow − 1.
        let k1 = 2 / Double(fast + 1), k2 = 2 / Double(slow + 1)
        func emaFrom(_ n: Int, _ k: Double) -> [Double] {
            var o = empty(x.count)
            var seed = 0.0
            for i in (slow - n)..<slow { seed += x[i] }
            var prev = seed / Double(n)
            o[slow - 1] = prev
            for i in slow..<x.count {
                prev = (x[i] - prev) * k + prev
                o[i] = prev
            }
            return o
        }
        let ef = emaFrom(fast, k1), es = emaFrom(slow, k2)
        var diff = empty(x.count)
        for i in (slow - 1)..<x.count { diff[i] = ef[i] - es[i] }
        let s = ema(diff, signal, k: 2 / Double(signal + 1))
        let start = slow + signal - 2
        for i in start..<x.count {
            line[i] = diff[i]
            sig[i] = s[i]
            hist[i] = diff[i] - s[i]
        }
        return (line, sig, hist)
    }

    // MARK: Bars (high, low, close, volume)

    /// True range (lookback 1).
    public static func trange(high: [Double], low: [Double], close: [Double]) -> [Double] {
        var out = empty(close.count)
        for t in 1..<max(1, close.count) {
            out[t] = trueRange(high: high[t], low: low[t], previousClose: close[t - 1])
        }
        return out
    }

    /// Average true range (Wilder; seeded with the mean of the first n true ranges; lookback n).
    public static func atr(high: [Double], low: [Double], close: [Double], _ n: Int) -> [Double] {
        let tr = trange(high: high, low: low, close: close)
        if n <= 1 { return tr }
        var out = empty(close.count)
        guard close.count > n else { return out }
        var total = 0.0
        for t in 1...n { total += tr[t] }
        var prev = total / Double(n)
        out[n] = prev
        for t in (n + 1)..<max(n + 1, close.count) {
            prev *= Double(n - 1)
            prev += tr[t]
            prev /= Double(n)
            out[t] = prev
        }
        return out
    }

    /// ATR as a percent of the close (lookback n).
    public static func natr(high: [Double], low: [Double], close: [Double], _ n: Int) -> [Double] {
        let a = atr(high: high, low: low, close: close, n)
        var out = empty(close.count)
        for t in 0..<close.count where !a[t].isNaN { out[t] = isZero(close[t]) ? 0 : (a[t] / close[t]) * 100 }
        return out
    }

    /// +DI, −DI and ADX with Wilder's smoothing, TA-Lib's priming (DI lookback n, ADX lookback 2n − 1).
    public static func directional(high: [Double], low: [Double], close: [Double], _ n: Int) -> (
        plusDI: [Double], minusDI: [Double], adx: [Double]
    ) {
        let count = close.count
        var plus = empty(count), minus = empty(count), adx = empty(count)
        guard n >= 1, count > n else { return (plus, minus, adx) }
        let nd = Double(n)
        var pDM = 0.0, mDM = 0.0, tr = 0.0
        var prevHigh = high[0], prevLow = low[0], prevClose = close[0]
        func moves(_ t: Int) -> (p: Double, m: Double, tr: Double) {
            let dp = high[t] - prevHigh, dm = prevLow - low[t]
            prevHigh = high[t]
            prevLow = low[t]
            let r = trueRange(high: prevHigh, low: prevLow, previousClose: prevClose)
            prevClose = close[t]
            let p = dp > 0 && dp > dm ? dp : 0, m = dm > 0 && dp < dm ? dm : 0
            return (p, m, r)
        }
        for t in 1..<n {
            let mv = moves(t)
            pDM += mv.p
            mDM += mv.m
            tr += mv.tr
        }
        var sumDX = 0.0, prevADX = 0.0
        for t in n..<count {
            let mv = moves(t)
            pDM = pDM - pDM / nd + mv.p
            mDM = mDM - mDM / nd + mv.m
            tr = tr - tr / nd + mv.tr
            var pdi = 0.0, mdi = 0.0, dx: Double?
            if !isZero(tr) {
                pdi = 100 * (pDM / tr)
                mdi = 100 * (mDM / tr)
                let s = mdi + pdi
                if !isZero(s) { dx = 100 * (abs(mdi - pdi) / s) }
            }
            plus[t] = pdi
            minus[t] = mdi
            if t < 2 * n - 1 {
                sumDX += dx ?? 0
            } else if t == 2 * n - 1 {
                sumDX += dx ?? 0
                prevADX = sumDX / nd
                adx[t] = prevADX
            } else {
                if let dx { prevADX = (prevADX * (nd - 1) + dx) / nd }
                adx[t] = prevADX
            }
        }
        return (plus, minus, adx)
    }

    /// Commodity channel index on the typical price (lookback n − 1).
    public static func cci(high: [Double], low: [Double], close: [Double], _ n: Int) -> [Double] {
        var out = empty(close.count)
        guard n >= 2, close.count >= n else { return out }
        var tp = [Double](repeating: 0, count: close.count)
        for t in 0..<close.count { tp[t] = (high[t] + low[t] + close[t]) / 3 }
        // TA-Lib sums a circular buffer in slot order (bar b sits in slot b mod n), not in date order.
        for t in (n - 1)..<close.count {
            var avg = 0.0
            for j in 0..<n { avg += tp[t - ((t - j) % n + n) % n] }
            avg /= Double(n)
            var dev = 0.0
            for j in 0..<n { dev += abs(tp[t - ((t - j) % n + n) % n] - avg) }
            let d = tp[t] - avg, md = dev / Double(n)
            // "Flat" is judged relative to the price level (TA-Lib's scaled zero test).
            let scale = abs(avg)
            out[t] = !isZeroScaled(d, scale) && !isZeroScaled(md, scale) ? d / (0.015 * md) : 0
        }
        return out
    }

    /// Stochastic slow %K and %D (fast %K over `k` bars, then SMAs of `slowK` and `slowD`).
    public static func stoch(high: [Double], low: [Double], close: [Double], k: Int, slowK: Int, slowD: Int) -> (
        k: [Double], d: [Double]
    ) {
        var fastK = empty(close.count)
        if k >= 1, close.count >= k {
            let hh = highest(high, k), ll = lowest(low, k)
            for t in (k - 1)..<close.count {
                let diff = (hh[t] - ll[t]) / 100
                fastK[t] = diff != 0 ? (close[t] - ll[t]) / diff : 0
            }
        }
        let sk = shiftedSMA(fastK, slowK), sd = shiftedSMA(sk, slowD)
        var outK = empty(close.count)
        for t in 0..<close.count where !sd[t].isNaN { outK[t] = sk[t] }
        return (outK, sd)
    }

    /// The SMA of a series whose first bars are NaN (it starts at the first valid value).
    static func shiftedSMA(_ x: [Double], _ n: Int) -> [Double] {
        guard let first = x.firstIndex(where: { !$0.isNaN }) else { return x }
        let s = sma(Array(x[first...]), n)
        return [Double](repeating: .nan, count: first) + s
    }

    /// Williams %R (lookback n − 1).
    public static func willr(high: [Double], low: [Double], close: [Double], _ n: Int) -> [Double] {
        var out = empty(close.count)
        guard n >= 1, close.count >= n else { return out }
        let hh = highest(high, n), ll = lowest(low, n)
        for t in (n - 1)..<close.count {
            let diff = (hh[t] - ll[t]) / -100.0
            out[t] = diff != 0 ? (hh[t] - close[t]) / diff : 0
        }
        return out
    }

    /// Ultimate oscillator over three periods (weights 4, 2, 1 from the shortest; lookback the longest).
    public static func ultosc(high: [Double], low: [Double], close: [Double], _ p1: Int, _ p2: Int, _ p3: Int)
        -> [Double]
    {
        let periods = [p1, p2, p3].sorted()
        let longest = periods[2]
        var out = empty(close.count)
        guard periods[0] >= 1, close.count > longest else { return out }
        var bp = [Double](repeating: 0, count: close.count), tr = bp
        for t in 1..<close.count {
            let trueLow = min(low[t], close[t - 1])
            bp[t] = close[t] - trueLow
            tr[t] = trueRange(high: high[t], low: low[t], previousClose: close[t - 1])
        }
        var a = [0.0, 0.0, 0.0], b = [0.0, 0.0, 0.0]
        for j in 0..<3 {
            for t in (longest - periods[j] + 1)..<longest {
                a[j] += bp[t]
                b[j] += tr[t]
            }
        }
        for t in longest..<close.count {
            var o = 0.0
            for j in 0..<3 {
                a[j] += bp[t]
                b[j] += tr[t]
            }
            if !isZero(b[0]) { o += 4 * (a[0] / b[0]) }
            if !isZero(b[1]) { o += 2 * (a[1] / b[1]) }
            if !isZero(b[2]) { o += a[2] / b[2] }
            out[t] = 100 * (o / 7)
            for j in 0..<3 {
                let old = t - periods[j] + 1
                a[j] -= bp[old]
                b[j] -= tr[old]
            }
        }
        return out
    }

    /// Money flow index on the typical price (lookback n). As TA-Lib: a move within 1e-14 of the prices is no
    /// move, a window with no flow is 0, and a window of n flowless bars resets the sums.
    public static func mfi(high: [Double], low: [Double], close: [Double], volume: [Double], _ n: Int) -> [Double] {
        var out = empty(close.count)
        guard n >= 1, close.count > n else { return out }
        var ringPos = [Double](repeating: 0, count: n), ringNeg = ringPos
        var slot = 0, nullRun = 0
        var ps = 0.0, ns = 0.0
        var prevTP = (high[0] + low[0] + close[0]) / 3
        func add(_ t: Int) {
            let tp = (high[t] + low[t] + close[t]) / 3
            let d = tp - prevTP
            let scale = abs(tp) + abs(prevTP)
            prevTP = tp
            let flow = isZeroScaled(d, scale) ? 0 : tp * volume[t]
            let p = d < 0 ? 0 : flow, m = d < 0 ? flow : 0
            ringPos[slot] = p
            ringNeg[slot] = m
            ps += p
            ns += m
            nullRun = flow == 0 ? nullRun + 1 : 0
            if nullRun >= n {
                nullRun = n
                ps = 0
                ns = 0
            }
            slot = slot + 1 == n ? 0 : slot + 1
        }
        func emit(_ t: Int) {
            let total = ps + ns
            let clamped = ps < 0 ? 0 : (ps > total ? total : ps)
            out[t] = total <= 0 ? 0 : 100 * (clamped / total)
        }
        for t in 1...n { add(t) }
        emit(n)
        for t in (n + 1)..<max(n + 1, close.count) {
            ps -= ringPos[slot]
            ns -= ringNeg[slot]
            add(t)
            emit(t)
        }
        return out
    }

    /// On-balance volume, starting from the first bar's volume (lookback 0).
    public static func obv(close: [Double], volume: [Double]) -> [Double] {
        var out = empty(close.count)
        guard !close.isEmpty else { return out }
        var v = volume[0], prev = close[0]
        out[0] = v
        for t in 1..<close.count {
            if close[t] > prev { v += volume[t] } else if close[t] < prev { v -= volume[t] }
            prev = close[t]
            out[t] = v
        }
        return out
    }

    /// Chaikin accumulation/distribution line (lookback 0).
    public static func ad(high: [Double], low: [Double], close: [Double], volume: [Double]) -> [Double] {
        var out = empty(close.count)
        var ad = 0.0
        for t in 0..<close.count {
            let range = high[t] - low[t]
            if range > 0 { ad += (((close[t] - low[t]) - (high[t] - close[t])) / range) * volume[t] }
            out[t] = ad
        }
        return out
    }

    /// Aroon up and down over n + 1 bars (ties go to the latest bar; lookback n).
    public static func aroon(high: [Double], low: [Double], _ n: Int) -> (up: [Double], down: [Double]) {
        var up = empty(high.count), down = empty(high.count)
        guard n >= 1, high.count > n else { return (up, down) }
        let factor = 100.0 / Double(n)
        var hiIdx = -1, loIdx = -1, hi = 0.0, lo = 0.0
        for today in n..<high.count {
            let trailing = today - n
            if loIdx < trailing {
                loIdx = trailing
                lo = low[loIdx]
                var i = loIdx
                while i < today {
                    i += 1
                    if low[i] <= lo {
                        loIdx = i
                        lo = low[i]
                    }
                }
            } else if low[today] <= lo {
                loIdx = today
                lo = low[today]
            }
            if hiIdx < trailing {
                hiIdx = trailing
                hi = high[hiIdx]
                var i = hiIdx
                while i < today {
                    i += 1
                    if high[i] >= hi {
                        hiIdx = i
                        hi = high[i]
                    }
                }
            } else if high[today] >= hi {
                hiIdx = today
                hi = high[today]
            }
            up[today] = factor * Double(n - (today - hiIdx))
            down[today] = factor * Double(n - (today - loIdx))
        }
        return (up, down)
    }

    /// Parabolic SAR (TA-Lib's rules: the first direction from bar 1's minus-DM; lookback 1).
    public static func sar(high: [Double], low: [Double], acceleration: Double, maximum: Double) -> [Double] {
        var out = empty(high.count)
        guard high.count >= 2 else { return out }
        var accel = acceleration
        var af = accel
        if af > maximum {
            accel = maximum
            af = accel
        }
        let dp = high[1] - high[0], dm = low[0] - low[1]
        var isLong = !(dm > 0 && dp < dm)
        var newHigh = high[0], newLow = low[0]
        var ep: Double, sar: Double
        if isLong {
            ep = high[1]
            sar = newLow
        } else {
            ep = low[1]
            sar = newHigh
        }
        newLow = low[1]
        newHigh = high[1]
        for t in 1..<high.count {
            let prevLow = newLow, prevHigh = newHigh
            newLow = low[t]
            newHigh = high[t]
            if isLong {
                if newLow <= sar {
                    isLong = false
                    sar = max(ep, prevHigh, newHigh)
                    out[t] = sar
                    af = accel
                    ep = newLow
                    sar = sar + af * (ep - sar)
                    sar = max(sar, prevHigh, newHigh)
                } else {
                    out[t] = sar
                    if newHigh > ep {
                        ep = newHigh
                        af = min(af + accel, maximum)
                    }
                    sar = sar + af * (ep - sar)
                    sar = min(sar, prevLow, newLow)
                }
            } else if newHigh >= sar {
                isLong = true
                sar = min(ep, prevLow, newLow)
                out[t] = sar
                af = accel
                ep = newHigh
                sar = sar + af * (ep - sar)
                sar = min(sar, prevLow, newLow)
            } else {
                out[t] = sar
                if newLow < ep {
                    ep = newLow
                    af = min(af + accel, maximum)
                }
                sar = sar + af * (ep - sar)
                sar = max(sar, prevHigh, newHigh)
            }
        }
        return out
    }
}
