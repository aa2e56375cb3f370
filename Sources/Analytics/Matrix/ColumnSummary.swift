/// All summary metrics of one return series in a few fused passes (the matrix path; the per-metric functions
/// in `Metrics` are the reference it is tested against). Order statistics come from quickselect on a scratch copy.
struct ColumnSummary {
    /// Every `SummaryMetric` (deflated Sharpe left NaN), and the per-period SR, γ₃ and γ₄ it needs across trials.
    static func compute(
        _ r: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>, periodsPerYear p: Double,
        into out: inout SummaryMetric.Values
    ) -> (sr: Double, g3: Double, g4: Double)? {
        let n = r.count
        out.reset()
        guard n >= 1 else { return nil }
        var sum = 0.0, mn = Double.infinity, mx = -Double.infinity
        var growth = 1.0, peak = 1.0, worstDD = 0.0, ulcer = 0.0
        var downSq = 0.0, up = 0.0, down = 0.0
        var pos = 0, nonZero = 0
        var peakIndex = -1, underwater = 0, longest = 0
        // No data-dependent branches (signs, zeros and new highs are coin flips the predictor would miss): flags are
        // computed as 0/1 integers. `up` is also the sum of gains ≥ 0 and `down` exactly minus the sum of losses
        // (negation is exact), so profit factor needs no sums of its own.
        for i in 0..<n {
            let v = r[i]
            sum += v
            mn = min(mn, v)
            mx = max(mx, v)
            growth *= 1 + v
            peak = max(peak, growth)
            let dd = growth / peak - 1
            worstDD = min(worstDD, dd)
            ulcer += dd * dd
            // A new high ends the drawdown that started after the previous one.
            let atPeak = Int(unsafeBitCast(growth >= peak, to: UInt8.self))
            longest = max(longest, (i - peakIndex) & (0 &- (atPeak & underwater)))
            peakIndex &+= (i - peakIndex) & (0 &- atPeak)
            underwater = 1 - atPeak
            let d = min(v, 0)
            downSq += d * d
            up += max(v, 0)
            down -= d
            let bits = v.bitPattern, magnitude = bits << 1
            let isNonZero = (magnitude | (0 &- magnitude)) >> 63
            nonZero &+= Int(isNonZero)
            pos &+= Int(isNonZero & ~(bits >> 63))
        }
        if sum.isNaN, r.contains(where: \.isNaN) { return nil }
        if underwater == 1 { longest = max(longest, n - 1 - peakIndex) }
        let nd = Double(n)
        let mean = sum / nd
        var s2 = 0.0, s3 = 0.0, s4 = 0.0
        for i in 0..<n {
            let d = r[i] - mean, d2 = d * d
            s2 += d2
            s3 += d2 * d
            s4 += d2 * d2
        }
        let sd = n >= 2 ? (s2 / (nd - 1)).squareRoot() : .nan
        let constant = mn == mx
        let cagr = libmPow(growth, p / nd) - 1
        out[.totalReturn] = growth - 1
        out[.cagr] = cagr
        if n >= 2 {
            out[.annualVolatility] = sd * p.squareRoot()
            out[.sharpeRatio] = constant || !(sd > 0) ? .nan : mean / sd * p.squareRoot()
            let dr = (downSq / nd).squareRoot() * p.squareRoot()
            out[.sortinoRatio] = dr > 0 ? mean * p / dr : .nan
            out[.omegaRatio] = down > 0 ? up / down : .nan
            out[.ulcerIndex] = (ulcer / (nd - 1)).squareRoot()
        }
        if worstDD < 0 {
            let c = cagr / abs(worstDD)
            out[.calmarRatio] = c.isFinite ? c : .nan
        }
        out[.maxDrawdown] = worstDD
        out[.maxDrawdownDurationDays] = Double(longest)
        if n >= 3, !constant, s2 > 0 {
            out[.skew] = (nd * (nd - 1).squareRoot() / (nd - 2)) * (s3 / libmPow(s2, 1.5))
        }
        if n >= 4, !constant, s2 > 0 {
            out[.kurtosis] =
                nd * (nd + 1) * (nd - 1) * s4 / ((nd - 2) * (nd - 3) * (s2 * s2)) - 3 * (nd - 1) * (nd - 1)
                / ((nd - 2) * (nd - 3))
        }
        // Stability: R² of cumulative log returns on time.
        if n >= 2 {
            var acc = 0.0, ySum = 0.0
            // log1p(±0) adds nothing: idle sessions (common in signal strategies) skip the libm call.
            for i in 0..<n {
                let v = r[i]
                if v != 0 { acc += libmLog1p(v) }
                scratch[i] = acc
                ySum += acc
            }
            let my = ySum / nd, mxT = (nd - 1) / 2
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for i in 0..<n {
                let dx = Double(i) - mxT, dy = scratch[i] - my
                sxy += dx * dy
                sxx += dx * dx
                syy += dy * dy
            }
            if sxx > 0, syy > 0 {
                let rho = sxy / (sxx * syy).squareRoot()
                out[.stabilityOfTimeseries] = rho * rho
            }
        }
        // Order statistics: 5th percentile, CVaR tail, 95th percentile.
        let pos5 = 0.05 * Double(n - 1), lo5 = Int(pos5)
        let pos95 = 0.95 * Double(n - 1), lo95 = Int(pos95)
        let (a5, b5, tailSum, a95, b95) = tails(r, scratch: scratch, lo5: lo5, lo95: lo95)
        let var5 = lerp(a5, b5, pos5 - Double(lo5))
        let var95 = lerp(a95, b95, pos95 - Double(lo95))
        out[.valueAtRisk] = var5
        out[.conditionalValueAtRisk] = tailSum / Double(lo5 + 1)
        out[.tailRatio] = var5 != 0 ? abs(var95) / abs(var5) : .nan
        out[.winRate] = nonZero > 0 ? Double(pos) / Double(nonZero) : .nan
        out[.profitFactor] = down == 0 ? (up == 0 ? .nan : .infinity) : up / down
        out[.bestDay] = mx
        out[.worstDay] = mn
        guard n >= 3, !constant, sd > 0 else { return nil }
        let m2 = s2 / nd, sr = mean / sd, g3 = (s3 / nd) / libmPow(m2, 1.5), g4 = (s4 / nd) / (m2 * m2)
        let denom = 1 - g3 * sr + (g4 - 1) / 4 * sr * sr
        if denom > 0 {
            out[.probabilisticSharpeRatio] = Stat.normalCDF(sr * (nd - 1).squareRoot() / denom.squareRoot())
        }
        return (sr, g3, g4)
    }

