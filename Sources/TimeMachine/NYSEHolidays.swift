import HindsightCore

/// NYSE full-day closures: regular holiday rules with weekend observance, plus special closures.
public enum NYSEHolidays {
    public static let firstYear = 1990
    public static let lastYear = 2035

    /// Unscheduled closures (national days of mourning, 9/11, Hurricane Sandy).
    public static let specialClosures: Set<TradingDay> = Set(
        [
            "1994-04-27", "2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14",
            "2004-06-11", "2007-01-02", "2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09",
        ].map { TradingDay(iso: $0)! })

    /// True when the exchange is closed on a weekday for a holiday or special closure.
    public static func isClosed(_ day: TradingDay) -> Bool {
        if specialClosures.contains(day) { return true }
        return holidays(year: day.year).contains(day)
    }

    /// The observed regular holidays of a year.
    public static func holidays(year y: Int) -> [TradingDay] {
        var out: [TradingDay] = []
        // New Year's Day: Sunday moves to Monday; Saturday is not observed.
        let ny = TradingDay(year: y, month: 1, day: 1)!
        if ny.weekday == 7 { out.append(ny.adding(days: 1)) } else if ny.weekday != 6 { out.append(ny) }
        if y >= 1998 { out.append(nthWeekday(3, weekday: 1, month: 1, year: y)) }  // MLK Day
        out.append(nthWeekday(3, weekday: 1, month: 2, year: y))  // Washington's Birthday
        out.append(easter(year: y).adding(days: -2))  // Good Friday
        out.append(lastWeekday(1, month: 5, year: y))  // Memorial Day
        if y >= 2022 { out.append(observed(TradingDay(year: y, month: 6, day: 19)!)) }  // Juneteenth
        out.append(observed(TradingDay(year: y, month: 7, day: 4)!))  // Independence Day
        out.append(nthWeekday(1, weekday: 1, month: 9, year: y))  // Labor Day
        out.append(nthWeekday(4, weekday: 4, month: 11, year: y))  // Thanksgiving
        out.append(observed(TradingDay(year: y, month: 12, day: 25)!))  // Christmas
        return out
    }

    /// Saturday → Friday before, Sunday → Monday after.
    static func observed(_ d: TradingDay) -> TradingDay {
        switch d.weekday {
        case 6: return d.adding(days: -1)
        case 7: return d.adding(days: 1)
        default: return d
        }
    }

    /// The n-th given ISO weekday (1 = Monday) of a month.
    static func nthWeekday(_ n: Int, weekday: Int, month: Int, year: Int) -> TradingDay {
        let first = TradingDay(year: year, month: month, day: 1)!
        let shift = (weekday - first.weekday + 7) % 7
        return first.adding(days: shift + 7 * (n - 1))
    }

    static func lastWeekday(_ weekday: Int, month: Int, year: Int) -> TradingDay {
        let last = TradingDay(year: year, month: month, day: TradingDay.daysIn(month: month, year: year))!
        let back = (last.weekday - weekday + 7) % 7
        return last.adding(days: -back)
    }

    /// Gregorian Easter Sunday (anonymous Gregorian algorithm).
    public static func easter(year y: Int) -> TradingDay {
        let a = y % 19, b = y / 100, c = y % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return TradingDay(year: y, month: month, day: day)!
    }
}
