import Engine
import HindsightCore

/// Where the trading came from: every fill's traded value (|shares × price|) in exactly one component, so the
/// components add up to the traded value of `backtest_trades`.
/// - `stop`: exits the stop book made; `corporate_action`: dividends reinvested;
/// - `universe_change`: exits of names that left the universe, and first entries into names that were not in the
///   previous universe snapshot;
/// - of a decision's trade, the part its change of target weight asks for (|new target − previous target| × the
///   equity the decision saw at its close, before that close's fills; at most the trade) is `signal` and
///   `risk_limit`, in proportion to the change of the unlimited target (before the risk layer's caps and scalings)
///   and the change of what the limits took off it;
/// - `rebalance_drift`: the rest of it (back to an unchanged target after prices moved).
/// Periods: `total`, each year, each month; `turnover` is the traded value over the period's mean equity.
public struct RunTurnover: Sendable {
    public static let components = [
        "signal", "rebalance_drift", "universe_change", "corporate_action", "stop", "risk_limit",
    ]
    public var rows: [TurnoverRow]

    /// `periods` defaults to `RunAttribution.periods` (total, years, months).
    public init(result r: BacktestResult, periods: [(name: String, sessions: Range<Int>)]? = nil) {
        let n = r.dates.count, first = r.firstSession
        var traded = TradedByDay(sessions: n)
        // The target each decision replaced (the asset's previous decision, else 0).
        var previousTarget = [Double](repeating: 0, count: r.decisions.count), previousUnlimited = previousTarget
        var lastTarget = [Double](repeating: 0, count: r.tickers.count), lastUnlimited = lastTarget
        for (k, x) in r.decisions.enumerated() {
            let a = Int(x.asset)
            previousTarget[k] = lastTarget[a]
            previousUnlimited[k] = lastUnlimited[a]
            lastTarget[a] = x.targetWeight
            lastUnlimited[a] = x.unlimitedWeight
        }
        // Universe membership: the snapshot in force before each session, to tell a new name from a signal.
        let snapshots = r.universe.sorted { $0.asOf < $1.asOf }
        let members = snapshots.map { Set($0.members.map(\.ticker)) }
        func newToUniverse(_ ticker: String, day: TradingDay) -> Bool {
            guard let j = snapshots.lastIndex(where: { $0.asOf <= day }), j > 0 else { return false }
            return members[j].contains(ticker) && !members[j - 1].contains(ticker)
        }
        for t in r.trades where t.quantity != 0 {
            let i = Int(t.day) - first
            guard i >= 0, i < n else { continue }
            let value = abs(t.quantity * t.price)
            if t.flags & TradeRecord.dividendReinvestment != 0 {
                traded.add(value, day: i, component: .corporateAction)
            } else if t.reason != 0 {
                traded.add(value, day: i, component: .stop)
            } else if t.decision < 0 {
                traded.add(value, day: i, component: .universeChange)
            } else {
                let k = Int(t.decision), x = r.decisions[k]
                let day = r.dates[max(0, min(n - 1, Int(x.day) - first))]
                if previousTarget[k] == 0, newToUniverse(r.tickers[Int(t.asset)], day: day) {
                    traded.add(value, day: i, component: .universeChange)
                    continue
                }
                let d = Int(x.day) - first
                // The equity the decision saw (before its close's fills), else the close's.
                let equity = x.equity.isFinite ? x.equity : d >= 0 && d < n ? r.equity[d] : (r.equity.first ?? 0)
                let asked = min(value, abs(x.targetWeight - previousTarget[k]) * abs(equity))
                let signal = abs(x.unlimitedWeight - previousUnlimited[k])
                let limit = abs((x.targetWeight - x.unlimitedWeight) - (previousTarget[k] - previousUnlimited[k]))
                let limited = limit == 0 ? 0 : asked * limit / (signal + limit)
                traded.add(asked - limited, day: i, component: .signal)
                traded.add(limited, day: i, component: .riskLimit)
                traded.add(value - asked, day: i, component: .rebalanceDrift)
            }
        }
        var out: [TurnoverRow] = []
        for (period, range) in periods ?? RunAttribution.periods(r.dates) where !range.isEmpty {
            let meanEquity = range.reduce(0.0) { $0 + r.equity[$1] } / Double(range.count)
            let sums = traded.sums(over: range)
            for (c, name) in RunTurnover.components.enumerated() {
                let v = sums[c]
                out.append(
                    TurnoverRow(
                        period: period, component: name, tradedValue: v,
                        turnover: meanEquity != 0 ? v / meanEquity : .nan))
            }
        }
        rows = out
    }
}

/// Each component's traded value by session, kept only for the sessions that traded while the trades come in day
/// order (a dense session × component table was 5 % of a 100,000-point SMA sweep's CPU); dense otherwise. Sums
/// add the sessions in order from 0, so both forms give the dense table's sums bit for bit (the sessions left out
/// hold +0).
struct TradedByDay {
    enum Component: Int { case signal, rebalanceDrift, universeChange, corporateAction, stop, riskLimit }
    static let width = 6
    let sessions: Int
    private var days: [Int] = []
    private var values: [Double] = []
    private var dense: [Double]?

    init(sessions: Int) { self.sessions = sessions }

    mutating func add(_ v: Double, day i: Int, component: Component) {
        let c = component.rawValue, w = TradedByDay.width
        if dense == nil {
            if let last = days.last, last == i {
                values[values.count - w + c] += v
                return
            }
            if days.last.map({ $0 < i }) ?? true {
                days.append(i)
                values.append(contentsOf: repeatElement(0, count: w))
                values[values.count - w + c] += v
                return
            }
            var d = [Double](repeating: 0, count: sessions * w)
            for (k, day) in days.enumerated() { for j in 0..<w { d[day * w + j] = values[k * w + j] } }
            dense = d
        }
        dense![i * w + c] += v
    }

    /// Each component's traded value over `range`, in `RunTurnover.components` order.
    func sums(over range: Range<Int>) -> [Double] {
        let w = TradedByDay.width
        var s = [Double](repeating: 0, count: w)
        if let d = dense {
            for c in 0..<w { s[c] = range.reduce(0.0) { $0 + d[$1 * w + c] } }
        } else {
            for (k, day) in days.enumerated() where range.contains(day) {
                for c in 0..<w { s[c] += values[k * w + c] }
            }
        }
        return s
    }
}
