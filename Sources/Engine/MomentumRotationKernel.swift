import HindsightCore
import MarketData
import Services

/// Cross-sectional momentum rotation on a dense close matrix, shared by every (lookback, top_n, rebalance) point.
///
/// Semantics (vectorbt `Portfolio.from_orders` with `size_type='targetpercent'`, `cash_sharing=True`,
/// `call_seq='auto'`, `fees`): on session t ≥ L with t % R == 0, momentum = close[t] / close[t−L] − 1 (both bars
/// present); the K highest (ties: lower asset index first) get weight 1/K, every other asset with a bar gets 0, an
/// asset without a bar today gets no order. Targets use the pre-trade value (cash + positions at the last known
/// closes); orders run in ascending order value (sells first, then the smallest buy), fill at the close with the fee
/// on each fill's value, and the last buys are trimmed to the cash left. Fractional shares. Float comparisons and
/// zero snaps use vectorbt's tolerances (relative 1e-9, absolute 1e-12) so results agree to rounding.
public struct MomentumRotationKernel: Sendable {
    public let days: Int
    public let assets: Int
    /// Day-major closes (`close[t * assets + a]`), NaN where an asset has no bar.
    public let close: [Double]

    public init(close: [Double], days: Int, assets: Int) {
        precondition(close.count == days * assets, "close matrix must be days × assets")
        self.close = close
        self.days = days
        self.assets = assets
    }

    /// The closes of a universe's names (tickers in panel order, or all), or nil when it is rule-based or any of its
    /// names has a split or dividend (the kernel trades raw closes without corporate actions).
    public init?(universe: RunConfig.Universe, panel p: MarketPanel, excluded: [Bool]) {
        if case .rule = universe { return nil }
        let assets = Array(Set(BacktestUniverseService.candidates(universe, panel: p, excluded: excluded).assets))
            .map(Int.init).sorted()
        let nD = p.dayCount, n = assets.count
        var close = [Double](repeating: .nan, count: nD * n)
        for (j, a) in assets.enumerated() {
            for d in 0..<nD {
                let k = a * nD + d
                if p.splitRatio[k] != 1 || p.dividend[k] != 0 { return nil }
                if p.valid[k] { close[d * n + j] = p.close[k] }
            }
        }
        self.init(close: close, days: nD, assets: n)
    }

    /// The result of one (lookback, top_n, rebalance) run.
    public struct Summary: Sendable, Equatable {
        public var finalValue: Double
        public var totalReturn: Double
        /// Filled orders.
        public var fills: Int
        /// Rebalance sessions.
        public var rebalances: Int
    }

    /// Scratch buffers of one worker; reuse across runs to avoid allocating per point.
    public struct Scratch {
        var shares: [Double], lastPrice: [Double], inTop: [Int32]
        var held: [Int32] = [], nextHeld: [Int32] = []
        var candidates: [(Double, Int32)] = [], orders: [(Double, Int32)] = []

        public init(assets: Int) {
            shares = [Double](repeating: 0, count: assets)
            lastPrice = [Double](repeating: .nan, count: assets)
            inTop = [Int32](repeating: -1, count: assets)
            candidates.reserveCapacity(assets)
            orders.reserveCapacity(assets)
            held.reserveCapacity(assets)
            nextHeld.reserveCapacity(assets)
        }
    }

    /// Runs one point from session `start` (earlier sessions are history only); writes the daily value from `start`
    /// on when `equity` is given (its count must be `days − start`).
    public func run(
        lookback: Int, topN: Int, every: Int, fee: Double, initialCash: Double, start: Int = 0, scratch: inout Scratch
    ) -> Summary {
        run(
            lookback: lookback, topN: topN, every: every, fee: fee, initialCash: initialCash, start: start,
            scratch: &scratch, into: nil)
    }

    /// Runs one point and writes the daily value from `start` on into `equity` (its count must be `days − start`).
    public func run(
        lookback: Int, topN: Int, every: Int, fee: Double, initialCash: Double, start: Int = 0, scratch: inout Scratch,
        equity: inout [Double]
    ) -> Summary {
        precondition(equity.count == days - start, "equity needs one slot per session from start")
        return equity.withUnsafeMutableBufferPointer { buffer in
            run(
                lookback: lookback, topN: topN, every: every, fee: fee, initialCash: initialCash, start: start,
                scratch: &scratch, into: buffer)
        }
    }

