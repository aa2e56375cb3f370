import HindsightCore

/// The calendars a user can name.
public enum CalendarKind: String, Sendable, CaseIterable, Codable {
    case weekdays
    case nyse = "NYSE"
    case data

    /// Parses a user-supplied name, case-insensitively.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "weekdays": self = .weekdays
        case "nyse", "xnys": self = .nyse
        case "data": self = .data
        default:
            throw HindsightError(
                .invalidArgument,
                "unknown calendar '\(text)'; expected one of: weekdays, NYSE, data")
        }
    }

    /// Builds the calendar over a span; `dataDates` feeds the `data` calendar.
    public func calendar(from: TradingDay, to: TradingDay, dataDates: [TradingDay] = []) throws -> TradingCalendar {
        switch self {
        case .weekdays: return .weekdays(from: from, to: to)
        case .nyse: return try .nyse(from: from, to: to)
        case .data: return .data(dataDates.filter { $0 >= from && $0 <= to })
        }
    }
}
