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
        var byComponent = Dictionary(
            uniqueKeysWithValues: RunTurnover.components.map { ($0, [Double](repeating: 0, count: n)) })
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
                byComponent["corporate_action"]![i] += value
            } else if t.reason != 0 {
                byComponent["stop"]![i] += value
            } else if t.decision < 0 {
                byComponent["universe_change"]![i] += value
            } else {
                let k = Int(t.decision), x = r.decisions[k]
                let day = r.dates[max(0, min(n - 1, Int(x.day) - first))]
                if previousTarget[k] == 0, newToUniverse(r.tickers[Int(t.asset)], day: day) {
                    byComponent["universe_change"]![i] += value
                    continue
                }
                let d = Int(x.day) - first
                // The equity the decision saw (before its close's fills), else the close's.
                let equity = x.equity.isFinite ? x.equity : d >= 0 && d < n ? r.equity[d] : (r.equity.first ?? 0)
                let asked = min(value, abs(x.targetWeight - previousTarget[k]) * abs(equity))
                let signal = abs(x.unlimitedWeight - previousUnlimited[k])
                let limit = abs((x.targetWeight - x.unlimitedWeight) - (previousTarget[k] - previousUnlimited[k]))
                let limited = limit == 0 ? 0 : asked * limit / (signal + limit)
                byComponent["signal"]![i] += asked - limited
                byComponent["risk_limit"]![i] += limited
                byComponent["rebalance_drift"]![i] += value - asked
            }
        }
        var out: [TurnoverRow] = []
        for (period, range) in periods ?? RunAttribution.periods(r.dates) where !range.isEmpty {
            let meanEquity = range.reduce(0.0) { $0 + r.equity[$1] } / Double(range.count)
            for c in RunTurnover.components {
                let daily = byComponent[c]!
                let v = range.reduce(0.0) { $0 + daily[$1] }
                out.append(
                    TurnoverRow(
                        period: period, component: c, tradedValue: v, turnover: meanEquity != 0 ? v / meanEquity : .nan)
                )
            }
        }
        rows = out
    }
}
