import HindsightCore

/// NYSE session hours 1990–2035: 09:30–16:00 New York time, with the early closes exchange-calendars lists
/// (13:00 on the day after Thanksgiving, Christmas Eve and July 3 or 5; 14:00 before 1993; three one-off days).
public enum NYSESessionTimes {
    public static let regularOpen = 9 * 3600 + 30 * 60
    public static let regularClose = 16 * 3600

    /// One session's open and close, UTC seconds since 1970.
    public struct Hours: Sendable, Equatable {
        public var open: Int64
        public var close: Int64
        public init(open: Int64, close: Int64) {
            self.open = open
            self.close = close
        }
    }

    /// Early closes that follow no rule.
    static let oneOffCloses: [TradingDay: Int] = [
        TradingDay(iso: "1997-12-26")!: 13 * 3600, TradingDay(iso: "1999-12-31")!: 13 * 3600,
        TradingDay(iso: "2003-12-26")!: 13 * 3600,
    ]

    /// Local close, seconds after midnight New York time, of session `day` (the caller knows it is a session).
    public static func localClose(_ day: TradingDay) -> Int {
        if let c = oneOffCloses[day] { return c }
        let (y, m, d) = day.components
        let w = day.weekday
        let early = y < 1993 ? 14 * 3600 : 13 * 3600
        // The day after Thanksgiving (the fourth Thursday of November), from 1992.
        if m == 11, w == 5, y >= 1992, (23...29).contains(d) { return early }
        // Christmas Eve on Monday–Thursday (a Friday Christmas Eve is the observed holiday); none 1993–1995.
        if m == 12, d == 24, w <= 4, y <= 1992 || y >= 1996 { return early }
        if m == 7, y >= 1995 {
            // July 3 on Monday–Thursday; until 2012 a Thursday Independence Day closed early the day after instead.
            if d == 3, w <= 4, !(w == 3 && y < 2013) { return early }
            if d == 5, w == 5, y < 2013 { return early }
        }
        return regularClose
    }

    /// The hours of session `day`, in UTC.
    public static func hours(_ day: TradingDay) -> Hours {
        let close = localClose(day)
        return Hours(
            open: USEastern.utc(day, secondsOfDay: regularOpen), close: USEastern.utc(day, secondsOfDay: close))
    }
}