    /// numpy's linear interpolation between neighbouring order statistics.
    @inline(__always) static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }

    /// From this length on, the tails are selected among the values beyond sampled thresholds (a few percent of
    /// the series) instead of over a full copy.
    static let filterMinimum = 256

    /// The `lo5`-th and next order statistics, the sum of the `lo5 + 1` smallest, and the `lo95`-th and next.
    typealias Tails = (a5: Double, b5: Double, tailSum: Double, a95: Double, b95: Double)

    static func tails(
        _ r: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>, lo5: Int, lo95: Int
    ) -> Tails {
        let n = r.count
        guard n >= filterMinimum else { return tailsBySelect(r, scratch: scratch, lo5: lo5, lo95: lo95) }
        // Thresholds at the 10th and 90th percentiles of every 8th value: normally 5% of the values lie beyond
        // each with a wide margin; when fewer do, the plain path runs.
        var m = 0
        for i in Swift.stride(from: 0, to: n, by: 8) {
            scratch[m] = r[i]
            m += 1
        }
        let sample = UnsafeMutableBufferPointer(rebasing: scratch[0..<m])
        let qLow = (m - 1) / 10, qHigh = (m - 1) - (m - 1) / 10
        select(sample, qLow, from: 0)
        let low = sample[qLow]
        select(sample, qHigh, from: qLow + 1)
        let high = sample[qHigh]
        // Every value ≤ `low`: when there are at least lo5 + 2, they hold the lo5 + 2 smallest of the series.
        var k = 0
        for i in 0..<n {
            let v = r[i]
            scratch[k] = v
            k &+= v <= low ? 1 : 0
        }
        guard k >= min(lo5 + 2, n) else { return tailsBySelect(r, scratch: scratch, lo5: lo5, lo95: lo95) }
        let (a5, b5, tailSum) = lowTail(UnsafeMutableBufferPointer(rebasing: scratch[0..<k]), lo5)
        // Every value ≥ `high`: the top h of the series, so position lo95 of the series is lo95 - (n - h) among them.
        var h = 0
        for i in 0..<n {
            let v = r[i]
            scratch[h] = v
            h &+= v >= high ? 1 : 0
        }
        guard h >= n - lo95 else { return tailsBySelect(r, scratch: scratch, lo5: lo5, lo95: lo95) }
        let highs = UnsafeMutableBufferPointer(rebasing: scratch[0..<h])
        let j = lo95 - (n - h)
        select(highs, j, from: 0)
        return (a5, b5, tailSum, highs[j], nextUp(highs, j))
    }

    /// Places order statistic `k` of `x` at position `k`; returns it, the next one up and the sum of the k + 1 smallest.
    static func lowTail(_ x: UnsafeMutableBufferPointer<Double>, _ k: Int) -> (value: Double, next: Double, sum: Double)
    {
        select(x, k, from: 0)
        var sum = 0.0
        for i in 0...k { sum += x[i] }
        return (x[k], nextUp(x, k), sum)
    }

    /// The smallest value after position `k` (everything there is ≥ x[k] once `k` is selected), or x[k] at the end.
    static func nextUp(_ x: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        guard k + 1 < x.count else { return x[k] }
        var b = x[k + 1]
        for i in (k + 1)..<x.count { b = min(b, x[i]) }
        return b
    }

    static func tailsBySelect(
        _ r: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>, lo5: Int, lo95: Int
    ) -> Tails {
        let n = r.count
        for i in 0..<n { scratch[i] = r[i] }
        let x = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
        let (a5, b5, tailSum) = lowTail(x, lo5)
        if lo95 > lo5 { select(x, lo95, from: lo5 + 1) }
        let a95 = x[lo95], b95 = nextUp(x, lo95)
        return (a5, b5, tailSum, a95, b95)
    }

    /// Quickselect (Hoare partition, median-of-three): afterwards x[k] is the k-th smallest of x[from...] and
    /// everything in x[from..<k] is ≤ x[k] ≤ everything after it.
    static func select(_ x: UnsafeMutableBufferPointer<Double>, _ k: Int, from: Int) {
        var lo = from, hi = x.count - 1
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            if x[mid] < x[lo] { x.swapAt(mid, lo) }
            if x[hi] < x[lo] { x.swapAt(hi, lo) }
            if x[hi] < x[mid] { x.swapAt(hi, mid) }
            let pivot = x[mid]
            var i = lo, j = hi
            while i <= j {
                while x[i] < pivot { i += 1 }
                while x[j] > pivot { j -= 1 }
                if i <= j {
                    x.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }
}
