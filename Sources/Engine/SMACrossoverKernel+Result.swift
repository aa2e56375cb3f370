import HindsightCore
import MarketData
import Services

extension SMACrossoverKernel {
    /// The whole `BacktestResult` of one kernel run, built from its fills with the engine's own arithmetic, in the
    /// engine's order, so a kernel point's stored metrics equal the full engine's bit for bit (tested), not only its
    /// equity. Valid where the kernel is: one asset with a bar every session of the panel and no corporate actions,
    /// fills at the close, no slippage, no participation limit, no cash rate, the run spanning the whole panel.
    public func result(asset a: Int, fast: Int, slow: Int, fee: Double, config: RunConfig, inputs: EngineInputs)
        -> BacktestResult
    {
        result(asset: a, model: SMACrossoverStrategy.kind, config: config, inputs: inputs) { equity, record in
            _ = run(
                fast: fast, slow: slow, fee: fee, initialCash: config.initialCash,
                wholeShares: !config.fractionalShares, equity: &equity, record: record)
        }
    }

    /// The same for entry and exit columns (a `signals` strategy on one clean ticker, all-in).
    public func result(
        asset a: Int, entry: [UInt8], exit: [UInt8], fee: Double, config: RunConfig, inputs: EngineInputs
    ) -> BacktestResult {
        result(asset: a, model: "signals", config: config, inputs: inputs) { equity, record in
            _ = run(
                entry: entry, exit: exit, fee: fee, initialCash: config.initialCash,
                wholeShares: !config.fractionalShares, equity: &equity, record: record)
        }
    }

