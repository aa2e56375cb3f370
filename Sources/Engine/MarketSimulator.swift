import HindsightCore
import MarketData
import Services

/// The backtest `ExecutionService`: fills orders at the close of the decision session or the next session's open,
/// applies slippage then commission, limits fills to a share of the bar's volume (carrying or cancelling the rest),
/// never fills without a bar (a gap), and executes sells before buys.
///
/// Sizing: a target weight w becomes w × (equity at the decision close) / (fill bar's price) shares (whole shares
/// round toward zero); an all-in buy gets cash / (price × (1 + commission rate)) shares. A long-only book without
/// leverage never lets cash go negative: the last buys are trimmed to the cash left.
public struct MarketSimulator: ExecutionService {
    public let execution: RunConfig.Execution
    public let fractional: Bool
    let panel: MarketPanel
    let technicals: Technicals
    /// Per-asset capital for sleeve strategies (all-in spends the sleeve, not all cash); nil = all cash.
    let sleeveCapital: Double?
    /// Cash may not fall below this after a buy (−∞ when margin is allowed).
    let cashFloor: Double
    var pending: [Order] = []
    /// Limit, stop and stop-limit orders waiting for their price (one per asset).
    var conditional: [Order] = []
    var work: [Order] = []
    var quantities: [Double] = []
    var newOrderDay: [Int32]
    /// Intraday bars for `execution.intraday` fills and for stops and limits checked on the intraday path.
    let intraday: IntradayPanel?
    /// The last session on which an intraday fill or check found no bars and used the daily rules instead.
    var lastFallbackDay: Int32 = -1
    /// Where the close fills read each order's close and bar flag: the day-major copy when the run has one (a
    /// rebalance's orders then share cache lines; read from the asset-major panel they missed on nearly every order,
    /// and the simulator was 14 % of a 118-stock momentum sweep).
    var prices: DayMajorMarks.Reader

    public init(
        execution: RunConfig.Execution, fractional: Bool, panel: MarketPanel, technicals: Technicals,
        sleeveCapital: Double?, allowMargin: Bool, intraday: IntradayPanel? = nil
    ) {
        self.intraday = intraday
        self.execution = execution
        self.fractional = fractional
        self.panel = panel
        self.technicals = technicals
        self.sleeveCapital = sleeveCapital
        self.cashFloor = allowMargin ? -.infinity : 0
        prices = DayMajorMarks.Reader(panel: panel, marks: nil)
        newOrderDay = [Int32](repeating: -1, count: panel.assetCount)
        pending.reserveCapacity(panel.assetCount * 2)
        work.reserveCapacity(panel.assetCount * 2)
        quantities.reserveCapacity(panel.assetCount * 2)
    }

    /// Queues orders decided after the close of `day`; they replace carried remainders for the same assets.
    public mutating func submit(_ orders: [Order], day: Int) {
        guard !orders.isEmpty else { return }
        var market = orders
        if orders.contains(where: { $0.trigger != nil }) {
            // A new conditional order replaces the asset's waiting one.
            for o in orders where o.trigger != nil {
                conditional.removeAll { $0.asset == o.asset }
                conditional.append(o)
            }
            market = orders.filter { $0.trigger == nil }
            guard !market.isEmpty else { return }
        }
        let orders = market
        for o in orders { newOrderDay[Int(o.asset)] = Int32(day) }
        var w = 0
        for i in pending.indices where !(pending[i].carried && newOrderDay[Int(pending[i].asset)] == Int32(day)) {
            pending[w] = pending[i]
            w += 1
        }
        pending.removeLast(pending.count - w)
        pending.append(contentsOf: orders)
    }

    /// True when orders wait for a fill.
    public var hasPending: Bool { !pending.isEmpty || !conditional.isEmpty }

