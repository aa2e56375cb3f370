import ArgumentParser

@main
struct Hindsight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hindsight",
        abstract: "Parameter-sweep backtesting: market data, calendars, backtests, sweeps and reports.",
        subcommands: [DataCommand.self, CalendarCommand.self, AnalyticsCommand.self, BacktestCommand.self, SweepCommand.self]
    )
}
