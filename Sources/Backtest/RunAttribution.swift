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
/// previous close, else the side opened), and `factor`: holdings-based when the held assets' profiles carry betas
/// (`fields_json` keys `beta_<factor>`, `<factor>` a factor's name or its part before `_`: `beta_mkt` is `mkt_rf`'s),
/// else returns-based (each session's exposures by OLS, with an intercept, of the run's gross daily return on the
/// factors over the previous `factorWindow` sessions; none before `factorMinimum` of them); the `residual` is
/// the selection return. The risk-free series (`rf`) is not a factor; what it earns is in the residual. And
/// `brinson`: Brinson–Fachler allocation, selection and interaction by sector against the universe's equal-weight
/// sector weights (see `RunAttribution+Brinson.swift`).
/// Periods: `total`, each year `YYYY`, each month `YYYY-MM`. `exposure` is the key's mean share of equity at the
/// closes of the period (factor: the mean exposure; costs and interest: 0).
public struct RunAttribution: Sendable {
    public typealias Row = AttributionRow

    public static let factorWindow = 126
    public static let factorMinimum = 42
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
        // Held value per (session, asset), for holdings-based factor exposures.
        var holdings: [(i: Int, a: Int, value: Double)] = []
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
            if ledger.value[row] != 0 { holdings.append((i, a, ledger.value[row])) }
        }
        // Costs on a (session, asset) the ledger has no row for (a trade whose P&L netted to exactly zero).
        for key in Set(commission.keys).union(slippage.keys) where !seen.contains(key) {
            book(
                i: key / nA, a: key % nA, pnl: -(commission[key] ?? 0) - (slippage[key] ?? 0), value: 0, borrow: 0,
                row: nil)
        }
        for i in 0..<n { costs.add("cash_interest", i, pnl: ledger.cashInterest[i]) }
        // Factor attribution of the gross P&L.
        var factorDaily = Daily(n: n)
        var equityBefore = [Double](repeating: config.initialCash, count: n)
        for i in 1..<max(n, 1) { equityBefore[i] = r.equity[i - 1] }
        let names = inputs.factors.keys.sorted().filter { $0.lowercased() != "rf" }
        var method: String?
        if !names.isEmpty {
            let betas = RunAttribution.profileBetas(inputs: inputs, factors: names, holdings: holdings, first: first)
            if let betas {
                method = "holdings"
                // Exposure at the previous close times today's factor return.
                var exposure = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: n)
                for (h, b) in zip(holdings, betas) {
                    for f in names.indices { exposure[h.i][f] += h.value * b[f] }
                }
                for i in 0..<n {
                    var explained = 0.0
                    for (f, name) in names.enumerated() {
                        let fr = inputs.factors[name]![first + i]
                        let c = i > 0 && fr.isFinite ? exposure[i - 1][f] * fr : 0
                        explained += c
                        factorDaily.add(name, i, pnl: c, value: exposure[i][f])
                    }
                    factorDaily.add("residual", i, pnl: gross[i] - explained)
                }
            } else {
                method = "returns"
                let beta = RunAttribution.rollingExposures(
                    gross: gross, equityBefore: equityBefore,
                    factors: names.map { name in (0..<n).map { inputs.factors[name]![first + $0] } })
                for i in 0..<n {
                    var explained = 0.0
                    for (f, name) in names.enumerated() {
                        let fr = inputs.factors[name]![first + i]
                        let c = fr.isFinite ? beta[i][f] * fr * equityBefore[i] : 0
                        explained += c
                        factorDaily.add(name, i, pnl: c, value: beta[i][f] * equityBefore[i])
                    }
                    factorDaily.add("residual", i, pnl: gross[i] - explained)
                }
            }
            daily["factor"] = factorDaily
        }
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

    /// Each held (session, asset)'s betas from its profile, or nil when some held asset's profile has none.
    static func profileBetas(
        inputs: MarketInputs, factors: [String], holdings: [(i: Int, a: Int, value: Double)], first: Int
    ) -> [[Double]]? {
        guard !holdings.isEmpty else { return nil }
        let profiles = inputs.profiles
        var cache: [Int: [Double]?] = [:]
        var out: [[Double]] = []
        out.reserveCapacity(holdings.count)
        for h in holdings {
            let v = profiles.versionIndex(asset: h.a, day: first + h.i)
            guard v >= 0 else { return nil }
            let key = h.a * 1_000_000 + v
            if cache[key] == nil {
                cache[key] = betas(fieldsJSON: profiles.assetVersions[h.a][v].fieldsJSON, factors: factors)
            }
            guard let b = cache[key]! else { return nil }
            out.append(b)
        }
        return out
    }

    /// `beta_<x>` fields for each factor (`x` the factor's name or its part before `_`); nil when none is given.
    static func betas(fieldsJSON: String, factors: [String]) -> [Double]? {
        guard fieldsJSON != "{}", let o = try? JSONValue.parse(fieldsJSON) else { return nil }
        var any = false
        let b = factors.map { f -> Double in
            let short = f.split(separator: "_").first.map(String.init) ?? f
            for key in ["beta_" + f, "beta_" + short, "beta_" + f.lowercased(), "beta_" + short.lowercased()] {
                switch o[key] {
                case .number(let x)?:
                    any = true
                    return x
                case .integer(let x)?:
                    any = true
                    return Double(x)
                default: continue
                }
            }
            return 0
        }
        return any ? b : nil
    }

    /// Session i's factor exposures (in units of equity) by OLS with an intercept of the gross daily return on the
    /// factors over sessions [i − window, i), zero before `factorMinimum` usable sessions.
    static func rollingExposures(gross: [Double], equityBefore: [Double], factors: [[Double]]) -> [[Double]] {
        let n = gross.count, k = factors.count, m = k + 1
        var out = [[Double]](repeating: [Double](repeating: 0, count: k), count: n)
        var xtx = [Double](repeating: 0, count: m * m), xty = [Double](repeating: 0, count: m)
        var used = 0
        func row(_ t: Int) -> ([Double], Double)? {
            guard equityBefore[t] != 0 else { return nil }
            var x = [1.0]
            for f in 0..<k {
                guard factors[f][t].isFinite else { return nil }
                x.append(factors[f][t])
            }
            return (x, gross[t] / equityBefore[t])
        }
        func update(_ t: Int, _ sign: Double) {
            guard let (x, y) = row(t) else { return }
            for p in 0..<m {
                xty[p] += sign * x[p] * y
                for q in 0..<m { xtx[p * m + q] += sign * x[p] * x[q] }
            }
            used += sign > 0 ? 1 : -1
        }
        for i in 0..<n {
            if i > 0 { update(i - 1, 1) }
            if i - 1 - factorWindow >= 0 { update(i - 1 - factorWindow, -1) }
            guard used >= factorMinimum, let b = solve(xtx, xty, m) else { continue }
            out[i] = Array(b[1...])
        }
        return out
    }

    /// Solves the m×m system by Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a0: [Double], _ b0: [Double], _ m: Int) -> [Double]? {
        var a = a0, b = b0
        for c in 0..<m {
            var p = c
            for r in c..<m where abs(a[r * m + c]) > abs(a[p * m + c]) { p = r }
            guard abs(a[p * m + c]) > 1e-300 else { return nil }
            if p != c {
                for q in 0..<m { a.swapAt(c * m + q, p * m + q) }
                b.swapAt(c, p)
            }
            for r in (c + 1)..<m {
                let f = a[r * m + c] / a[c * m + c]
                guard f != 0 else { continue }
                for q in c..<m { a[r * m + q] -= f * a[c * m + q] }
                b[r] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for r in stride(from: m - 1, through: 0, by: -1) {
            var s = b[r]
            for q in (r + 1)..<m { s -= a[r * m + q] * x[q] }
            x[r] = s / a[r * m + r]
        }
        // A near-singular window (a factor constant over it) gives exposures of no meaning.
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
