import HindsightCore

/// A compounded return over a calendar period ("2020-03" or "2020").
public struct PeriodReturn: Sendable, Equatable {
    public var period: String
    public var value: Double
}

extension Metrics {
    public enum Period: Sendable { case month, year }

    /// Compounds returns within each calendar month or year (empyrical `aggregate_returns`), in date order.
    public static func periodReturns(_ r: [Double], dates: [TradingDay], by period: Period) -> [PeriodReturn] {
        guard r.count == dates.count, !r.isEmpty else { return [] }
        var out: [PeriodReturn] = []
        var key = -1, growth = 1.0
        for (i, d) in dates.enumerated() {
            let (y, m, _) = d.components
            let k = period == .month ? y * 100 + m : y
            if k != key {
                if key >= 0 { out.append(PeriodReturn(period: label(key, period), value: growth - 1)) }
                key = k
                growth = 1
            }
            growth *= 1 + r[i]
        }
        out.append(PeriodReturn(period: label(key, period), value: growth - 1))
        return out
    }

    private static func label(_ k: Int, _ p: Period) -> String {
        p == .year ? String(k) : String(k / 100) + (k % 100 < 10 ? "-0" : "-") + String(k % 100)
    }
}