    /// Scales pending share quantities on a split.
    mutating func applySplit(asset a: Int, ratio: Double) {
        for i in pending.indices where pending[i].asset == Int32(a) {
            if case .quantity(let q) = pending[i].kind { pending[i].kind = .quantity(q * ratio) }
        }
        for i in conditional.indices where conditional[i].asset == Int32(a) {
            conditional[i].trigger?.level /= ratio
            conditional[i].trigger?.limit /= ratio
        }
    }

    /// Executes the queued orders on session `day` at its open or close. Returns the traded value.
    mutating func execute(
        day d: Int, atOpen: Bool, portfolio: inout Portfolio, trades: inout [TradeRecord], gaps: inout [GapEvent]
    ) -> Double {
        guard !pending.isEmpty else { return 0 }
        swap(&pending, &work)
        pending.removeAll(keepingCapacity: true)
        quantities.removeAll(keepingCapacity: true)
        let nD = panel.dayCount, px = prices
        // Desired quantities, all from the pre-trade book (all-in buys are sized later, after sells free cash).
        for o in work {
            let a = Int(o.asset), m = px.index(asset: a, day: d)
            guard px.valid[m] else {
                gaps.append(GapEvent(day: Int32(d), asset: o.asset, orderSkipped: true))
                quantities.append(0)
                continue
            }
            let ref = atOpen ? panel.open[a * nD + d] : px.close[m]
            quantities.append(wanted(o, price: ref, held: portfolio.shares[a]))
        }
        let traded = sellsThenBuys { sim, o, q in
            sim.fill(o, quantity: q, day: d, atOpen: atOpen, portfolio: &portfolio, trades: &trades, gaps: &gaps)
        }
        return traded
    }

    /// Runs `fill` on the working orders with their desired `quantities`, sells first, then buys, and clears the
    /// work list; returns the traded value.
    mutating func sellsThenBuys(_ fill: (inout MarketSimulator, Order, Double) -> Double) -> Double {
        var traded = 0.0
        for pass in 0..<2 {
            for i in work.indices {
                let q = quantities[i]
                guard pass == 0 ? q < 0 : q > 0 else { continue }
                traded += fill(&self, work[i], q)
            }
        }
        work.removeAll(keepingCapacity: true)
        return traded
    }

    /// The signed shares an order asks for at `price` with `held` shares (∞ for an all-in buy, sized at the fill
    /// once sells have freed cash).
    @inline(__always)
    func wanted(_ o: Order, price: Double, held: Double) -> Double {
        switch o.kind {
        case .targetWeight(let w):
            guard price > 0 else { return 0 }
            var target = w * o.decisionEquity / price
            if !fractional { target = target.rounded(.towardZero) }
            return target - held
        case .allIn: return held == 0 ? .infinity : 0
        case .closeOut: return -held
        case .quantity(let x): return x
        }
    }

