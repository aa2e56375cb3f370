extension Metrics {
    /// Optimal block lengths for the stationary and the circular block bootstrap (Politis and White 2004, with the
    /// correction of Patton, Politis and White 2009), computed as `arch.bootstrap.optimal_block_length` does: the
    /// lag window m is twice the first lag after which k_n = max(5, ⌊log10 n⌋) autocorrelations lie inside
    /// ±2√(log10 n / n) (at most ⌈√n⌉ + k_n), a flat-top kernel h(x) = min(1, 2(1 − |x|)) weighs the
    /// autocovariances, and b = (2G²/D · n)^(1/3) with D = 2σ̂⁴ (stationary) or 4σ̂⁴/3 (circular), capped at
    /// ⌈min(3√n, n/3)⌉. NaN with fewer than 10 values or any NaN.
    public static func optimalBlockLength(_ x: [Double]) -> (stationary: Double, circular: Double) {
        let n = x.count
        guard n >= 10, !Stat.hasNaN(x) else { return (.nan, .nan) }
        let mean = x.reduce(0, +) / Double(n)
        let eps = x.map { $0 - mean }
        let nd = Double(n)
        let bMax = (min(3 * nd.squareRoot(), nd / 3)).rounded(.up)
        let kn = max(5, Int(libmLog10(nd)))
        let mMax = Int(nd.squareRoot().rounded(.up)) + kn
        let cv = 2 * (libmLog10(nd) / nd).squareRoot()
        var acv = [Double](repeating: 0, count: mMax + 1), absCorr = acv
        var optM: Int?
        func dot(_ a: Int, _ b: Int, _ count: Int) -> Double {
            var s = 0.0
            for t in 0..<count { s += eps[a + t] * eps[b + t] }
            return s
        }
        for i in 0...mMax {
            let len = n - i - 1
            let v1 = len > 0 ? dot(i + 1, i + 1, len) : 0
            let v2 = len > 0 ? dot(0, 0, len) : 0
            let cross = dot(i, 0, n - i)
            acv[i] = cross / nd
            absCorr[i] = abs(cross) / (v1 * v2).squareRoot()
            if i >= kn, optM == nil, absCorr[(i - kn)..<i].allSatisfy({ $0 < cv }) { optM = i - kn }
        }
        let m = min(optM.map { 2 * max($0, 1) } ?? mMax, mMax)
        var g = 0.0, lr = acv[0]
        if m >= 1 {
            for k in 1...m {
                let r = Double(k) / Double(m)
                let lam = r <= 0.5 ? 1 : 2 * (1 - r)
                g += 2 * lam * Double(k) * acv[k]
                lr += 2 * lam * acv[k]
            }
        }
        let dSB = 2 * lr * lr, dCB = 4.0 / 3.0 * lr * lr
        let bSB = libmPow(2 * g * g / dSB, 1.0 / 3.0) * libmPow(nd, 1.0 / 3.0)
        let bCB = libmPow(2 * g * g / dCB, 1.0 / 3.0) * libmPow(nd, 1.0 / 3.0)
        return (min(bSB, bMax), min(bCB, bMax))
    }
}
