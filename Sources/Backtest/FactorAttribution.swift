import Analytics
import Engine
import HindsightCore

/// The factor split of a run's gross P&L (price moves and dividends: P&L before costs, borrow fees and cash
/// interest), one owner for the `factor` rows of `backtest_attribution` and the totals in `metrics_json`, so the
/// two agree bit for bit. Holdings-based when every held asset's profile carries betas (the engine's
/// `factorExposure`: each session's factor P&L is the previous close's Σ value × beta times the factor's return);
/// otherwise returns-based (each session's exposures are the OLS betas, with an intercept, of the gross daily return
/// on the factors over the previous `window` sessions; none before `minimum` of them). The `residual` is the
/// selection return. The risk-free series (`rf`) is not a factor; what it earns is in the residual.
public struct FactorAttribution: Sendable {
    public static let window = 126
    public static let minimum = 42

    /// The data's factors, sorted: every series but the risk-free rate (`rf`, any case).
    public static func names(_ factors: [String: [Double]]) -> [String] {
        factors.keys.sorted().filter { $0.lowercased() != "rf" }
    }

    public let names: [String]
    /// `holdings` or `returns`.
    public let method: String
    /// Per session and factor (session-major): the factor's P&L, and the exposure (currency) it came from.
    public let pnl: [Double]
    public let exposure: [Double]
    /// Per session: gross P&L less the factors' part.
    public let residual: [Double]

    /// Nil when the data has no factor series besides `rf`.
    public init?(result r: BacktestResult, initialCash: Double, factors: [String: [Double]]) {
        let names = FactorAttribution.names(factors)
        guard !names.isEmpty else { return nil }
        let n = r.dates.count, k = names.count, first = r.firstSession
        let gross = FactorAttribution.grossPnL(r, initialCash: initialCash)
        var equityBefore = [Double](repeating: initialCash, count: n)
        for i in 1..<max(n, 1) { equityBefore[i] = r.equity[i - 1] }
        let series = names.map { factors[$0]! }
        var pnl = [Double](repeating: 0, count: n * k), exposure = pnl, residual = gross
        let holdings = r.factorNames == names && r.factorBetasComplete && r.factorExposure.count == n * k
        if holdings {
            exposure = r.factorExposure
            for i in 1..<max(n, 1) {
                for f in 0..<k {
                    let fr = series[f][first + i]
                    let c = fr.isFinite ? exposure[(i - 1) * k + f] * fr : 0
                    pnl[i * k + f] = c
                    residual[i] -= c
                }
            }
        } else {
            let beta = FactorAttribution.rollingExposures(
                gross: gross, equityBefore: equityBefore, factors: series.map { Array($0[first..<(first + n)]) })
            for i in 0..<n {
                for f in 0..<k {
                    let fr = series[f][first + i]
                    let c = fr.isFinite ? beta[i][f] * fr * equityBefore[i] : 0
                    pnl[i * k + f] = c
                    exposure[i * k + f] = beta[i][f] * equityBefore[i]
                    residual[i] -= c
                }
            }
        }
        self.names = names
        method = holdings ? "holdings" : "returns"
        self.pnl = pnl
        self.exposure = exposure
        self.residual = residual
    }

    /// Each session's P&L before commission, slippage and borrow fees and without cash interest.
    public static func grossPnL(_ r: BacktestResult, initialCash: Double) -> [Double] {
        let n = r.dates.count
        var g = [Double](repeating: 0, count: n)
        var previous = initialCash
        for i in 0..<n {
            g[i] = r.equity[i] - previous
            previous = r.equity[i]
            if !r.cashInterest.isEmpty { g[i] -= r.cashInterest[i] }
            if !r.borrowFees.isEmpty { g[i] += r.borrowFees[i] }
        }
        for t in r.trades {
            let i = Int(t.day) - r.firstSession
            if i >= 0, i < n { g[i] += t.commission + t.slippage }
        }
        return g
    }

    /// The `metrics_json` entries: `factor_attribution` (the method, each factor's and the residual's P&L over the
    /// run) and `factor_exposures` (each factor's mean exposure as a share of equity at the closes).
    public func storedPairs(equity: [Double]) -> [(String, String)] {
        let k = names.count, n = equity.count
        var total = [Double](repeating: 0, count: k), mean = total
        for i in 0..<n {
            for f in 0..<k {
                total[f] += pnl[i * k + f]
                mean[f] += equity[i] != 0 ? exposure[i * k + f] / equity[i] : 0
            }
        }
        let residualTotal = residual.reduce(0, +)
        var attribution = [("method", JSONText.quote(method))]
        attribution += names.indices.map { (names[$0], JSONText.number(total[$0])) }
        attribution.append(("residual", JSONText.number(residualTotal)))
        let exposures = names.indices.map { (names[$0], JSONText.number(n > 0 ? mean[$0] / Double(n) : .nan)) }
        return [("factor_attribution", JSONText.object(attribution)), ("factor_exposures", JSONText.object(exposures))]
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
    /// factors over sessions [i − window, i), zero before `minimum` usable sessions.
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
            if i - 1 - window >= 0 { update(i - 1 - window, -1) }
            guard used >= minimum, let b = solve(xtx, xty, m) else { continue }
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