    /// Fills one order; returns the traded value.
    mutating func fill(
        _ o: Order, quantity wanted: Double, day d: Int, atOpen: Bool, reference: Double? = nil,
        participation: Bool = true, portfolio: inout Portfolio, trades: inout [TradeRecord], gaps: inout [GapEvent]
    ) -> Double {
        let a = Int(o.asset), k = a * panel.dayCount + d, m = prices.index(asset: a, day: d)
        guard prices.valid[m] else {
            gaps.append(GapEvent(day: Int32(d), asset: o.asset, orderSkipped: true))
            return 0
        }
        let ref = reference ?? (atOpen ? panel.open[k] : prices.close[m])
        guard ref > 0 else { return 0 }
        let side: Double = wanted > 0 ? 1 : -1
        var q = wanted
        var flags: UInt8 = o.carried ? TradeRecord.fromCarry : 0
        if q == .infinity {
            // All-in: the cash (or sleeve) at this moment, after commission and slippage.
            var budget = max(0, portfolio.cash)
            if let sleeve = sleeveCapital { budget = min(budget, max(0, sleeve + portfolio.cashFlow[a])) }
            q = affordable(
                budget: budget, price: ref + slippagePerShare(ref: ref, quantity: budget / ref, k: k, asset: a, day: d))
            guard q > 0 else { return 0 }
        }
        var requested = q
        if participation, let p = execution.maxParticipation {
            var cap = p * panel.volume[k]
            if !fractional { cap = cap.rounded(.down) }
            if abs(q) > cap {
                let rest = q - side * cap
                q = side * cap
                flags |= TradeRecord.partial
                if execution.partialFills == .carry {
                    flags |= TradeRecord.carriedRemainder
                    pending.append(
                        Order(
                            asset: o.asset, kind: .quantity(rest), decision: o.decision, decisionDay: o.decisionDay,
                            decisionEquity: o.decisionEquity, carried: true))
                } else {
                    flags |= TradeRecord.cancelledRemainder
                }
            }
        }
        if q == 0 {
            if flags & TradeRecord.partial != 0 {
                trades.append(
                    TradeRecord(
                        day: Int32(d), asset: o.asset, quantity: 0, price: ref, commission: 0, slippage: 0,
                        decision: o.decision, requested: requested, flags: flags))
            }
            return 0
        }
        var price = ref + side * slippagePerShare(ref: ref, quantity: abs(q), k: k, asset: a, day: d)
        if side > 0, cashFloor.isFinite {
            let room = portfolio.cash - cashFloor
            let need = q * price + commission(quantity: q, price: price)
            // A relative slack absorbs float round-off when weights sum to exactly 1.
            if need > room + 1e-9 * max(1, abs(portfolio.cash)) {
                let before = q
                q = min(q, affordable(budget: max(0, room), price: price))
                if q < before { flags |= TradeRecord.trimmedToCash }
                if q <= 0 { return 0 }
                price = ref + side * slippagePerShare(ref: ref, quantity: q, k: k, asset: a, day: d)
                if requested == .infinity { requested = q }
            }
        }
        let fee = commission(quantity: q, price: price)
        portfolio.fill(asset: a, quantity: q, price: price, commission: fee)
        trades.append(
            TradeRecord(
                day: Int32(d), asset: o.asset, quantity: q, price: price, commission: fee,
                slippage: abs(q) * abs(price - ref), decision: o.decision, requested: requested, flags: flags))
        return abs(q) * price
    }

    /// Closes asset `a` at `price` inside session `d` (a stop), with slippage, commission and the participation
    /// limit of any fill; the trades it makes carry `reason`.
    mutating func exit(
        asset a: Int, price: Double, reason: UInt8, day d: Int, equity: Double,
        portfolio: inout Portfolio, trades: inout [TradeRecord], gaps: inout [GapEvent]
    ) -> Double {
        let q = -portfolio.shares[a]
        guard q != 0 else { return 0 }
        let o = Order(asset: Int32(a), kind: .closeOut, decisionDay: Int32(d), decisionEquity: equity)
        let before = trades.count
        let value = fill(
            o, quantity: q, day: d, atOpen: false, reference: price, portfolio: &portfolio, trades: &trades,
            gaps: &gaps)
        for i in before..<trades.count { trades[i].reason = reason }
        return value
    }

    /// Drops queued orders for asset `a` (a stop closed it this session).
    mutating func cancel(asset a: Int) {
        pending.removeAll { $0.asset == Int32(a) }
        conditional.removeAll { $0.asset == Int32(a) }
    }

