import Analytics
import HindsightCore

/// Selection, sizing and limits, in this order: pick names (rank or signal), weight them (equal, score or inverse
/// volatility) within the side budgets, clip to `max_weight`, scale sectors down to `max_sector_weight`, scale the
/// book to `vol_target` (ex-ante, trailing covariance; never above `gross_leverage`), then multiply by the regime's
/// exposure. Scratch buffers are preallocated, so a day allocates nothing.
public struct BacktestRiskManager: RiskManager {
    public let settings: RiskSettings
    let technicals: Technicals
    let profiles: BacktestProfileService
    let exposureByRegime: [Int: Double]
    var order: [Int32]
    /// Per asset, the last `targets` call's weight before the limits and scalings (0 when not chosen).
    public private(set) var unlimited: [Double]
    var chosen: [Int32]
    var chosenWeight: [Double]
    var sectorGross: [Double]
    var window: [Double]
    var scratch: [Double]

    public init(
        settings: RiskSettings, technicals: Technicals, profiles: BacktestProfileService, regimeLabels: [Int: String]
    ) {
        self.settings = settings
        self.technicals = technicals
        self.profiles = profiles
        var e = [Int: Double]()
        for (id, label) in regimeLabels { if let x = settings.regimeExposure[label] { e[id] = x } }
        exposureByRegime = e
        let n = technicals.panel.assetCount
        order = []
        order.reserveCapacity(n)
        unlimited = [Double](repeating: 0, count: n)
        chosen = []
        chosen.reserveCapacity(n)
        chosenWeight = []
        chosenWeight.reserveCapacity(n)
        sectorGross = [Double](repeating: 0, count: profiles.sectors.count + 1)
        window = [Double](repeating: 0, count: settings.volTarget == nil ? 0 : n * settings.volLookback)
        scratch = [Double](repeating: 0, count: settings.volLookback)
    }

    public mutating func targets(day d: Int, decisions: [Decision], regime: Int, into weights: inout [Double]) {
        for i in weights.indices { weights[i] = 0 }
        for a in chosen { unlimited[Int(a)] = 0 }
        chosen.removeAll(keepingCapacity: true)
        chosenWeight.removeAll(keepingCapacity: true)
        let (longBudget, shortBudget) = settings.sideBudgets
        select(decisions, side: 1, budget: longBudget, day: d)
        if !settings.longOnly { select(decisions, side: -1, budget: shortBudget, day: d) }
        for (i, a) in chosen.enumerated() { unlimited[Int(a)] = chosenWeight[i] }
        if let cap = settings.maxWeight {
            for i in chosenWeight.indices { chosenWeight[i] = max(-cap, min(cap, chosenWeight[i])) }
        }
        if let cap = settings.maxSectorWeight {
            for s in sectorGross.indices { sectorGross[s] = 0 }
            for (i, a) in chosen.enumerated() {
                sectorGross[profiles.sectorIndex(asset: Int(a), day: d)] += abs(chosenWeight[i])
            }
            for (i, a) in chosen.enumerated() {
                let g = sectorGross[profiles.sectorIndex(asset: Int(a), day: d)]
                if g > cap { chosenWeight[i] *= cap / g }
            }
        }
        if let target = settings.volTarget, !chosen.isEmpty { scaleToVolatility(target, day: d) }
        let k = exposureByRegime[regime] ?? 1
        for (i, a) in chosen.enumerated() { weights[Int(a)] = chosenWeight[i] * k }
    }

    /// Picks this side's names and gives them raw weights.
    mutating func select(_ decisions: [Decision], side: Int8, budget: Double, day d: Int) {
        order.removeAll(keepingCapacity: true)
        for (i, x) in decisions.enumerated() where x.score.isFinite {
            if settings.selection == .signal, x.direction != side { continue }
            if chosen.contains(x.asset) { continue }
            order.append(Int32(i))
        }
        // Best first: highest score for longs, lowest for shorts; ties by asset index.
        BacktestRiskManager.heapSort(&order) { a, b in
            let x = decisions[Int(a)], y = decisions[Int(b)]
            let sx = Double(side) * x.score, sy = Double(side) * y.score
            return sx != sy ? sx > sy : x.asset < y.asset
        }
        let n = min(order.count, settings.topN ?? order.count)
        guard n > 0, budget > 0 else { return }
        let slots = Double(settings.topN ?? n)
        let start = chosenWeight.count
        var total = 0.0
        for j in 0..<n {
            let x = decisions[Int(order[j])]
            chosen.append(x.asset)
            var w: Double
            switch settings.weighting {
            case .equal: w = 1
            case .score: w = abs(x.score)
            case .inverseVolatility:
                let v = technicals.volatility(asset: Int(x.asset), day: d, window: settings.volLookback)
                w = v > 0 ? 1 / v : 0
            }
            chosenWeight.append(w)
            total += w
        }
        for j in start..<chosenWeight.count {
            let w = settings.weighting == .equal ? budget / slots : (total > 0 ? budget * chosenWeight[j] / total : 0)
            chosenWeight[j] = Double(side) * w
        }
    }

    /// Scales the chosen weights so the ex-ante annual volatility equals `target`, capped by gross leverage.
    mutating func scaleToVolatility(_ target: Double, day d: Int) {
        let n = settings.volLookback, k = chosen.count
        guard d + 1 >= n + 1 else { return }
        let nD = technicals.panel.dayCount
        for (j, a) in chosen.enumerated() {
            for i in 0..<n {
                let r = technicals.returns[Int(a) * nD + d - n + 1 + i]
                window[j * n + i] = r.isFinite ? r : 0
            }
        }
        let sigma =
            window.withUnsafeBufferPointer { x in
                chosenWeight.withUnsafeBufferPointer { w in
                    scratch.withUnsafeMutableBufferPointer { s in
                        Metrics.portfolioVolatility(
                            returns: x.baseAddress!, rows: n, columns: k, weights: w.baseAddress!,
                            scratch: s.baseAddress!)
                    }
                }
            } * 252.0.squareRoot()
        var gross = 0.0
        for w in chosenWeight { gross += abs(w) }
        guard sigma > 0, gross > 0 else { return }
        let scale = min(target / sigma, settings.grossLeverage / gross)
        for i in chosenWeight.indices { chosenWeight[i] *= scale }
    }

    /// In-place heap sort (no allocation), ordering by `before`.
    static func heapSort(_ a: inout [Int32], by before: (Int32, Int32) -> Bool) {
        let n = a.count
        guard n > 1 else { return }
        func sift(_ a: inout [Int32], _ start: Int, _ end: Int) {
            var root = start
            while 2 * root + 1 < end {
                var child = 2 * root + 1
                if child + 1 < end, before(a[child], a[child + 1]) { child += 1 }
                if before(a[root], a[child]) {
                    a.swapAt(root, child)
                    root = child
                } else {
                    return
                }
            }
        }
        // Max-heap under `before` puts the last element first; build it, then pop to the back.
        for s in stride(from: n / 2 - 1, through: 0, by: -1) { sift(&a, s, n) }
        for end in stride(from: n - 1, to: 0, by: -1) {
            a.swapAt(0, end)
            sift(&a, 0, end)
        }
    }
}
