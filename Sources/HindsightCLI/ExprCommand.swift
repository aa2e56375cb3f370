import ArgumentParser
import Engine
import Foundation
import HindsightCore
import MarketData
import Signals
import Storage
import TimeMachine

/// `hindsight expr`: an expression's value on every bar of some tickers, to look at a signal before sweeping it.
struct ExprCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expr",
        abstract: "Evaluate a signal expression over each ticker's full history and print date,ticker,value.",
        discussion: """
            Indicators warm up on each ticker's own bars (gaps skipped). Booleans print as 0/1; a value not yet
            known (before an indicator's first valid bar) prints empty. --from/--to only limit the rows printed.
            Functions: \(SignalLibrary.names.joined(separator: ", ")).
            """)

    @Argument(help: "The expression, e.g. \"rsi(close, 14) < 30\".") var expression: String
    @Option(help: "The Hindsight database.") var db: String
    @Option(help: "Comma-separated tickers.") var tickers: String
    @Option(help: "First date printed, YYYY-MM-DD.") var from: String?
    @Option(help: "Last date printed, YYYY-MM-DD.") var to: String?
    @Option(name: .customLong("param"), help: "A parameter the expression names, as name=value (repeatable).")
    var params: [String] = []
    @Flag(help: "CSV with a header (the default output is the same CSV; kept for scripts that pass it).")
    var csv = false

    func run() async throws {
        try await CLI.run {
            var values: [String: Double] = [:]
            for p in params {
                let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, let v = Double(parts[1]), v.isFinite else {
                    throw HindsightError(
                        .invalidArgument, "--param '\(p)' is not name=value", cause: "write e.g. --param n=14")
                }
                guard values[parts[0]] == nil else {
                    throw HindsightError(.invalidArgument, "--param \(parts[0]) is given twice")
                }
                values[parts[0]] = v
            }
            let program: SignalProgram
            do { program = try SignalProgram.compile(expression, params: values) } catch let e as SignalProgram.Failure
            {
                throw HindsightError(.invalidArgument, "expression, " + e.rendered(expression), cause: e.hint)
            }
            let list = tickers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else {
                throw HindsightError(.invalidArgument, "--tickers is empty", cause: "write e.g. --tickers AAPL,MSFT")
            }
            let lo = try from.map { try CLI.day($0, option: "--from") }
            let hi = try to.map { try CLI.day($0, option: "--to") }
            let store = try HindsightDatabase.openExisting(path: db, readOnly: true)
            let rows = try store.loadPrices(tickers: list)
            let missing = list.filter { !rows.tickers.contains($0) }
            guard missing.isEmpty else {
                throw HindsightError(
                    .invalidArgument, "\(db): no prices for \(missing.joined(separator: ", "))",
                    cause: "list the tickers with `hindsight data check --db \(db)`")
            }
            let calendar = TradingCalendar.data(Array(Set(rows.dates)).sorted())
            let panel = try MarketPanel(
                rows: rows, actions: try store.loadCorporateActions(tickers: list), calendar: calendar, tickers: list)
            var out = "date,ticker,value\n"
            // Cross-sectional functions run across the listed tickers.
            let all = list.indices.map { AssetBars(panel: panel, asset: $0) }
            let evaluated = program.evaluate(universe: all, assets: Array(list.indices))
            for (a, ticker) in list.enumerated() {
                let bars = all[a]
                let v = evaluated[a]
                for (i, d) in bars.sessions.enumerated() {
                    let day = calendar.day(at: Int(d))
                    if let lo, day < lo { continue }
                    if let hi, day > hi { continue }
                    out += day.iso + "," + ticker + ","
                    if v[i].isFinite { out += program.type == .boolean ? (v[i] != 0 ? "1" : "0") : "\(v[i])" }
                    out += "\n"
                }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}