    /// Fills the limit, stop and stop-limit orders whose price session `d`'s bar reaches (after the open's market
    /// orders), sized at their fill price; drops those whose last session has passed. Returns the traded value.
    mutating func executeConditional(
        day d: Int, portfolio: inout Portfolio, trades: inout [TradeRecord], gaps: inout [GapEvent]
    ) -> Double {
        guard !conditional.isEmpty else { return 0 }
        var traded = 0.0
        var keep: [Order] = []
        let nD = panel.dayCount
        for o in conditional {
            guard let trigger = o.trigger else { continue }
            let a = Int(o.asset), k = a * nD + d
            let buy: Bool
            switch o.kind {
            case .targetWeight(let w): buy = w > 0
            case .allIn: buy = true
            case .closeOut: buy = portfolio.shares[a] < 0
            case .quantity(let q): buy = q > 0
            }
            // On the intraday path when the session has bars (first touch), else on the daily bar's range.
            var bar = -1
            var price: Double?
            if panel.valid[k] {
                let bars = intraday?.bars(asset: a, day: d) ?? 0..<0
                if let ip = intraday, !bars.isEmpty {
                    if let hit = trigger.firstFill(buy: buy, bars: bars, intraday: ip) {
                        price = hit.price
                        bar = hit.bar
                    }
                } else {
                    if intraday != nil { noteFallback(d) }
                    price = trigger.fillPrice(buy: buy, open: panel.open[k], high: panel.high[k], low: panel.low[k])
                }
            }
            guard let price, price > 0 else {
                if Int32(d) < trigger.lastDay { keep.append(o) }
                continue
            }
            let q = wanted(o, price: price, held: portfolio.shares[a])
            if q != 0 {
                let before = trades.count
                traded += fill(
                    o, quantity: q, day: d, atOpen: false, reference: price, portfolio: &portfolio, trades: &trades,
                    gaps: &gaps)
                if bar >= 0, let ip = intraday {
                    for t in before..<trades.count {
                        trades[t].intradayBars = 1
                        trades[t].flags |= TradeRecord.intradayTouch
                        trades[t].firstBar = ip.ts[bar]
                        trades[t].lastBar = ip.ts[bar]
                    }
                }
            }
        }
        conditional = keep
        return traded
    }

    @inline(__always)
    func slippagePerShare(ref: Double, quantity: Double, k: Int, asset a: Int, day d: Int) -> Double {
        switch execution.slippage {
        case .none: return 0
        case .fixedBps(let bps): return ref * bps / 10_000
        case .halfSpread(let f):
            let range = panel.high[k] - panel.low[k]
            return range.isFinite ? f * max(0, range) : 0
        case .sqrtImpact(let kk):
            if let ip = intraday, !ip.bars(asset: a, day: d).isEmpty {
                let (sigma, v) = ip.realised(asset: a, day: d)
                guard v > 0, sigma.isFinite else { return 0 }
                return ref * kk * sigma * (abs(quantity) / v).squareRoot()
            }
            let v = panel.volume[k]
            let sigma = d > 0 ? technicals.volatility(asset: a, day: d - 1, window: 21) : .nan
            guard v > 0, sigma.isFinite else { return 0 }
            return ref * kk * sigma * (abs(quantity) / v).squareRoot()
        case .corwinSchultz(let f):
            if let ip = intraday, ip.bars(asset: a, day: d).count >= 2 {
                return ref * f * ip.corwinSchultzSpread(asset: a, day: d)
            }
            guard d > 0, panel.valid[k - 1] else { return 0 }
            let s = CorwinSchultz.spread(
                high0: panel.high[k - 1], low0: panel.low[k - 1], high1: panel.high[k], low1: panel.low[k])
            return ref * f * s
        }
    }

    @inline(__always)
    func commission(quantity q: Double, price p: Double) -> Double {
        switch execution.commission {
        case .none: return 0
        // abs(q) × p × rate, in the same order as the SMA kernel, so both give bit-identical cash.
        case .bps(let bps): return abs(q) * p * (bps / 10_000)
        case .perShare(let ps, let minimum): return max(minimum, abs(q) * ps)
        case .fixed(let amount): return amount
        }
    }

    /// Most shares `budget` buys at `price` including commission (whole shares round down).
    func affordable(budget b: Double, price p: Double) -> Double {
        guard p > 0, b > 0 else { return 0 }
        var q: Double
        switch execution.commission {
        case .none: q = b / p
        case .bps(let bps): q = b / (p * (1 + bps / 10_000))
        case .perShare(let ps, let minimum):
            q = b / (p + ps)
            if q * ps < minimum { q = (b - minimum) / p }
        case .fixed(let amount): q = (b - amount) / p
        }
        if !fractional { q = q.rounded(.down) }
        return max(0, q)
    }
}
