import HindsightCore
import MarketData
import Services
import Signals

/// The simulation loop. Pure: reads the panel and the services, returns a `BacktestResult`; no I/O, no clock, no
/// global random numbers. Each session, in order:
/// 1. splits and dividends on their ex-date; 2. interest on cash and borrow fees on shorts;
/// 3. `next_open` fills, then limit and stop entries, then stops inside the bar and time stops;
/// 4. marks at the close; 5. the strategy decides on the close;
/// 6. `close` fills; 7. dividend reinvestment; 8. the daily row (equity, drawdown, exposures) and attribution.
public enum BacktestEngine {
    /// Sessions of the panel that fall in [start, end].
    public static func sessions(_ config: RunConfig, panel: MarketPanel) -> Range<Int> {
        let lo = panel.calendar.indexOnOrAfter(config.start)
        let hi = panel.calendar.indexOnOrAfter(config.end.adding(days: 1))
        return lo..<max(lo, hi)
    }

    public static func run(_ config: RunConfig, inputs: EngineInputs) throws -> BacktestResult {
        let panel = inputs.panel, technicals = inputs.technicals, profiles = inputs.profiles, regimes = inputs.regimes
        let cashRate = inputs.cashRate
        let range = sessions(config, panel: panel)
        guard !range.isEmpty else {
            throw HindsightError(
                .invalidArgument, "no sessions between \(config.start) and \(config.end) in the data",
                cause:
                    "pick dates inside the data's range (\(panel.calendar.first.map(\.iso) ?? "-") .. \(panel.calendar.last.map(\.iso) ?? "-"))"
            )
        }
        let universe = BacktestUniverseService(
            config.universe, panel: panel, technicals: technicals, profiles: profiles, sessions: range,
            benchmark: config.benchmark)
        let env = StrategyEnvironment(
            config: config, panel: panel, technicals: technicals, profiles: profiles, regimes: regimes,
            universe: universe, sessions: range, signalCache: inputs.signalCache,
            signals: inputs.signals, marks: inputs.marks)
        guard let plugin = StrategyRegistry.plugin(config.strategyKind) else {
            throw config.strategy.error("unknown strategy '\(config.strategyKind)'")
        }
        let setup = try plugin.make(env)
        var loop = Loop(
            config: config, panel: panel, profiles: profiles, regimes: regimes, setup: setup, sessions: range,
            technicals: technicals, cashRate: cashRate, signalCache: inputs.signalCache,
            intraday: config.execution.intraday == nil ? nil : inputs.intraday)
        if inputs.recordPositions { loop.ledger = PositionLedger() }
        loop.prices = DayMajorMarks.Reader(panel: panel, marks: inputs.marks)
        loop.simulator.prices = loop.prices
        loop.stops.prices = loop.prices
        if let b = inputs.bars, b.fits(panel) { loop.stops.bars = b }
        loop.factorBetas = inputs.factorBetas
        // The built-in strategies get a loop specialised for their type (no existential box per session); any other
        // registered strategy runs the same loop through `AnyStrategy`.
        switch setup.strategy {
        case var s as SMACrossoverStrategy: loop.run(&s)
        case var s as MomentumRotationStrategy: loop.run(&s)
        case var s as AssessmentRiskDailyRebalance: loop.run(&s)
        case var s as EqualWeightBuyAndHold: loop.run(&s)
        default:
            var s = AnyStrategy(base: setup.strategy)
            loop.run(&s)
        }
        return loop.result(universe: universe)
    }
}

/// A strategy of a type the engine has no specialised loop for.
struct AnyStrategy: Strategy {
    var base: any Strategy
    mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) { base.onSession(view, &out) }
}

