import HindsightCore

/// An ordered set of trading sessions with O(1) day → index lookup inside its span.
public struct TradingCalendar: Sendable {
    public let name: String
    /// Sessions in ascending order.
    public let sessions: [TradingDay]
    /// For each calendar day from `sessions.first`, the index of the first session on or after it.
    private let ceilIndex: [Int32]
    private let isSession: [Bool]
    private let base: Int32

    /// Builds a calendar from explicit session dates (sorted and de-duplicated here).
    public init(name: String, sessions unsorted: [TradingDay]) {
        let sorted = Array(Set(unsorted)).sorted()
        self.name = name
        self.sessions = sorted
        guard let first = sorted.first, let last = sorted.last else {
            ceilIndex = []
            isSession = []
            base = 0
            return
        }
        base = first.daysSinceEpoch
        let span = Int(last.daysSinceEpoch - first.daysSinceEpoch) + 1
        var ceil = [Int32](repeating: 0, count: span)
        var flags = [Bool](repeating: false, count: span)
        var idx = 0
        for offset in 0..<span {
            let day = first.daysSinceEpoch + Int32(offset)
            while sorted[idx].daysSinceEpoch < day { idx += 1 }
            ceil[offset] = Int32(idx)
            flags[offset] = sorted[idx].daysSinceEpoch == day
        }
        ceilIndex = ceil
        isSession = flags
    }

    public var count: Int { sessions.count }
    public var first: TradingDay? { sessions.first }
    public var last: TradingDay? { sessions.last }

    /// The session at an index.
    public func day(at index: Int) -> TradingDay { sessions[index] }

    /// The index of a session, or nil when `day` is not a session of this calendar.
    public func index(of day: TradingDay) -> Int? {
        let off = Int(day.daysSinceEpoch - base)
        guard off >= 0, off < isSession.count, isSession[off] else { return nil }
        return Int(ceilIndex[off])
    }

    /// Index of the first session on or after `day` (may equal `count`).
    public func indexOnOrAfter(_ day: TradingDay) -> Int {
        let off = Int(day.daysSinceEpoch - base)
        if off < 0 { return 0 }
        if off >= ceilIndex.count { return sessions.count }
        return Int(ceilIndex[off])
    }

    public func isSession(_ day: TradingDay) -> Bool { index(of: day) != nil }

    /// The first session strictly after `day`.
    public func next(after day: TradingDay) -> TradingDay? {
        let i = indexOnOrAfter(day.adding(days: 1))
        return i < sessions.count ? sessions[i] : nil
    }

    /// The last session strictly before `day`.
    public func previous(before day: TradingDay) -> TradingDay? {
        let i = indexOnOrAfter(day) - 1
        return i >= 0 ? sessions[i] : nil
    }

    /// Sessions in the closed range.
    public func sessions(in range: ClosedRange<TradingDay>) -> ArraySlice<TradingDay> {
        sessions[indexRange(range)]
    }

    /// Index range of the sessions in the closed range.
    public func indexRange(_ range: ClosedRange<TradingDay>) -> Range<Int> {
        let lo = indexOnOrAfter(range.lowerBound)
        let hi = indexOnOrAfter(range.upperBound.adding(days: 1))
        return lo..<max(lo, hi)
    }
}

extension TradingCalendar {
    /// Monday to Friday.
    public static func weekdays(from: TradingDay, to: TradingDay) -> TradingCalendar {
        var days: [TradingDay] = []
        var d = from
        while d <= to {
            if !d.isWeekend { days.append(d) }
            d = d.adding(days: 1)
        }
        return TradingCalendar(name: "weekdays", sessions: days)
    }

    /// NYSE regular sessions (full and early-close days) from 1990 to 2035.
    public static func nyse(from: TradingDay, to: TradingDay) throws -> TradingCalendar {
        guard from.year >= NYSEHolidays.firstYear, to.year <= NYSEHolidays.lastYear else {
            throw HindsightError(
                .outOfRange,
                "the NYSE calendar covers \(NYSEHolidays.firstYear)-01-01 to \(NYSEHolidays.lastYear)-12-31; asked for \(from) to \(to)",
                cause: "use --calendar weekdays or data for dates outside that span")
        }
        var days: [TradingDay] = []
        var d = from
        while d <= to {
            if !d.isWeekend && !NYSEHolidays.isClosed(d) { days.append(d) }
            d = d.adding(days: 1)
        }
        return TradingCalendar(name: "NYSE", sessions: days)
    }

    /// Sessions are exactly the given dates (for example the dates present in the prices).
    public static func data(_ dates: [TradingDay]) -> TradingCalendar {
        TradingCalendar(name: "data", sessions: dates)
    }
}
