/// Instants as UTC seconds since 1970, written as ISO 8601 (`2024-01-02T14:30:00Z`).
public enum UTCTime {
    /// The session day and seconds after midnight (UTC) of instant `t`.
    public static func split(_ t: Int64) -> (day: TradingDay, secondsOfDay: Int) {
        let days = t >= 0 ? t / 86_400 : -((-t + 86_399) / 86_400)
        return (TradingDay(daysSinceEpoch: Int32(days)), Int(t - days * 86_400))
    }

    public static func iso(_ t: Int64) -> String {
        let (day, s) = split(t)
        return day.iso + "T" + clock(s) + "Z"
    }

    /// `HH:MM:SS` of seconds after midnight.
    public static func clock(_ s: Int) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return two(s / 3600) + ":" + two(s / 60 % 60) + ":" + two(s % 60)
    }
}
