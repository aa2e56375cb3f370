import Analytics
import Engine
import HindsightCore
import Services

/// Where a run's P&L came from, from the engine's own bookings (`PositionLedger`), in tables that add up: for every
/// dimension and period the keys sum to the run's P&L over the period (equity at its end less equity at its start),
/// and `contribution` (P&L over the equity at the period's start) to its return, to floating-point rounding.
///
/// Each position's P&L is split into its gross part (price moves and dividends) and its costs; costs and cash
/// interest are keys of their own in every dimension (`commission`, `slippage`, `borrow_fee`, `cash_interest`),
/// never spread over the others. Dimensions: `ticker`, `sector` (the profile in force that session),
/// `decision_model` (each assessment model's share of the position), `regime`, `long_short` (the side held at the
/// previous close, else the side opened), `factor` (each factor and the `residual`, from `FactorAttribution`, the
/// owner `metrics_json`'s factor totals come from too), and
/// `brinson`: Brinson–Fachler allocation, selection and interaction by sector against the universe's equal-weight
/// sector weights (see `RunAttribution+Brinson.swift`).
/// Periods: `total`, each year `YYYY`, each month `YYYY-MM`. `exposure` is the key's mean share of equity at the
/// closes of the period (factor: the mean exposure; costs and interest: 0).
public struct RunAttribution: Sendable {
    public typealias Row = AttributionRow

    static let costKeys = ["commission", "slippage", "borrow_fee", "cash_interest"]

    public var rows: [Row]
    /// `holdings` or `returns` (nil when the data has no factor series).
    public var factorMethod: String?

    /// Per session: one key's P&L and end-of-session value, for one dimension.
    struct Daily {
        var pnl: [String: [Double]] = [:]
        var value: [String: [Double]] = [:]
        let n: Int
        init(n: Int) { self.n = n }
        mutating func add(_ key: String, _ i: Int, pnl p: Double, value v: Double = 0) {
            pnl[key, default: [Double](repeating: 0, count: n)][i] += p
            if v != 0 { value[key, default: [Double](repeating: 0, count: n)][i] += v }
        }
    }

