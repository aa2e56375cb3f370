import HindsightCore
import TimeMachine

/// How an intraday file's timestamps map to UTC: an offset written in each timestamp (`Z`, `+00:00`, `-0500`) always
/// wins; a timestamp without one is read in the `--timezone` zone, and refused when none was given.
public enum IntradayTimeZone: Sendable, Equatable {
    case offsetRequired
    case utc
    /// America/New_York with its daylight-saving rules.
    case newYork
    /// A fixed offset from UTC, in seconds.
    case fixed(Int)

    public init(parsing text: String) throws {
        switch text {
        case "UTC", "Etc/UTC", "Z", "GMT": self = .utc
        case "America/New_York", "US/Eastern", "EST5EDT": self = .newYork
        default:
            if let o = IntradayTimestamp.offset(Array(text.utf8)[...]) {
                self = .fixed(o)
                return
            }
            throw HindsightError(
                .invalidArgument, "--timezone '\(text)' is not a zone Hindsight knows",
                cause:
                    "use America/New_York, UTC or a fixed offset such as -05:00; or write the offset in each timestamp")
        }
    }
}

/// `YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|±HH[:MM]|±HHMM]` parsed to UTC seconds.
public enum IntradayTimestamp {
    public enum Problem: Error, Equatable {
        case malformed
        case noOffset
        case fractionalSeconds
    }

    /// The UTC instant of the text, or why it has none.
    public static func parse(_ b: ArraySlice<UInt8>, zone: IntradayTimeZone) -> Result<Int64, Problem> {
        let s = b.startIndex
        guard b.count >= 16 else { return .failure(.malformed) }
        let day = b.withUnsafeBufferPointer { p in TradingDay(isoBytes: UnsafeBufferPointer(rebasing: p[0..<10])) }
        guard let day, b[s + 10] == UInt8(ascii: " ") || b[s + 10] == UInt8(ascii: "T") else {
            return .failure(.malformed)
        }
        func two(_ i: Int) -> Int? {
            let x = b[s + i], y = b[s + i + 1]
            guard x >= 48, x <= 57, y >= 48, y <= 57 else { return nil }
            return Int(x - 48) * 10 + Int(y - 48)
        }
        guard let hh = two(11), b[s + 13] == UInt8(ascii: ":"), let mm = two(14), hh < 24, mm < 60 else {
            return .failure(.malformed)
        }
        var i = s + 16
        var ss = 0
        if i < b.endIndex, b[i] == UInt8(ascii: ":") {
            guard b.endIndex - i >= 3, let v = two(i - s + 1), v < 60 else { return .failure(.malformed) }
            ss = v
            i += 3
            if i < b.endIndex, b[i] == UInt8(ascii: ".") {
                i += 1
                var nonZero = false
                while i < b.endIndex, b[i] >= 48, b[i] <= 57 {
                    if b[i] != 48 { nonZero = true }
                    i += 1
                }
                if nonZero { return .failure(.fractionalSeconds) }
            }
        }
        let secondsOfDay = hh * 3600 + mm * 60 + ss
        let local = Int64(day.daysSinceEpoch) * 86_400 + Int64(secondsOfDay)
        if i < b.endIndex {
            guard let o = offset(b[i...]) else { return .failure(.malformed) }
            return .success(local - Int64(o))
        }
        switch zone {
        case .offsetRequired: return .failure(.noOffset)
        case .utc: return .success(local)
        case .fixed(let o): return .success(local - Int64(o))
        case .newYork: return .success(USEastern.utc(day, secondsOfDay: secondsOfDay))
        }
    }

    /// `Z`, `±HH`, `±HH:MM` or `±HHMM` as seconds east of UTC.
    static func offset(_ b: ArraySlice<UInt8>) -> Int? {
        let s = b.startIndex
        if b.count == 1, b[s] == UInt8(ascii: "Z") { return 0 }
        guard b.count >= 3, b[s] == UInt8(ascii: "+") || b[s] == UInt8(ascii: "-") else { return nil }
        let digits = b.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            b.count == 3 || b.count == 5 || (b.count == 6 && b[s + 3] == UInt8(ascii: ":"))
        else { return nil }
        let d = Array(digits).map { Int($0 - 48) }
        let h = d[0] * 10 + d[1], m = d.count == 4 ? d[2] * 10 + d[3] : 0
        guard h <= 14, m < 60 else { return nil }
        return (b[s] == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
    }
}
