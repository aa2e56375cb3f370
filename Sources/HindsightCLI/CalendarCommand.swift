import ArgumentParser
import HindsightCore
import TimeMachine

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Trading calendars.", subcommands: [Days.self])

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
}
