import HindsightCore
import TimeMachine

extension RunConfig.Schedule {
    /// Whether session `day` is a rebalance session for a run starting at session `start`:
    /// the first session always is; then every session (daily), the first session of each ISO week (weekly)
    /// or calendar month (monthly), or every N sessions counted from the start.
    public func isScheduled(day: Int, start: Int, calendar: TradingCalendar) -> Bool {
        if day == start { return true }
        guard day > start else { return false }
        switch self {
        case .daily: return true
        case .everySessions(let n): return (day - start) % n == 0
        case .weekly:
            // 1970-01-01 was a Thursday: shifting by 3 makes weeks start on Monday.
            let w = { (d: Int) in (Int(calendar.day(at: d).daysSinceEpoch) + 3).floorDiv(7) }
            return w(day) != w(day - 1)
        case .monthly:
            let a = calendar.day(at: day).components, b = calendar.day(at: day - 1).components
            return a.month != b.month || a.year != b.year
        }
    }
}

extension Int {
    func floorDiv(_ d: Int) -> Int { self >= 0 ? self / d : -((-self + d - 1) / d) }
}