/// The per-run mutable state; every buffer is allocated before the first session.
struct Loop {
    let config: RunConfig
    let panel: MarketPanel
    let profiles: BacktestProfileService
    let regimes: BacktestRegimeService
    let range: Range<Int>
    let cashRate: [Double]?
    let modelNames: [String]
    var simulator: MarketSimulator
    var portfolio: Portfolio
    var stops: StopBook
    var stopExits: [StopBook.Exit] = []
    /// The assets the run can hold, ascending: a static ticker universe's names, else every asset. The per-session
    /// loops visit only these, so a 20-ticker run on a 133-ticker database pays for 20 (an order for any other asset
    /// adds it). Measured on the 300-point stop grid: simulate 1.48 s → (see Benchmarks/RESULTS-stops.md).
    var active: [Int32]
    var isActive: [Bool]
    var out = StrategyOutput()
    var trades: [TradeRecord] = []
    var gaps: [GapEvent] = []
    var actionDays: [Int32] = []
    var actionAssets: [Int32] = []
    var nextAction = 0
    // Daily rows and attribution, filled when `run` ends.
    var equity: [Double] = [], cash: [Double] = [], drawdown: [Double] = [], gross: [Double] = [], net: [Double] = []
    var long: [Double] = [], short: [Double] = [], names: [Int32] = [], turnover: [Double] = [],
        sectorExposure: [Double] = []
    var pnlSector: [Double] = [], pnlModel: [Double] = [], pnlRegime = RegimePnL()
    var cashPnL = 0.0
    var cashInterest: [Double] = [], borrowFees: [Double] = []
    var factorBetas: FactorBetas?
    var factorExposure: [Double] = [], factorBetasComplete = true
    var ledger: PositionLedger?
    var borrowToday: [Double] = []
    /// Sessions on which an intraday fill or check had no bars and used the daily rules.
    var daysWithoutIntraday = 0
    /// Where the marks read the closes (day by day when the market has the copy: one cache line a day).
    var prices: DayMajorMarks.Reader

    init(
        config: RunConfig, panel: MarketPanel, profiles: BacktestProfileService, regimes: BacktestRegimeService,
        setup: StrategySetup,
        sessions: Range<Int>, technicals: Technicals, cashRate: [Double]?, signalCache: SignalCache?,
        intraday: IntradayPanel? = nil
    ) {
        self.config = config
        self.panel = panel
        self.profiles = profiles
        self.regimes = regimes
        self.range = sessions
        self.cashRate = cashRate
        prices = DayMajorMarks.Reader(panel: panel, marks: nil)
        modelNames = setup.modelNames
        simulator = MarketSimulator(
            execution: config.execution, fractional: config.fractionalShares, panel: panel, technicals: technicals,
            sleeveCapital: setup.sleeveCapital, allowMargin: setup.allowMargin, intraday: intraday)
        let nA = panel.assetCount
        portfolio = Portfolio(cash: config.initialCash, assets: nA)
        stops = StopBook(rules: config.stops, panel: panel, cache: signalCache, intraday: intraday)
        if case .tickers(let names) = config.universe {
            var flags = [Bool](repeating: false, count: nA)
            for t in names { if let a = panel.asset(ticker: t) { flags[a] = true } }
            isActive = flags
            active = (0..<nA).filter { flags[$0] }.map(Int32.init)
        } else {
            isActive = [Bool](repeating: true, count: nA)
            active = (0..<nA).map(Int32.init)
        }
        out.orders.reserveCapacity(nA * 2)
        // Modest reservations unless the strategy expects more: arrays past malloc's mmap threshold would be mapped
        // and unmapped on every run.
        let logs = max(1024, min(setup.expectedOrders, 1 << 17))
        out.decisions.reserveCapacity(logs)
        out.modelShare = [Double](repeating: 1 / Double(max(1, modelNames.count)), count: nA * max(1, modelNames.count))
        trades.reserveCapacity(logs)
        gaps.reserveCapacity(1024)
        listActions(days: sessions, assets: active)
    }

