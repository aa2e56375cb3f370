import Engine
import HindsightCore
import Services

extension RunAttribution {
    /// The ledger's rows booked into each dimension's `Daily`. A struct with a mutating method, not a closure over
    /// local variables: the closure paid a dynamic exclusivity check on every captured access (measured: a stored
    /// point's attribution cost about four times its run).
    struct Booking {
        let r: BacktestResult
        let profiles: BacktestProfileService
        let ledger: PositionLedger
        let n: Int, nA: Int, nS: Int, first: Int
        let models: [String]
        /// Costs per (session, asset) from the trades, and which of them the ledger had a row for.
        var commission: [Int: Double] = [:], slippage: [Int: Double] = [:]
        var seen = Set<Int>()
        var ticker: Daily, sector: Daily, model: Daily, regime: Daily, side: Daily, costs: Daily
        let commissionKey: Int, slippageKey: Int, borrowKey: Int
        var previousValue: [Double], previousSession: [Int]
        var sectorBook: SectorBook
        var tickerIDs: KeyCache, sectorIDs: KeyCache, modelIDs: KeyCache, sideIDs = KeyCache(count: 2)
        var regimeIDs: [Int: Int] = [:]
        var joinedModel = -1

        init(
            result r: BacktestResult, config: RunConfig, profiles: BacktestProfileService, ledger: PositionLedger,
            index: PeriodIndex
        ) {
            self.r = r
            self.profiles = profiles
            self.ledger = ledger
            n = r.dates.count
            nA = r.tickers.count
            nS = profiles.sectors.count + 1
            first = r.firstSession
            models = r.modelNames.isEmpty ? [config.strategyKind] : r.modelNames
            for t in r.trades {
                let key = (Int(t.day) - first) * nA + Int(t.asset)
                commission[key, default: 0] += t.commission
                slippage[key, default: 0] += t.slippage
            }
            ticker = Daily(index: index)
            sector = Daily(index: index)
            model = Daily(index: index)
            regime = Daily(index: index)
            side = Daily(index: index)
            costs = Daily(index: index)
            commissionKey = costs.key("commission")
            slippageKey = costs.key("slippage")
            borrowKey = costs.key("borrow_fee")
            previousValue = [Double](repeating: 0, count: nA)
            previousSession = [Int](repeating: -2, count: nA)
            sectorBook = SectorBook(n: n, sectors: nS)
            tickerIDs = KeyCache(count: nA)
            sectorIDs = KeyCache(count: nS)
            modelIDs = KeyCache(count: ledger.models)
        }

        /// One (session, asset) booking: its gross P&L (P&L plus its costs) in every dimension, its costs apart.
        mutating func book(i: Int, a: Int, pnl: Double, value: Double, borrow: Double, row: Int?) {
            var c = 0.0, s = 0.0
            if !commission.isEmpty {
                let key = i * nA + a
                if let x = commission[key] {
                    c = x
                    s = slippage[key] ?? 0
                    seen.insert(key)
                }
            }
            let g = pnl + c + s + borrow
            costs.add(commissionKey, i, pnl: -c)
            costs.add(slippageKey, i, pnl: -s)
            costs.add(borrowKey, i, pnl: -borrow)
            let d = first + i
            let tickers = r.tickers
            ticker.add(tickerIDs.id(a, in: &ticker) { tickers[a] }, i, pnl: g, value: value)
            let sectorIndex = profiles.sectorIndex(asset: a, day: d)
            let profiles = profiles
            sector.add(
                sectorIDs.id(sectorIndex, in: &sector) { profiles.sectorName(sectorIndex) }, i, pnl: g, value: value)
            // The run's own regime of the session (the result carries what the engine saw).
            let regimeIndex = Int(r.regimeOfDay[i])
            let regimeID: Int
            if let k = regimeIDs[regimeIndex] {
                regimeID = k
            } else {
                regimeID = regime.key(r.regimeLabels[regimeIndex] ?? "regime-\(regimeIndex)")
                regimeIDs[regimeIndex] = regimeID
            }
            regime.add(regimeID, i, pnl: g, value: value)
            let m = ledger.models
            if let row, m > 1 {
                let names = models
                for j in 0..<m {
                    let w = ledger.modelShares[row * m + j]
                    let k = modelIDs.id(j, in: &model) { names[min(j, names.count - 1)] }
                    model.add(k, i, pnl: g * w, value: value * w)
                }
            } else {
                if joinedModel < 0 { joinedModel = model.key(models.joined(separator: "+")) }
                model.add(joinedModel, i, pnl: g, value: value)
            }
            let heldBefore = previousSession[a] == i - 1 && previousValue[a] != 0
            if row == nil {
                // A cost-only booking has no gross P&L (and no place in the session order).
            } else if heldBefore {
                sectorBook.held[i * nS + sectorIndex] += previousValue[a]
                sectorBook.gross[i * nS + sectorIndex] += g
            } else {
                sectorBook.trading[i] += g
            }
            let held = heldBefore ? previousValue[a] : value
            let short = held < 0
            side.add(sideIDs.id(short ? 1 : 0, in: &side) { short ? "short" : "long" }, i, pnl: g, value: value)
            previousValue[a] = value
            previousSession[a] = i
        }

        /// Costs on a (session, asset) the ledger has no row for (a trade whose P&L netted to exactly zero).
        mutating func bookUnseenCosts() {
            for key in commission.keys.sorted() where !seen.contains(key) {
                book(
                    i: key / nA, a: key % nA, pnl: -(commission[key] ?? 0) - (slippage[key] ?? 0), value: 0, borrow: 0,
                    row: nil)
            }
        }
    }
}
