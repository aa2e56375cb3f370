import Dispatch
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
        let adj = panel.adjustedClose, valid = panel.valid, close = panel.close, volume = panel.volume
        @Sendable @inline(__always) func hasReturn(_ k: Int, _ d: Int) -> Bool { valid[k] && d > 0 && valid[k - 1] }
        @Sendable @inline(__always) func ret(_ k: Int) -> Double { adj[k] / adj[k - 1] - 1 }
        // One column a task, each cell written once: the zero fill, the copies and one thread over every column took
        // 0.2 s of a 500-asset × 20-year CSV load (0.79 s); the sums are the same additions in the same order.
        nonisolated(unsafe) var doubles = [[Double]](repeating: [], count: 6)
        nonisolated(unsafe) var counts = [[Int32]](repeating: [], count: 2)
        DispatchQueue.concurrentPerform(iterations: 8) { task in
            switch task {
            case 0: doubles[0] = Technicals.prefixSums(nA, nD) { k, _ in valid[k] ? adj[k] : 0 }
            case 1: doubles[1] = Technicals.prefixSums(nA, nD) { k, _ in valid[k] ? adj[k] * adj[k] : 0 }
            case 2: doubles[2] = Technicals.prefixSums(nA, nD) { k, d in hasReturn(k, d) ? ret(k) : 0 }
            case 3:
                doubles[3] = Technicals.prefixSums(nA, nD) { k, d in
                    guard hasReturn(k, d) else { return 0 }
                    let x = ret(k)
                    return x * x
                }
            case 4: doubles[4] = Technicals.prefixSums(nA, nD) { k, _ in valid[k] ? close[k] * volume[k] : 0 }
            case 5:
                doubles[5] = [Double](unsafeUninitializedCapacity: nA * nD) { b, n in
                    for a in 0..<nA {
                        for d in 0..<nD {
                            let k = a * nD + d
                            b[k] = hasReturn(k, d) ? ret(k) : .nan
                        }
                    }
                    n = nA * nD
                }
            case 6: counts[0] = Technicals.prefixCounts(nA, nD) { k, _ in valid[k] }
            default: counts[1] = Technicals.prefixCounts(nA, nD) { k, d in hasReturn(k, d) }
            }
        }
        sumPrice = doubles[0]
        sumPrice2 = doubles[1]
        sumReturn = doubles[2]
        sumReturn2 = doubles[3]
        sumDollarVolume = doubles[4]
        returns = doubles[5]
        countPrice = counts[0]
        countReturn = counts[1]
    }

    /// Per asset, `nD + 1` running sums of `value(cell, day)` starting at 0.
    @inline(__always)
    static func prefixSums(_ nA: Int, _ nD: Int, _ value: (Int, Int) -> Double) -> [Double] {
        [Double](unsafeUninitializedCapacity: nA * (nD + 1)) { b, n in
            for a in 0..<nA {
                let pb = a * (nD + 1)
                var s = 0.0
                b[pb] = 0
                for d in 0..<nD {
                    s = s + value(a * nD + d, d)
                    b[pb + d + 1] = s
                }
            }
            n = nA * (nD + 1)
        }
    }

    /// Per asset, `nD + 1` running counts of the cells where `included(cell, day)`.
    @inline(__always)
    static func prefixCounts(_ nA: Int, _ nD: Int, _ included: (Int, Int) -> Bool) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: nA * (nD + 1)) { b, n in
            for a in 0..<nA {
                let pb = a * (nD + 1)
                var s: Int32 = 0
                b[pb] = 0
                for d in 0..<nD {
                    if included(a * nD + d, d) { s += 1 }
                    b[pb + d + 1] = s
                }
            }
            n = nA * (nD + 1)
        }
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