    /// The sessions' splits and dividends of `assets`, day by day and in `assets`' order within a day, from the
    /// panel's list of each asset's action days (a day-by-day scan of the columns missed the cache on nearly every
    /// cell, 17 % of a 118-stock momentum run; an asset-by-asset scan still read both columns over the whole range).
    mutating func listActions(days: Range<Int>, assets: [Int32]) {
        actionDays.removeAll(keepingCapacity: true)
        actionAssets.removeAll(keepingCapacity: true)
        nextAction = 0
        var cells: [(day: Int32, asset: Int32)] = []
        for a32 in assets {
            for d in panel.actionDays[Int(a32)] where days.contains(Int(d)) { cells.append((d, a32)) }
        }
        // Stable: within a day the cells keep `assets`' order.
        cells.sort { $0.day < $1.day }
        for c in cells {
            actionDays.append(c.day)
            actionAssets.append(c.asset)
        }
    }

    mutating func run<S: Strategy>(_ strategy: inout S) {
        let nA = panel.assetCount, nD = panel.dayCount
        let reinvest = config.portfolio.dividends == .reinvest
        let borrow = config.portfolio.borrowFeeBps / 10_000 / 252
        let annualCash: Double? = {
            if case .annual(let r) = config.portfolio.cashRate { return r / 252 }
            return nil
        }()
        let accrues = borrow != 0 || (annualCash ?? 0) != 0 || (annualCash == nil && cashRate != nil)
        let nSectors = profiles.sectors.count + 1
        let models = max(1, modelNames.count)
        nextAction = 0
        var peak = config.initialCash
        var previousEquity = config.initialCash
        // Rows and sums are `RunColumn`s (see there for why they are not arrays), copied out once at the end.
        let n = range.count
        let equity = RunColumn(count: n, repeating: 0.0), cash = RunColumn(count: n, repeating: 0.0)
        let drawdown = RunColumn(count: n, repeating: 0.0), gross = RunColumn(count: n, repeating: 0.0)
        let net = RunColumn(count: n, repeating: 0.0), long = RunColumn(count: n, repeating: 0.0)
        let short = RunColumn(count: n, repeating: 0.0), turnover = RunColumn(count: n, repeating: 0.0)
        let counts = RunColumn<Int32>(count: n, repeating: 0)
        let sectorExposure = RunColumn(count: n * nSectors, repeating: 0.0)
        let assetValue = RunColumn(count: nA, repeating: 0.0), pnlSector = RunColumn(count: nSectors, repeating: 0.0)
        let pnlModel = RunColumn(count: models, repeating: 0.0)
        // Each asset's sector and the session it holds until: the profile lookup (a call and a search over nested
        // arrays for every held asset and session) was 5 % of a 118-stock momentum sweep.
        let sectorNow = RunColumn<Int32>(count: nA, repeating: 0)
        let sectorUntil = RunColumn(count: nA, repeating: Int.min)
        // The assets held at the last close, ascending. On a session without trades only they can have P&L or
        // exposure, so the attribution walks them instead of the whole universe.
        let held = RunColumn<Int32>(count: nA, repeating: 0)
        var heldCount = 0
        // With one model its P&L sum stays in a register (through the column it was a chain of loads and stores,
        // one link per held asset and session).
        var soleModel = 0.0
        let interest = RunColumn(count: accrues ? n : 0, repeating: 0.0)
        let borrowed = RunColumn(count: accrues ? n : 0, repeating: 0.0)
        let nF = factorBetas?.names.count ?? 0
        let exposure = RunColumn(count: n * nF, repeating: 0.0)
        var complete = true
        let recording = ledger != nil
        if recording {
            ledger!.cashInterest = [Double](repeating: 0, count: n)
            ledger!.models = models
            borrowToday = [Double](repeating: 0, count: nA)
        }
        for (i, d) in range.enumerated() {
            let regime = Int(regimes.regimeOfDay[d])
            let sessionTrades = trades.count
            // 1. Corporate actions on their ex-date.
            while nextAction < actionDays.count, Int(actionDays[nextAction]) == d {
                let a = Int(actionAssets[nextAction]), k = a * nD + d
                portfolio.applyCorporateAction(
                    asset: a, split: panel.splitRatio[k], dividend: panel.dividend[k], reinvest: reinvest)
                if panel.splitRatio[k] != 1 {
                    simulator.applySplit(asset: a, ratio: panel.splitRatio[k])
                    stops.applySplit(asset: a, ratio: panel.splitRatio[k])
                }
                nextAction += 1
            }
            // 2. Interest and borrow fees, from the previous close to this one.
            if i > 0, accrues {
                let before = portfolio.cash
                let rate = annualCash ?? cashRate.map { $0[d].isFinite ? $0[d] : 0 } ?? 0
                portfolio.accrue(cashRate: rate, borrowRate: 0)
                cashPnL += portfolio.cash - before
                interest[i] = portfolio.cash - before
                ledger?.cashInterest[i] = portfolio.cash - before
                if borrow != 0 {
                    if ledger != nil {
                        for a32 in active where portfolio.shares[Int(a32)] < 0 {
                            let a = Int(a32)
                            borrowToday[a] = -portfolio.shares[a] * portfolio.lastPrice[a] * borrow
                        }
                    }
                    let unborrowed = portfolio.cash
                    portfolio.accrue(cashRate: 0, borrowRate: borrow)
                    borrowed[i] = unborrowed - portfolio.cash
                }
            }
            // 3. Orders from the previous close fill at this open.
            var traded = 0.0
            if let window = config.execution.intraday, simulator.intraday != nil {
                let before = trades.count
                traded += simulator.executeIntraday(
                    day: d, fill: window, portfolio: &portfolio, trades: &trades, gaps: &gaps)
                stops.record(trades, from: before, day: d, atOpen: true, portfolio: portfolio)
            } else if config.execution.fill == .nextOpen {
                let before = trades.count
                traded += simulator.execute(day: d, atOpen: true, portfolio: &portfolio, trades: &trades, gaps: &gaps)
                stops.record(trades, from: before, day: d, atOpen: true, portfolio: portfolio)
            }
            // 3a. Limit and stop entries the bar's range reaches.
            if !simulator.conditional.isEmpty {
                let before = trades.count
                traded += simulator.executeConditional(day: d, portfolio: &portfolio, trades: &trades, gaps: &gaps)
                stops.record(trades, from: before, day: d, atOpen: true, portfolio: portfolio)
            }
            // 3b. Stops inside this bar, then time stops at its close.
            if stops.rules.isActive {
                traded += runStops(day: d, previousEquity: previousEquity)
            }
            if simulator.intraday != nil, simulator.lastFallbackDay == Int32(d) || stops.lastFallbackDay == Int32(d) {
                daysWithoutIntraday += 1
            }
            // 4. Marks, and the equity at this close (summed as `Portfolio.equity` does, in one pass).
            let pre = portfolio.mark(active, prices: prices, day: d, gaps: &gaps)
            // 5. The strategy decides on this close.
            if !out.orders.isEmpty { out.orders.removeAll(keepingCapacity: true) }
            let decided = out.decisions.count
            strategy.onSession(SessionView(day: d, regime: regime, equity: pre, portfolio: portfolio), &out)
            for k in decided..<out.decisions.count { out.decisions[k].equity = pre }
            if stops.rules.isActive, config.execution.fill == .close, !out.orders.isEmpty {
                // One exit per bar: no close order for an asset a stop closed on this bar (vectorbt's rule).
                out.orders.removeAll { stops.stoppedDay[Int($0.asset)] == Int32(d) }
            }
            if active.count < nA, out.orders.contains(where: { !isActive[Int($0.asset)] }) { widen(after: d) }
            simulator.submit(out.orders, day: d)
            // 6. Close fills (including carried remainders in close mode).
            var changed = false
            if config.execution.fill == .close {
                let tradesBefore = trades.count
                traded += simulator.execute(day: d, atOpen: false, portfolio: &portfolio, trades: &trades, gaps: &gaps)
                changed = trades.count != tradesBefore
                stops.record(trades, from: tradesBefore, day: d, atOpen: false, portfolio: portfolio)
            }
            // 7. Dividend reinvestment at the close.
            if reinvest {
                for a32 in active where portfolio.pendingReinvest[Int(a32)] != 0 {
                    let a = Int(a32)
                    let k = a * nD + d
                    let px = panel.valid[k] ? panel.close[k] : portfolio.lastPrice[a]
                    let amount = portfolio.pendingReinvest[a]
                    portfolio.reinvestDividend(asset: a, close: px)
                    trades.append(
                        TradeRecord(
                            day: Int32(d), asset: Int32(a), quantity: amount / px, price: px, commission: 0,
                            slippage: 0,
                            decision: -1, requested: amount / px, flags: TradeRecord.dividendReinvestment))
                }
            }
            // 8. The daily row and attribution (the equity is `pre` unless something filled since).
            let e = changed || reinvest ? portfolio.equity : pre
            var lg = 0.0, sh = 0.0, count: Int32 = 0
            let row = i * nSectors
            // A fill, a stop or a reinvested dividend may have opened or closed any asset: walk them all.
            let walkAll = trades.count != sessionTrades
            var kept = 0
            for w in 0..<(walkAll ? active.count : heldCount) {
                let a32 = walkAll ? active[w] : held[w]
                let a = Int(a32)
                let s = portfolio.shares[a]
                let value = portfolio.heldValue(a)
                let total = value + portfolio.cashFlow[a]
                let pnl = total - assetValue[a]
                if s == 0 && pnl == 0 { continue }
                assetValue[a] = total
                if d >= sectorUntil[a] {
                    let span = profiles.sectorSpan(asset: a, day: d)
                    sectorNow[a] = Int32(span.sector)
                    sectorUntil[a] = span.until
                }
                let sector = Int(sectorNow[a])
                pnlSector[sector] += pnl
                if models == 1 {
                    soleModel += pnl * out.modelShare[a]
                } else {
                    for j in 0..<models { pnlModel[j] += pnl * out.modelShare[a * models + j] }
                }
                if recording { record(session: i, asset: a, pnl: pnl, value: value, models: models) }
                guard s != 0 else { continue }
                held[kept] = a32
                kept += 1
                if value > 0 { lg += value } else { sh += value }
                count += 1
                sectorExposure[row + sector] += e != 0 ? value / e : 0
                if let fb = factorBetas,
                    !fb.add(value, asset: a, day: d, profiles: profiles, into: exposure, at: i * nF)
                {
                    complete = false
                }
            }
            heldCount = kept
            pnlRegime.add(e - previousEquity, regime: regime)
            previousEquity = e
            peak = max(peak, e)
            equity[i] = e
            cash[i] = portfolio.cash
            drawdown[i] = peak > 0 ? e / peak - 1 : 0
            let lgShare = e != 0 ? lg / e : 0, shShare = e != 0 ? sh / e : 0
            long[i] = lgShare
            short[i] = shShare
            gross[i] = lgShare - shShare
            net[i] = lgShare + shShare
            counts[i] = count
            turnover[i] = e != 0 ? traded / e : 0
        }
        self.equity = equity.array
        self.cash = cash.array
        self.drawdown = drawdown.array
        self.gross = gross.array
        self.net = net.array
        self.long = long.array
        self.short = short.array
        self.turnover = turnover.array
        self.names = counts.array
        self.sectorExposure = sectorExposure.array
        cashInterest = interest.array
        borrowFees = borrowed.array
        factorExposure = exposure.array
        factorBetasComplete = complete
        self.pnlSector = pnlSector.array
        if models == 1 { pnlModel[0] = soleModel }
        self.pnlModel = pnlModel.array
    }

