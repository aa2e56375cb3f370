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

    /// Each session's periods (its year's and month's positions in `periods`) and the equity at its close.
    struct PeriodIndex {
        let periods: [(name: String, sessions: Range<Int>)]
        let yearOf: [Int], monthOf: [Int]
        let equity: [Double]
        init(dates: [TradingDay], equity: [Double]) {
            periods = RunAttribution.periods(dates)
            var y = [Int](repeating: 0, count: dates.count), m = y
            for (j, p) in periods.enumerated() where j > 0 {
                for i in p.sessions {
                    if p.name.count == 4 { y[i] = j } else { m[i] = j }
                }
            }
            yearOf = y
            monthOf = m
            self.equity = equity
        }
    }

    /// One dimension's keys, each with its P&L and summed share of equity per period (total, its year, its month)
    /// booked as the sessions come: per-session arrays for every key cost more in page faults than the sums.
    /// Keys are numbered as they first appear and the hot loop books by number (string-keyed dictionaries made
    /// a stored point cost 14 sweep points).
    struct Daily {
        let index: PeriodIndex
        let nP: Int
        private(set) var names: [String] = []
        private var numbers: [String: Int] = [:]
        /// Key-major, `nP` per key.
        var pnl: [Double] = []
        var share: [Double] = []
        init(index: PeriodIndex) {
            self.index = index
            nP = index.periods.count
        }

        mutating func key(_ name: String) -> Int {
            if let k = numbers[name] { return k }
            numbers[name] = names.count
            names.append(name)
            pnl += repeatElement(0, count: nP)
            share += repeatElement(0, count: nP)
            return names.count - 1
        }

        /// Session i's P&L and held value (a share of its close's equity) for key k.
        @inline(__always) mutating func add(_ k: Int, _ i: Int, pnl p: Double, value v: Double = 0) {
            let e = index.equity[i]
            add(k, i, pnl: p, share: v != 0 && e != 0 ? v / e : 0)
        }

        @inline(__always) mutating func add(_ k: Int, _ i: Int, pnl p: Double, share w: Double) {
            let o = k * nP, y = o + index.yearOf[i], m = o + index.monthOf[i]
            pnl[o] += p
            pnl[y] += p
            pnl[m] += p
            if w != 0 {
                share[o] += w
                share[y] += w
                share[m] += w
            }
        }

        /// A key's number, when it has one.
        func number(_ name: String) -> Int? { numbers[name] }
    }

    /// Key numbers made on first use: `ids[j]` for the j-th item (an asset, a sector, a regime...).
    struct KeyCache {
        var ids: [Int]
        init(count: Int) { ids = [Int](repeating: -1, count: count) }
        @inline(__always) mutating func id(_ j: Int, in d: inout Daily, name: () -> String) -> Int {
            if ids[j] < 0 { ids[j] = d.key(name()) }
            return ids[j]
        }
    }

    public init(result r: BacktestResult, config: RunConfig, inputs: MarketInputs) {
        guard let ledger = r.ledger else {
            rows = []
            return
        }
        let n = r.dates.count
        let profiles = inputs.profiles
        let dims = ["ticker", "sector", "decision_model", "regime", "long_short"]
        let index = PeriodIndex(dates: r.dates, equity: r.equity)
        var booking = Booking(result: r, config: config, profiles: profiles, ledger: ledger, index: index)
        for row in 0..<ledger.count {
            booking.book(
                i: Int(ledger.session[row]), a: Int(ledger.asset[row]), pnl: ledger.pnl[row], value: ledger.value[row],
                borrow: ledger.borrowFee[row], row: row)
        }
        booking.bookUnseenCosts()
        var costs = booking.costs
        let sectorBook = booking.sectorBook
        var daily = [
            "ticker": booking.ticker, "sector": booking.sector, "decision_model": booking.model,
            "regime": booking.regime, "long_short": booking.side,
        ]
        let interestKey = costs.key("cash_interest")
        for i in 0..<n { costs.add(interestKey, i, pnl: ledger.cashInterest[i]) }
        // Factor attribution of the gross P&L, by the owner `metrics_json`'s totals come from too.
        let factor = FactorAttribution(result: r, initialCash: config.initialCash, factors: inputs.factors)
        if let factor {
            var factorDaily = Daily(index: index)
            let k = factor.names.count
            let ids = factor.names.map { factorDaily.key($0) }, residual = factorDaily.key("residual")
            for i in 0..<n {
                for f in 0..<k {
                    factorDaily.add(ids[f], i, pnl: factor.pnl[i * k + f], value: factor.exposure[i * k + f])
                }
                factorDaily.add(residual, i, pnl: factor.residual[i])
            }
            daily["factor"] = factorDaily
        }
        let method = factor?.method
        factorMethod = method
        daily["brinson"] = RunAttribution.brinsonDaily(
            book: sectorBook, result: r, inputs: inputs, index: index)
        let periods = index.periods
        var out: [Row] = []
        for dim in dims + ["brinson"] + (method == nil ? [] : ["factor"]) {
            let d = daily[dim]!
            let keys = d.names.indices.sorted { d.names[$0] < d.names[$1] }
            let costIDs = RunAttribution.costKeys.map { costs.number($0)! }
            let nP = d.nP
            for (j, (period, range)) in periods.enumerated() {
                let base = range.lowerBound == 0 ? config.initialCash : r.equity[range.lowerBound - 1]
                let count = Double(range.count)
                for k in keys {
                    let p = d.pnl[k * nP + j]
                    out.append(
                        Row(
                            dimension: dim, key: d.names[k], period: period, pnl: p,
                            exposure: d.share[k * nP + j] / count, contribution: base != 0 ? p / base : .nan))
                }
                for (q, k) in costIDs.enumerated() {
                    let p = costs.pnl[k * nP + j]
                    out.append(
                        Row(
                            dimension: dim, key: RunAttribution.costKeys[q], period: period, pnl: p, exposure: 0,
                            contribution: base != 0 ? p / base : .nan))
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
        // Calendar components, not ISO text: formatting every session's date cost more than the sums.
        let ym = dates.map { d -> (Int, Int) in
            let c = d.components
            return (c.year, c.month)
        }
        for monthly in [false, true] {
            var start = 0
            for i in 1...n
            where i == n || ym[i].0 != ym[start].0 || (monthly && ym[i].1 != ym[start].1) {
                let iso = dates[start].iso
                out.append((String(iso.prefix(monthly ? 7 : 4)), start..<i))
                start = i
            }
        }
        return out
    }

}
