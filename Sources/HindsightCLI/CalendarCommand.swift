import ArgumentParser
import HindsightCore
import TimeMachine

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Trading calendars.", subcommands: [Days.self, Sessions.self])

    struct Days: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the sessions in a date range, one ISO date per line.")
        @Option(help: "weekdays or NYSE (1990-2035).") var calendar: String = "NYSE"
        @Option(help: "First date, YYYY-MM-DD.") var from: String
        @Option(help: "Last date, YYYY-MM-DD.") var to: String

        func run() async throws {
            try await CLI.run {
                let kind = try CalendarKind(parsing: calendar)
                guard kind != .data else {
                    throw HindsightError(
                        .invalidArgument,
                        "the 'data' calendar is the dates present in a database's prices; it has no rules to print",
                        cause: "use --calendar weekdays or NYSE")
                }
                let lo = try CLI.day(from, option: "--from"), hi = try CLI.day(to, option: "--to")
                guard lo <= hi else {
                    throw HindsightError(.invalidArgument, "--from \(from) is after --to \(to)", cause: "swap them")
                }
                let cal = try kind.calendar(from: lo, to: hi)
                var out = ""
                out.reserveCapacity(cal.count * 11)
                for d in cal.sessions {
                    out += d.iso
                    out += "\n"
                }
                print(out, terminator: "")
            }
        }
    }

    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each session's open and close in UTC (date,open_utc,close_utc), early closes included.")
        @Option(help: "NYSE (1990-2035; the only calendar with session hours).") var calendar: String = "NYSE"
        @Option(help: "First date, YYYY-MM-DD.") var from: String
        @Option(help: "Last date, YYYY-MM-DD.") var to: String
        @Flag(help: "CSV with a header row (default: aligned columns).") var csv = false

        func run() async throws {
            try await CLI.run {
                let kind = try CalendarKind(parsing: calendar)
                guard kind == .nyse else {
                    throw HindsightError(
                        .invalidArgument, "the '\(kind.rawValue)' calendar has no session hours",
                        cause: "use --calendar NYSE")
                }
                let lo = try CLI.day(from, option: "--from"), hi = try CLI.day(to, option: "--to")
                guard lo <= hi else {
                    throw HindsightError(.invalidArgument, "--from \(from) is after --to \(to)", cause: "swap them")
                }
                let cal = try kind.calendar(from: lo, to: hi)
                var out = csv ? "date,open_utc,close_utc\n" : "date        open_utc              close_utc\n"
                out.reserveCapacity(cal.count * 52)
                for d in cal.sessions {
                    let h = NYSESessionTimes.hours(d)
                    out += d.iso
                    out += csv ? "," : "  "
                    out += UTCTime.iso(h.open)
                    out += csv ? "," : "  "
                    out += UTCTime.iso(h.close)
                    out += "\n"
                }
                print(out, terminator: "")
            }
        }
    }
}
