import HindsightCore

/// US Eastern time (America/New_York) from the federal daylight-saving rules: 1987–2006 from the first Sunday of
/// April to the last Sunday of October, from 2007 from the second Sunday of March to the first Sunday of November,
/// switching at 02:00 local. Exact for 1987–2035 (the calendar's range); no tz database needed.
public enum USEastern {
    /// Seconds from UTC at local standard time.
    public static let standardOffset: Int64 = -5 * 3600

    /// The first and last local days of daylight time in `year` (the switch days themselves).
    public static func daylightDays(year y: Int) -> (start: TradingDay, end: TradingDay) {
        if y >= 2007 {
            return (nthSunday(2, month: 3, year: y), nthSunday(1, month: 11, year: y))
        }
        let endOct = TradingDay(year: y, month: 10, day: 31)!
        return (nthSunday(1, month: 4, year: y), endOct.adding(days: -(endOct.weekday % 7)))
    }

    /// True when local wall time `secondsOfDay` on `day` is daylight time (02:00 on the start day begins it;
    /// 01:00–02:00 on the end day, which happens twice, is read as daylight time, the first pass).
    public static func isDaylight(_ day: TradingDay, secondsOfDay s: Int) -> Bool {
        let (start, end) = daylightDays(year: day.year)
        if day < start || day > end { return false }
        if day == start { return s >= 2 * 3600 }
        if day == end { return s < 2 * 3600 }
        return true
    }

    /// UTC seconds since 1970 of local wall time `secondsOfDay` on `day`.
    public static func utc(_ day: TradingDay, secondsOfDay s: Int) -> Int64 {
        let offset = standardOffset + (isDaylight(day, secondsOfDay: s) ? 3600 : 0)
        return Int64(day.daysSinceEpoch) * 86_400 + Int64(s) - offset
    }

    /// The local day and seconds of day of a UTC instant.
    public static func local(utc t: Int64) -> (day: TradingDay, secondsOfDay: Int) {
        let standard = TradingDay(daysSinceEpoch: Int32(floorDiv(t + standardOffset, 86_400)))
        let (from, to) = daylightSpan(year: standard.year)
        let l = t + standardOffset + (t >= from && t < to ? 3600 : 0)
        let day = TradingDay(daysSinceEpoch: Int32(floorDiv(l, 86_400)))
        return (day, Int(l - Int64(day.daysSinceEpoch) * 86_400))
    }

    /// Daylight time in UTC seconds, [from, to): 02:00 EST on the start day to 02:00 EDT on the end day.
    static func daylightSpan(year y: Int) -> (Int64, Int64) {
        if spans.indices.contains(y - 1970) { return spans[y - 1970] }
        let (start, end) = daylightDays(year: y)
        return (Int64(start.daysSinceEpoch) * 86_400 + 7 * 3600, Int64(end.daysSinceEpoch) * 86_400 + 6 * 3600)
    }

    /// 1970–2100 precomputed: imports convert a timestamp per bar.
    static let spans: [(Int64, Int64)] = (1970...2100).map { y in
        let (start, end) = daylightDays(year: y)
        return (Int64(start.daysSinceEpoch) * 86_400 + 7 * 3600, Int64(end.daysSinceEpoch) * 86_400 + 6 * 3600)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func nthSunday(_ n: Int, month: Int, year: Int) -> TradingDay {
        let first = TradingDay(year: year, month: month, day: 1)!
        // weekday: 1 = Monday … 7 = Sunday.
        return first.adding(days: (7 - first.weekday) % 7 + 7 * (n - 1))
    }
}
