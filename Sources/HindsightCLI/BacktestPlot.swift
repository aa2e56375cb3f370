import ArgumentParser
import Backtest
import Engine
import Foundation
import HindsightCore
import MarketData
import Reports
import Storage
import YAMLConfig

/// `backtest plot RUN_ID`: an SVG of one ticker's price with the run's entries and exits, and the equity below.
struct BacktestPlot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Write an SVG of a stored run: a ticker's price with entry and exit marks, and the equity below.")

    @Argument(help: "The run id (printed by `backtest run`).") var runID: String
    @Option(help: "Results database.") var db: String
    @Option(help: "The ticker to draw (default: the one with the most fills).") var ticker: String?
    @Option(help: "The SVG file to write (default: RUN_ID.svg).") var out: String?
    @Flag(help: "Replace the output file if it exists.") var force = false

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase.openExisting(path: db, readOnly: true)
            let r = try store.loadRun(id: runID)
            guard r.run.status == .ok, !r.equity.isEmpty else {
                throw HindsightError(
                    .invalidArgument, "run \(runID) has no daily equity stored (status \(r.run.status.rawValue))",
                    cause: "plot a `backtest run` result, or a sweep's top point (store: {equity: {top: N}})")
            }
            let path = out ?? runID + ".svg"
            if FileManager.default.fileExists(atPath: path), !force {
                throw HindsightError(
                    .invalidArgument, "\(path) exists; nothing was written",
                    cause: "pass --out with another path, or --force to replace it")
            }
            let root = try YAMLDocument.parse(r.run.configJSON, file: "the config of run \(runID)")
            let config = try RunConfig.parse(root, strategyKinds: StrategyRegistry.kinds)
            let panel = try MarketInputs.load(for: config).panel
            var fills: [String: Int] = [:]
            for t in r.trades { fills[t.ticker, default: 0] += 1 }
            let name =
                ticker ?? fills.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key
                ?? config.namedTickers.first ?? panel.tickers.first ?? ""
            guard let a = panel.asset(ticker: name) else {
                throw HindsightError(
                    .invalidArgument, "ticker \(name) is not in the run's data",
                    cause: "traded tickers: \(fills.keys.sorted().joined(separator: ", "))")
            }
            let dates = r.equity.map(\.date)
            let x = dates.indices.map(Double.init)
            let nD = panel.dayCount
            let closes = dates.map { d -> Double in
                guard let i = panel.calendar.index(of: d), panel.valid[a * nD + i] else { return .nan }
                return panel.close[a * nD + i]
            }
            let indexOfDate = Dictionary(dates.enumerated().map { ($0.element, Double($0.offset)) }) { a, _ in a }
            var reasons: [Int: String] = [:]
            for t in try store.roundTrips(runID: runID) { if let e = t.exitTradeID { reasons[e] = t.exitReason } }
            var held = 0.0
            var marks: [SVGChart.Mark] = []
            for t in r.trades where t.ticker == name {
                let q = t.direction == "buy" ? t.size : -t.size
                let entry = held == 0 || (held > 0) == (q > 0)
                held += q
                if abs(held) < 1e-9 * max(1, abs(q)) { held = 0 }
                let label =
                    "\(t.date.iso) \(t.direction) \(MetricsText.format(t.size)) at \(MetricsText.format(t.price))"
                    + (reasons[t.tradeID].map { " (\($0))" } ?? "")
                marks.append(
                    SVGChart.Mark(
                        x: indexOfDate[t.date] ?? .nan, price: t.price, entry: entry, buy: q > 0, label: label))
            }
            let svg = SVGChart.trades(
                title: "\(name), run \(runID)", price: .init(name: "\(name) close", x: x, y: closes), marks: marks,
                equity: .init(name: "equity", x: x, y: r.equity.map(\.equity)),
                xLabel: { v in
                    let i = Int(v.rounded())
                    return i >= 0 && i < dates.count ? dates[i].iso : ""
                })
            try CLI.writeAtomically(svg, to: path)
            print("wrote \(path): \(name), \(marks.count) fills, \(dates.count) sessions")
        }
    }
}