    /// One ledger row (attribution runs only).
    mutating func record(session i: Int, asset a: Int, pnl: Double, value: Double, models: Int) {
        ledger!.session.append(Int32(i))
        ledger!.asset.append(Int32(a))
        ledger!.pnl.append(pnl)
        ledger!.value.append(value)
        ledger!.borrowFee.append(borrowToday[a])
        borrowToday[a] = 0
        if models > 1 { for j in 0..<models { ledger!.modelShares.append(out.modelShare[a * models + j]) } }
    }

    /// Makes every asset active (an order named one outside the ticker universe): later sessions' corporate actions
    /// are listed again for all of them.
    mutating func widen(after d: Int) {
        let nA = panel.assetCount
        isActive = [Bool](repeating: true, count: nA)
        active = (0..<nA).map(Int32.init)
        listActions(days: (d + 1)..<max(d + 1, range.upperBound), assets: active)
    }

    /// Fills the stops due on session `d`; returns the traded value.
    mutating func runStops(day d: Int, previousEquity: Double) -> Double {
        var traded = 0.0
        for pass in 0..<2 {
            if pass == 0 {
                stops.intrabarExits(day: d, into: &stopExits)
            } else {
                stops.timeExits(day: d, into: &stopExits)
            }
            for x in stopExits {
                let before = trades.count
                // Orders waiting for the asset go first; the exit's own carried remainder (a participation limit)
                // must stay queued.
                simulator.cancel(asset: x.asset)
                traded += simulator.exit(
                    asset: x.asset, price: x.price, reason: x.reason.rawValue, day: d, equity: previousEquity,
                    portfolio: &portfolio, trades: &trades, gaps: &gaps)
                if x.bar >= 0, let ip = simulator.intraday {
                    for t in before..<trades.count {
                        trades[t].intradayBars = 1
                        trades[t].flags |= TradeRecord.intradayTouch
                        trades[t].firstBar = ip.ts[x.bar]
                        trades[t].lastBar = ip.ts[x.bar]
                    }
                }
                stops.stoppedDay[x.asset] = Int32(d)
                stops.record(trades, from: before, day: d, atOpen: false, portfolio: portfolio)
            }
        }
        return traded
    }