    public init(result r: BacktestResult, config: RunConfig, inputs: MarketInputs) {
        guard let ledger = r.ledger else {
            rows = []
            return
        }
        let n = r.dates.count, first = r.firstSession
        let profiles = inputs.profiles
        // Costs per (session, asset) from the trades.
        var commission: [Int: Double] = [:], slippage: [Int: Double] = [:]
        let nA = r.tickers.count
        for t in r.trades {
            let key = (Int(t.day) - first) * nA + Int(t.asset)
            commission[key, default: 0] += t.commission
            slippage[key, default: 0] += t.slippage
        }
        let dims = ["ticker", "sector", "decision_model", "regime", "long_short"]
        var daily = Dictionary(uniqueKeysWithValues: dims.map { ($0, Daily(n: n)) })
        var gross = [Double](repeating: 0, count: n)
        var costs = Daily(n: n)
        var previousValue = [Double](repeating: 0, count: nA), previousSession = [Int](repeating: -2, count: nA)
        var seen = Set<Int>()
        let models = r.modelNames.isEmpty ? [config.strategyKind] : r.modelNames
        var sectorBook = SectorBook(n: n, sectors: profiles.sectors.count + 1)
        func book(i: Int, a: Int, pnl: Double, value: Double, borrow: Double, row: Int?) {
            let key = i * nA + a
            let c = commission[key] ?? 0, s = slippage[key] ?? 0
            seen.insert(key)
            let g = pnl + c + s + borrow
            gross[i] += g
            costs.add("commission", i, pnl: -c)
            costs.add("slippage", i, pnl: -s)
            costs.add("borrow_fee", i, pnl: -borrow)
            let d = first + i
            daily["ticker"]!.add(r.tickers[a], i, pnl: g, value: value)
            let sector = profiles.sectorIndex(asset: a, day: d)
            daily["sector"]!.add(profiles.sectorName(sector), i, pnl: g, value: value)
            // The run's own regime of the session (the result carries what the engine saw).
            let regime = Int(r.regimeOfDay[i])
            daily["regime"]!.add(r.regimeLabels[regime] ?? "regime-\(regime)", i, pnl: g, value: value)
            if let row, ledger.models > 1 {
                for j in 0..<ledger.models {
                    let w = ledger.modelShares[row * ledger.models + j]
                    daily["decision_model"]!.add(models[min(j, models.count - 1)], i, pnl: g * w, value: value * w)
                }
            } else {
                daily["decision_model"]!.add(models.joined(separator: "+"), i, pnl: g, value: value)
            }
            let heldBefore = previousSession[a] == i - 1 && previousValue[a] != 0
            if row == nil {
                // A cost-only booking has no gross P&L (and no place in the session order).
            } else if heldBefore {
                sectorBook.held[i * sectorBook.sectors + sector] += previousValue[a]
                sectorBook.gross[i * sectorBook.sectors + sector] += g
            } else {
                sectorBook.trading[i] += g
            }
            let held = heldBefore ? previousValue[a] : value
            let side = held < 0 ? "short" : "long"
            daily["long_short"]!.add(side, i, pnl: g)
            if value != 0 { daily["long_short"]!.value[side, default: [Double](repeating: 0, count: n)][i] += value }
            previousValue[a] = value
            previousSession[a] = i
        }
        for row in 0..<ledger.count {
            let i = Int(ledger.session[row]), a = Int(ledger.asset[row])
            book(i: i, a: a, pnl: ledger.pnl[row], value: ledger.value[row], borrow: ledger.borrowFee[row], row: row)
        }
        // Costs on a (session, asset) the ledger has no row for (a trade whose P&L netted to exactly zero).
        for key in Set(commission.keys).union(slippage.keys) where !seen.contains(key) {
            book(
                i: key / nA, a: key % nA, pnl: -(commission[key] ?? 0) - (slippage[key] ?? 0), value: 0, borrow: 0,
                row: nil)
        }
        for i in 0..<n { costs.add("cash_interest", i, pnl: ledger.cashInterest[i]) }
        var equityBefore = [Double](repeating: config.initialCash, count: n)
        for i in 1..<max(n, 1) { equityBefore[i] = r.equity[i - 1] }
        // Factor attribution of the gross P&L, by the owner `metrics_json`'s totals come from too.
        let factor = FactorAttribution(result: r, initialCash: config.initialCash, factors: inputs.factors)
        if let factor {
            var factorDaily = Daily(n: n)
            let k = factor.names.count
            for i in 0..<n {
                for (f, name) in factor.names.enumerated() {
                    factorDaily.add(name, i, pnl: factor.pnl[i * k + f], value: factor.exposure[i * k + f])
                }
                factorDaily.add("residual", i, pnl: factor.residual[i])
            }
            daily["factor"] = factorDaily
        }
        let method = factor?.method
        factorMethod = method
        daily["brinson"] = RunAttribution.brinsonDaily(
            book: sectorBook, result: r, inputs: inputs, equityBefore: equityBefore)
        let periods = RunAttribution.periods(r.dates)
        var out: [Row] = []
        for dim in dims + ["brinson"] + (method == nil ? [] : ["factor"]) {
            let d = daily[dim]!
            let keys = d.pnl.keys.sorted()
            for (period, range) in periods {
                let base = range.lowerBound == 0 ? config.initialCash : r.equity[range.lowerBound - 1]
                func row(_ key: String, _ pnl: [Double], _ value: [Double]?) {
                    var p = 0.0, e = 0.0
                    for i in range {
                        p += pnl[i]
                        if let value { e += r.equity[i] != 0 ? value[i] / r.equity[i] : 0 }
                    }
                    out.append(
                        Row(
                            dimension: dim, key: key, period: period, pnl: p, exposure: e / Double(range.count),
                            contribution: base != 0 ? p / base : .nan))
                }
                for key in keys { row(key, d.pnl[key]!, d.value[key]) }
                for key in RunAttribution.costKeys {
                    row(key, costs.pnl[key] ?? [Double](repeating: 0, count: n), nil)
                }
            }
        }
        rows = out
    }

    /// `total`, then each year (`YYYY`), then each month (`YYYY-MM`), as ranges of the run's sessions.
    public static func periods(_ dates: [TradingDay]) -> [(name: String, sessions: Range<Int>)] {
        let n = dates.count
        var out: [(name: String, sessions: Range<Int>)] = [("total", 0..<n)]
        guard n > 0 else { return out }
        for length in [4, 7] {
            var start = 0
            for i in 1...n where i == n || dates[i].iso.prefix(length) != dates[start].iso.prefix(length) {
                out.append((String(dates[start].iso.prefix(length)), start..<i))
                start = i
            }
        }
        return out
    }

}