    /// Replays the fills a kernel run reports into the engine's whole result.
    func result(
        asset a: Int, model: String, config: RunConfig, inputs: EngineInputs,
        simulate: (inout [Double], @escaping (Int, Double, Double, Double) -> Void) -> Void
    ) -> BacktestResult {
        let panel = inputs.panel, profiles = inputs.profiles, regimes = inputs.regimes
        let n = close.count
        // The kernel's `record` is an optional (so escaping) closure: the fills go to a box it shares.
        final class FillLog { var fills: [(day: Int, quantity: Double, price: Double, commission: Double)] = [] }
        let log = FillLog()
        var equity = [Double](repeating: 0, count: n)
        simulate(&equity) { d, q, p, c in log.fills.append((d, q, p, c)) }
        let fills = log.fills
        let nSectors = profiles.sectors.count + 1
        // Daily columns are `RunColumn`s (see there for why they are not arrays).
        let cash = RunColumn(count: n, repeating: 0.0), drawdown = RunColumn(count: n, repeating: 0.0)
        let gross = RunColumn(count: n, repeating: 0.0), net = RunColumn(count: n, repeating: 0.0)
        let long = RunColumn(count: n, repeating: 0.0), short = RunColumn(count: n, repeating: 0.0)
        let turnover = RunColumn(count: n, repeating: 0.0), counts = RunColumn<Int32>(count: n, repeating: 0)
        let sectorExposure = RunColumn(count: n * nSectors, repeating: 0.0)
        let pnlSector = RunColumn(count: nSectors, repeating: 0.0)
        var pnlModel = 0.0
        // The asset's sector and the session it holds until (one profile lookup per version, not per held day).
        var sector = 0, sectorUntil = Int.min
        var pnlRegime = RegimePnL()
        var trades: [TradeRecord] = []
        trades.reserveCapacity(fills.count)
        // One decision per fill (all in, or all out), as the engine's strategy records at each crossing.
        var decisions: [DecisionRecord] = []
        decisions.reserveCapacity(fills.count)
        let betas = inputs.factorBetas, nF = betas?.names.count ?? 0
        let exposure = RunColumn(count: n * nF, repeating: 0.0)
        var complete = true
        var shares = 0.0, cashNow = config.initialCash, cashFlow = 0.0, assetValue = 0.0
        var peak = config.initialCash, previousEquity = config.initialCash
        var next = 0
        equity.withUnsafeBufferPointer { equity in
            for t in 0..<n {
                let regime = Int(regimes.regimeOfDay[t])
                var traded = 0.0
                if next < fills.count, fills[next].day == t {
                    let f = fills[next]
                    next += 1
                    // The engine's equity before this close's fills (`Loop.run`, step 4).
                    let before = cashNow + (shares == 0 ? 0 : shares * close[t])
                    let cost = f.quantity * f.price
                    cashNow -= cost + f.commission
                    cashFlow -= cost + f.commission
                    shares = f.quantity > 0 ? f.quantity : 0
                    traded += abs(f.quantity) * f.price
                    decisions.append(
                        DecisionRecord(
                            day: Int32(t), asset: Int32(a), direction: f.quantity > 0 ? 1 : 0,
                            score: f.quantity > 0 ? 1 : 0, confidence: 1, targetWeight: f.quantity > 0 ? 1 : 0,
                            regime: Int32(regime), profileVersion: -1))
                    decisions[decisions.count - 1].equity = before
                    trades.append(
                        TradeRecord(
                            day: Int32(t), asset: Int32(a), quantity: f.quantity, price: f.price,
                            commission: f.commission,
                            slippage: 0, decision: Int32(decisions.count - 1), requested: f.quantity, flags: 0))
                }
                let e = equity[t]
                // The engine's daily row for one asset (see `Loop.run`, step 8).
                var lg = 0.0, sh = 0.0, count: Int32 = 0
                let value = shares == 0 ? 0 : shares * close[t]
                let total = value + cashFlow
                let pnl = total - assetValue
                if !(shares == 0 && pnl == 0) {
                    assetValue = total
                    if t >= sectorUntil { (sector, sectorUntil) = profiles.sectorSpan(asset: a, day: t) }
                    pnlSector[sector] += pnl
                    pnlModel += pnl * 1
                    if shares != 0 {
                        if value > 0 { lg += value } else { sh += value }
                        count += 1
                        sectorExposure[t * nSectors + sector] += e != 0 ? value / e : 0
                        if let betas,
                            !betas.add(value, asset: a, day: t, profiles: profiles, into: exposure, at: t * nF)
                        {
                            complete = false
                        }
                    }
                }
                pnlRegime.add(e - previousEquity, regime: regime)
                previousEquity = e
                peak = max(peak, e)
                cash[t] = cashNow
                drawdown[t] = peak > 0 ? e / peak - 1 : 0
                let lgShare = e != 0 ? lg / e : 0, shShare = e != 0 ? sh / e : 0
                long[t] = lgShare
                short[t] = shShare
                gross[t] = lgShare - shShare
                net[t] = lgShare + shShare
                counts[t] = count
                turnover[t] = e != 0 ? traded / e : 0
            }
        }
        let regimeTotals = pnlRegime.finished()
        var bySector = profiles.sectors.indices.map { (profiles.sectors[$0], pnlSector[$0]) }
        bySector.append(("unknown", pnlSector[profiles.sectors.count]))
        bySector = bySector.filter { $0.1 != 0 || $0.0 != "unknown" }
        bySector.append(("cash", 0))
        let range = 0..<n
        var result = BacktestResult(
            dates: Array(panel.calendar.sessions[range]), equity: equity, cash: cash.array,
            drawdown: drawdown.array,
            gross: gross.array, net: net.array, long: long.array, short: short.array, names: counts.array,
            turnover: turnover.array,
            sectorExposure: sectorExposure.array, sectors: profiles.sectors + ["unknown"],
            regimeOfDay: Array(regimes.regimeOfDay[range]), regimeLabels: regimes.labels,
            trades: trades, decisions: decisions, gaps: [], tickers: panel.tickers, firstSession: 0,
            pnlBySector: bySector, pnlByModel: [(model, pnlModel)],
            modelNames: [model],
            pnlByRegime: regimeTotals.keys.sorted().map { (regimes.label($0), regimeTotals[$0]!) },
            totalCommission: trades.reduce(0) { $0 + $1.commission }, totalSlippage: 0,
            profileVersionIDs: profiles.assetVersions.map { $0.map(\.profileVersionID) },
            universe: [], universeID: "")
        result.factorExposure = exposure.array
        result.factorNames = betas?.names ?? []
        result.factorBetasComplete = complete
        return result
    }
}
