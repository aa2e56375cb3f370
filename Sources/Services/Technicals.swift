import HindsightCore
import MarketData

/// Per-asset prefix sums over a panel, so trailing means, volatilities and momentum are O(1) per query.
/// Built once per panel and shared read-only (a sweep's indicator cache holds one).
/// Prices are the total-return adjusted closes, so splits and dividends do not look like returns.
public final class Technicals: Sendable {
    public let panel: MarketPanel
    /// Daily simple return of the adjusted close; NaN when today or the previous session has no bar.
    public let returns: [Double]
    let sumPrice: [Double]
    let sumPrice2: [Double]
    let countPrice: [Int32]
    let sumReturn: [Double]
    let sumReturn2: [Double]
    let countReturn: [Int32]
    /// Prefix sums of raw close × volume (dollar volume), for universe ranking.
    let sumDollarVolume: [Double]

    public init(panel: MarketPanel) {
        self.panel = panel
        let nD = panel.dayCount, nA = panel.assetCount
        let stride = nD + 1
        var r = [Double](repeating: .nan, count: nA * nD)
        var sp = [Double](repeating: 0, count: nA * stride), cp = [Int32](repeating: 0, count: nA * stride)
        var sr = sp, sr2 = sp, cr = cp, dv = sp, sp2 = sp
        let adj = panel.adjustedClose, valid = panel.valid
        for a in 0..<nA {
            let base = a * nD, pb = a * stride
            for d in 0..<nD {
                let k = base + d
                var p = 0.0, pc: Int32 = 0, x = 0.0, x2 = 0.0, xc: Int32 = 0, dollar = 0.0
                if valid[k] {
                    p = adj[k]
                    pc = 1
                    dollar = panel.close[k] * panel.volume[k]
                    if d > 0, valid[k - 1] {
                        let ret = adj[k] / adj[k - 1] - 1
                        r[k] = ret
                        x = ret
                        x2 = ret * ret
                        xc = 1
                    }
                }
                sp[pb + d + 1] = sp[pb + d] + p
                sp2[pb + d + 1] = sp2[pb + d] + p * p
                cp[pb + d + 1] = cp[pb + d] + pc
                sr[pb + d + 1] = sr[pb + d] + x
                sr2[pb + d + 1] = sr2[pb + d] + x2
                cr[pb + d + 1] = cr[pb + d] + xc
                dv[pb + d + 1] = dv[pb + d] + dollar
            }
        }
        returns = r
        sumPrice = sp
        sumPrice2 = sp2
        countPrice = cp
        sumReturn = sr
        sumReturn2 = sr2
        countReturn = cr
        sumDollarVolume = dv
    }

    @inline(__always) func p(_ a: Int, _ d: Int) -> Int { a * (panel.dayCount + 1) + d }

    /// Mean adjusted close over the `window` sessions ending at `day`; NaN unless every one has a bar.
    @inline(__always)
    public func sma(asset a: Int, day d: Int, window w: Int) -> Double {
        guard w >= 1, d + 1 >= w else { return .nan }
        let hi = p(a, d + 1), lo = p(a, d + 1 - w)
        guard Int(countPrice[hi] - countPrice[lo]) == w else { return .nan }
        return (sumPrice[hi] - sumPrice[lo]) / Double(w)
    }

    /// Sample standard deviation (ddof 1) of the adjusted close over the `window` sessions ending at `day`.
    @inline(__always)
    public func priceDeviation(asset a: Int, day d: Int, window w: Int) -> Double {
        deviation(countPrice, sumPrice, sumPrice2, asset: a, day: d, window: w)
    }

    /// Sample standard deviation (ddof 1) of daily returns over the `window` sessions ending at `day`; NaN on any gap.
    @inline(__always)
    public func volatility(asset a: Int, day d: Int, window w: Int) -> Double {
        deviation(countReturn, sumReturn, sumReturn2, asset: a, day: d, window: w)
    }

    @inline(__always)
    func deviation(_ count: [Int32], _ sum: [Double], _ sum2: [Double], asset a: Int, day d: Int, window w: Int)
        -> Double
    {
        guard w >= 2, d + 1 >= w else { return .nan }
        let hi = p(a, d + 1), lo = p(a, d + 1 - w)
        guard Int(count[hi] - count[lo]) == w else { return .nan }
        let s = sum[hi] - sum[lo], s2 = sum2[hi] - sum2[lo]
        let n = Double(w)
        return max(0, (s2 - s * s / n) / (n - 1)).squareRoot()
    }

    /// Adjusted close on a session (NaN on a gap).
    @inline(__always) public func price(asset a: Int, day d: Int) -> Double {
        panel.adjustedClose[a * panel.dayCount + d]
    }

    /// Average raw dollar volume over the bars among the `window` sessions ending at `day` (NaN when none).
    public func averageDollarVolume(asset a: Int, day d: Int, window w: Int) -> Double {
        let lo = max(0, d + 1 - w)
        let n = Int(countPrice[p(a, d + 1)] - countPrice[p(a, lo)])
        guard n > 0 else { return .nan }
        return (sumDollarVolume[p(a, d + 1)] - sumDollarVolume[p(a, lo)]) / Double(n)
    }

    /// Number of bars the asset has up to and including `day`.
    public func history(asset a: Int, day d: Int) -> Int { Int(countPrice[p(a, d + 1)]) }
}