    private func run(
        lookback: Int, topN: Int, every: Int, fee: Double, initialCash: Double, start: Int, scratch: inout Scratch,
        into equity: UnsafeMutableBufferPointer<Double>?
    ) -> Summary {
        let n = assets
        for a in 0..<n {
            scratch.shares[a] = 0
            scratch.lastPrice[a] = .nan
            scratch.inTop[a] = -1
        }
        scratch.held.removeAll(keepingCapacity: true)
        var cash = initialCash, fills = 0, rebalances = 0
        let weight = topN > 0 ? 1 / Double(topN) : 0
        close.withUnsafeBufferPointer { px in
            for t in start..<days {
                let row = t * n
                for a in scratch.held {
                    let c = px[row + Int(a)]
                    if !c.isNaN { scratch.lastPrice[Int(a)] = c }
                }
                if lookback >= 1, every >= 1, t >= lookback, (t - start) % every == 0 {
                    rebalances += 1
                    // Pre-trade value, positions summed in asset order (as vectorbt does).
                    var value = cash
                    for a in scratch.held { value += scratch.shares[Int(a)] * scratch.lastPrice[Int(a)] }
                    // Rank.
                    scratch.candidates.removeAll(keepingCapacity: true)
                    let past = row - lookback * n
                    for a in 0..<n {
                        let m = px[row + a] / px[past + a] - 1
                        if m.isFinite { scratch.candidates.append((m, Int32(a))) }
                    }
                    Self.selectTop(&scratch.candidates, topN)
                    let chosen = min(topN, scratch.candidates.count)
                    for i in 0..<chosen { scratch.inTop[Int(scratch.candidates[i].1)] = Int32(t) }
                    // Orders: the chosen names and every held name with a bar, by ascending approximate value.
                    scratch.orders.removeAll(keepingCapacity: true)
                    for i in 0..<chosen {
                        let a = Int(scratch.candidates[i].1)
                        scratch.orders.append((weight * value - scratch.shares[a] * px[row + a], Int32(a)))
                    }
                    for a32 in scratch.held {
                        let a = Int(a32)
                        guard scratch.inTop[a] != Int32(t), !px[row + a].isNaN else { continue }
                        scratch.orders.append((-scratch.shares[a] * px[row + a], a32))
                    }
                    Self.sortOrders(&scratch.orders)
                    for (_, a32) in scratch.orders where value > 0 {
                        let a = Int(a32)
                        let price = px[row + a]
                        let w = scratch.inTop[a] == Int32(t) ? weight : 0
                        var size = w * value
                        size /= price
                        size -= scratch.shares[a]
                        if size > 0 {
                            guard cash != 0 else { continue }
                            let req = size * price
                            let total = req + req * fee
                            if VBMath.closeOrLess(total, cash) {
                                guard !VBMath.isClose(size, 0) else { continue }
                                cash = VBMath.add(cash, -total)
                            } else {
                                let maxReq = cash / (1 + fee)
                                guard maxReq > 0 else { continue }
                                size = maxReq / price
                                guard !VBMath.isClose(size, 0) else { continue }
                                cash = VBMath.add(cash, -cash)
                            }
                            scratch.shares[a] = VBMath.add(scratch.shares[a], size)
                            fills += 1
                        } else {
                            let q = -size
                            guard !VBMath.isClose(q, 0) else { continue }
                            let acq = q * price
                            let proceeds = VBMath.add(acq, -(acq * fee))
                            guard proceeds >= 0 else { continue }
                            cash += proceeds
                            scratch.shares[a] = VBMath.add(scratch.shares[a], -q)
                            fills += 1
                        }
                        scratch.lastPrice[a] = price
                    }
                    // Held names, kept in ascending asset order.
                    scratch.nextHeld.removeAll(keepingCapacity: true)
                    for a in scratch.held where scratch.shares[Int(a)] != 0 { scratch.nextHeld.append(a) }
                    for (_, a) in scratch.orders where scratch.shares[Int(a)] != 0 { scratch.nextHeld.append(a) }
                    scratch.nextHeld.sort()
                    scratch.held.removeAll(keepingCapacity: true)
                    for a in scratch.nextHeld where scratch.held.last != a { scratch.held.append(a) }
                }
                if let equity {
                    var v = cash
                    for a in scratch.held { v += scratch.shares[Int(a)] * scratch.lastPrice[Int(a)] }
                    equity[t - start] = v
                }
            }
        }
        var final = cash
        for a in scratch.held { final += scratch.shares[Int(a)] * scratch.lastPrice[Int(a)] }
        return Summary(finalValue: final, totalReturn: final / initialCash - 1, fills: fills, rebalances: rebalances)
    }
}

/// vectorbt's float tolerances (`vectorbt.utils.math_`), so order sizing rounds the same way.
enum VBMath {
    static let relTol = 1e-9, absTol = 1e-12

    @inline(__always) static func isClose(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite { return false }
        if a == b { return true }
        return abs(a - b) <= max(relTol * max(abs(a), abs(b)), absTol)
    }

    @inline(__always) static func closeOrLess(_ a: Double, _ b: Double) -> Bool { isClose(a, b) || a < b }

    /// a + b, snapped to 0 when the two cancel within tolerance.
    @inline(__always) static func add(_ a: Double, _ b: Double) -> Double {
        let zero = sign(a) != sign(b) ? isClose(abs(a), abs(b)) : isClose(a + b, 0)
        return zero ? 0 : a + b
    }

    @inline(__always) static func sign(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
