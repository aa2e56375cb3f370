/// All summary metrics of one return series in a few fused passes (the matrix path; the per-metric functions
/// in `Metrics` are the reference it is tested against). Order statistics come from quickselect on a scratch copy.
struct ColumnSummary {
    /// Values in `ReturnsMatrix.summaryMetricNames` order (deflated Sharpe left NaN) plus per-period SR, γ₃, γ₄.
    static func compute(_ r: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>, periodsPerYear p: Double,
                        into out: inout [Double]) -> (sr: Double, g3: Double, g4: Double)? {
        let n = r.count
        for i in 0..<out.count { out[i] = .nan }
        guard n >= 1 else { return nil }
        var sum = 0.0, mn = Double.infinity, mx = -Double.infinity
        var growth = 1.0, peak = 1.0, worstDD = 0.0, ulcer = 0.0
        var downSq = 0.0, up = 0.0, down = 0.0, winsSum = 0.0, lossSum = 0.0
        var pos = 0, nonZero = 0
        var peakIndex = -1, underwater = false, longest = 0
        for i in 0..<n {
            let v = r[i]
            if v.isNaN { return nil }
            sum += v
            mn = min(mn, v); mx = max(mx, v)
            growth *= 1 + v
            if growth > peak { peak = growth }
            let dd = growth / peak - 1
            worstDD = min(worstDD, dd)
            ulcer += dd * dd
            if growth >= peak {
                if underwater { longest = max(longest, i - peakIndex); underwater = false }
                peakIndex = i
            } else {
                underwater = true
            }
            let d = min(v, 0); downSq += d * d
            if v > 0 { up += v; pos += 1 } else if v < 0 { down -= v }
            if v != 0 { nonZero += 1 }
            if v >= 0 { winsSum += v } else { lossSum += v }
        }
        if underwater { longest = max(longest, n - 1 - peakIndex) }
        let nd = Double(n)
        let mean = sum / nd
        var s2 = 0.0, s3 = 0.0, s4 = 0.0
        for i in 0..<n { let d = r[i] - mean, d2 = d * d; s2 += d2; s3 += d2 * d; s4 += d2 * d2 }
        let sd = n >= 2 ? (s2 / (nd - 1)).squareRoot() : .nan
        let constant = mn == mx
        let cagr = Foundation_pow(growth, p / nd) - 1
        out[0] = growth - 1
        out[1] = cagr
        if n >= 2 {
            out[2] = sd * p.squareRoot()
            out[3] = constant || !(sd > 0) ? .nan : mean / sd * p.squareRoot()
            let dr = (downSq / nd).squareRoot() * p.squareRoot()
            out[4] = dr > 0 ? mean * p / dr : .nan
            out[6] = down > 0 ? up / down : .nan
            out[10] = (ulcer / (nd - 1)).squareRoot()
        }
        if worstDD < 0 { let c = cagr / abs(worstDD); out[5] = c.isFinite ? c : .nan }
        out[8] = worstDD
        out[9] = Double(longest)
        if n >= 3, !constant, s2 > 0 { out[11] = (nd * (nd - 1).squareRoot() / (nd - 2)) * (s3 / Foundation_pow(s2, 1.5)) }
        if n >= 4, !constant, s2 > 0 {
            out[12] = nd * (nd + 1) * (nd - 1) * s4 / ((nd - 2) * (nd - 3) * (s2 * s2)) - 3 * (nd - 1) * (nd - 1) / ((nd - 2) * (nd - 3))
        }
        // Stability: R² of cumulative log returns on time.
        if n >= 2 {
            var acc = 0.0, ySum = 0.0
            for i in 0..<n { acc += Foundation_log1p(r[i]); scratch[i] = acc; ySum += acc }
            let my = ySum / nd, mxT = (nd - 1) / 2
            var sxy = 0.0, sxx = 0.0, syy = 0.0
            for i in 0..<n { let dx = Double(i) - mxT, dy = scratch[i] - my; sxy += dx * dy; sxx += dx * dx; syy += dy * dy }
            if sxx > 0, syy > 0 { let rho = sxy / (sxx * syy).squareRoot(); out[7] = rho * rho }
        }
        // Order statistics: 5th percentile, CVaR tail, 95th percentile.
        for i in 0..<n { scratch[i] = r[i] }
        let pos5 = 0.05 * Double(n - 1), lo5 = Int(pos5)
        select(scratch, lo5, from: 0)
        var tailSum = 0.0
        for i in 0...lo5 { tailSum += scratch[i] }
        let a5 = scratch[lo5]
        var b5 = a5
        if lo5 + 1 < n { b5 = scratch[lo5 + 1]; for i in (lo5 + 1)..<n { b5 = min(b5, scratch[i]) } }
        let var5 = lerp(a5, b5, pos5 - Double(lo5))
        let pos95 = 0.95 * Double(n - 1), lo95 = Int(pos95)
        if lo95 > lo5 { select(scratch, lo95, from: lo5 + 1) }
        let a95 = scratch[lo95]
        var b95 = a95
        if lo95 + 1 < n { b95 = scratch[lo95 + 1]; for i in (lo95 + 1)..<n { b95 = min(b95, scratch[i]) } }
        let var95 = lerp(a95, b95, pos95 - Double(lo95))
        out[13] = var5
        out[14] = tailSum / Double(lo5 + 1)
        out[15] = var5 != 0 ? abs(var95) / abs(var5) : .nan
        out[16] = nonZero > 0 ? Double(pos) / Double(nonZero) : .nan
        out[17] = lossSum == 0 ? (winsSum == 0 ? .nan : .infinity) : winsSum / abs(lossSum)
        out[18] = mx
        out[19] = mn
        guard n >= 3, !constant, sd > 0 else { return nil }
        let m2 = s2 / nd, sr = mean / sd, g3 = (s3 / nd) / Foundation_pow(m2, 1.5), g4 = (s4 / nd) / (m2 * m2)
        let denom = 1 - g3 * sr + (g4 - 1) / 4 * sr * sr
        if denom > 0 { out[20] = Stat.normalCDF(sr * (nd - 1).squareRoot() / denom.squareRoot()) }
        return (sr, g3, g4)
    }

    /// numpy's linear interpolation between neighbouring order statistics.
    @inline(__always) static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
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
                if i <= j { x.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }
}
