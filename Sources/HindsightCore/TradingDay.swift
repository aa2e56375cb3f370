/// A civil date stored as days since 1970-01-01 (proleptic Gregorian), so hot paths never touch `Date`.
public struct TradingDay: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// Builds a day from year, month (1...12) and day (1...31); nil when the date does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= TradingDay.daysIn(month: month, year: year) else { return nil }
        self.daysSinceEpoch = Int32(TradingDay.daysFromCivil(year: year, month: month, day: day))
    }

    /// Parses `YYYY-MM-DD` (also accepts `YYYYMMDD`).
    public init?(iso text: some StringProtocol) {
        var bytes = Array(text.utf8)
        if let day = bytes.withUnsafeMutableBufferPointer({ TradingDay(isoBytes: UnsafeBufferPointer($0)) }) {
            self = day
        } else {
            return nil
        }
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD` from raw bytes.
    @inlinable
    public init?(isoBytes b: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func digit(_ i: Int) -> Int? {
            let v = Int(b[i]) &- 48
            return (0...9).contains(v) ? v : nil
        }
        let y, m, d: Int
        if b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") {
            guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
                let m0 = digit(5), let m1 = digit(6), let d0 = digit(8), let d1 = digit(9)
            else { return nil }
            y = y0 * 1000 + y1 * 100 + y2 * 10 + y3
            m = m0 * 10 + m1
            d = d0 * 10 + d1
        } else if b.count == 8 {
            guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
                let m0 = digit(4), let m1 = digit(5), let d0 = digit(6), let d1 = digit(7)
            else { return nil }
            y = y0 * 1000 + y1 * 100 + y2 * 10 + y3
            m = m0 * 10 + m1
            d = d0 * 10 + d1
        } else {
            return nil
        }
        self.init(year: y, month: m, day: d)
    }

    public static func < (lhs: TradingDay, rhs: TradingDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// Year, month and day of this date.
    public var components: (year: Int, month: Int, day: Int) { TradingDay.civil(fromDays: Int(daysSinceEpoch)) }
    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var weekday: Int {
        let z = Int(daysSinceEpoch)
        // 1970-01-01 was a Thursday (4).
        let w = (z % 7 + 7 + 3) % 7
        return w + 1
    }

    public var isWeekend: Bool { weekday >= 6 }

    public func adding(days: Int) -> TradingDay { TradingDay(daysSinceEpoch: daysSinceEpoch + Int32(days)) }

    /// The same day of the month `months` later (clamped to the month's last day: Jan 31 + 1 month = Feb 28/29).
    public func adding(months: Int) -> TradingDay {
        let c = components
        let total = c.year * 12 + (c.month - 1) + months
        let y = total / 12, m = total % 12 + 1
        return TradingDay(year: y, month: m, day: min(c.day, TradingDay.daysIn(month: m, year: y)))!
    }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = components
        var s = String(y)
        while s.count < 4 { s = "0" + s }
        return s + (m < 10 ? "-0" : "-") + String(m) + (d < 10 ? "-0" : "-") + String(d)
    }

    public var description: String { iso }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = TradingDay(iso: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a date YYYY-MM-DD, got '\(s)'")
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    @usableFromInline
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