    func result(universe: BacktestUniverseService) -> BacktestResult {
        var bySector = profiles.sectors.indices.map { (profiles.sectors[$0], pnlSector[$0]) }
        bySector.append(("unknown", pnlSector[profiles.sectors.count]))
        bySector = bySector.filter { $0.1 != 0 || $0.0 != "unknown" }
        bySector.append(("cash", cashPnL))
        let byModel = modelNames.indices.map { (modelNames[$0], pnlModel[$0]) }
        let regimeTotals = pnlRegime.finished()
        let byRegime = regimeTotals.keys.sorted().map { (regimes.label($0), regimeTotals[$0]!) }
        var result = BacktestResult(
            dates: Array(panel.calendar.sessions[range]), equity: equity, cash: cash, drawdown: drawdown,
            gross: gross, net: net, long: long, short: short, names: names, turnover: turnover,
            sectorExposure: sectorExposure, sectors: profiles.sectors + ["unknown"],
            regimeOfDay: Array(regimes.regimeOfDay[range]), regimeLabels: regimes.labels,
            trades: trades, decisions: out.decisions, gaps: gaps, tickers: panel.tickers,
            firstSession: range.lowerBound,
            pnlBySector: bySector, pnlByModel: byModel, modelNames: modelNames, pnlByRegime: byRegime,
            totalCommission: trades.reduce(0) { $0 + $1.commission },
            totalSlippage: trades.reduce(0) { $0 + $1.slippage },
            profileVersionIDs: profiles.assetVersions.map { $0.map(\.profileVersionID) },
            universe: universe.snapshots, universeID: universe.universeID)
        result.ambiguousBars = stops.ambiguousBars
        result.daysWithoutIntraday = daysWithoutIntraday
        result.intradayWindow = config.execution.intraday.map { "\($0.model.rawValue) \($0.windowText)" }
        result.cashInterest = cashInterest
        result.borrowFees = borrowFees
        result.factorExposure = factorExposure
        result.factorNames = factorBetas?.names ?? []
        result.factorBetasComplete = factorBetasComplete
        result.ledger = ledger
        return result
    }
}
