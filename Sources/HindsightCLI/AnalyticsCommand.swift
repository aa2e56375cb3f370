import Analytics
import ArgumentParser
import Foundation
import HindsightCore
import MarketData

struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics", abstract: "Performance, risk, tail, factor and overfitting statistics.",
        subcommands: [Metrics_.self, AnalyticsMatrix.self, AnalyticsBootstrap.self])

    struct Metrics_: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract:
                "Every metric of a return series (date,value CSV), with an optional benchmark, risk-free rate and factors.",
            discussion: """
                Dates of all inputs are aligned by intersection. Returns are simple per-period returns.
                --risk-free takes a date,value CSV or one per-period rate (as empyrical's risk_free).
                A factors file is date,<factor>,... and may include rf, used as the risk-free rate of the regression.
                """)

        @Option(help: "Returns CSV: date,value.") var returns: String?
        @Option(help: "Prices CSV: returns from its adj close, else close, else first value column.") var prices:
            String?
        @Option(help: "Benchmark returns CSV: date,value.") var benchmark: String?
        @Option(help: "Benchmark prices CSV.") var benchmarkPrices: String?
        @Option(help: "Factor returns CSV: date,<factor1>,... (may include rf).") var factors: String?
        @Flag(help: "Factor values (and rf) are in percent.") var factorsInPercent = false
        @Option(help: "Risk-free: a date,value CSV, or one per-period rate.") var riskFree: String?
        @Option(help: "Periods per year.") var periodsPerYear: Double = 252
        @Option(help: "Newey-West lags (default ⌊4(n/100)^(2/9)⌋).") var hacLags: Int?
        @Option(help: "Order statistics for the Hill estimator (default ⌊√n⌋).") var hillK: Int?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await CLI.run {
                guard (returns == nil) != (prices == nil) else {
                    throw HindsightError(.invalidArgument, "give exactly one of --returns or --prices")
                }
                if benchmark != nil && benchmarkPrices != nil {
                    throw HindsightError(.invalidArgument, "give only one of --benchmark or --benchmark-prices")
                }
                guard periodsPerYear > 0 else {
                    throw HindsightError(.invalidArgument, "--periods-per-year must be positive")
                }
                let main =
                    try returns.map { try TimeSeriesTable.read($0) }
                    ?? {
                        let t = try TimeSeriesTable.read(prices!)
                        return try t.returnsFromPrices(column: t.priceColumn)
                    }()
                let bench =
                    try benchmark.map { try TimeSeriesTable.read($0) }
                    ?? benchmarkPrices.map {
                        let t = try TimeSeriesTable.read($0)
                        return try t.returnsFromPrices(column: t.priceColumn)
                    }
                var rfTable: TimeSeriesTable?
                var rfConstant: Double?
                if let riskFree {
                    if let v = Double(riskFree) { rfConstant = v } else { rfTable = try TimeSeriesTable.read(riskFree) }
                }
                var factorTable = try factors.map { try TimeSeriesTable.read($0) }
                if factorsInPercent, var f = factorTable {
                    f.columns = f.columns.map { $0.map { $0 / 100 } }
                    factorTable = f
                }

                // Align by intersection of the dates where every used value is present.
                func presentDates(_ t: TimeSeriesTable, columns: [Int]) -> Set<TradingDay> {
                    Set(
                        t.dates.indices.filter { i in columns.allSatisfy { !t.columns[$0][i].isNaN } }.map {
                            t.dates[$0]
                        })
                }
                var common = presentDates(main, columns: [0])
                let missing = main.dates.count - common.count
                if let bench { common.formIntersection(presentDates(bench, columns: [0])) }
                if let rfTable { common.formIntersection(presentDates(rfTable, columns: [0])) }
                if let factorTable {
                    common.formIntersection(presentDates(factorTable, columns: Array(factorTable.columns.indices)))
                }
                let dates = main.dates.filter { common.contains($0) }
                guard dates.count >= 2 else {
                    throw HindsightError(
                        .invalidData, "only \(dates.count) dates are common to all inputs",
                        cause: "check that the files cover the same period")
                }
                func aligned(_ t: TimeSeriesTable, _ k: Int) -> [Double] {
                    var idx = [TradingDay: Int]()
                    for (i, d) in t.dates.enumerated() { idx[d] = i }
                    return dates.map { t.columns[k][idx[$0]!] }
                }
                var notes: [String] = []
                if missing > 0 { notes.append("\(main.path): \(missing) missing values skipped") }
                for (i, t) in [main, bench, rfTable, factorTable].enumerated() {
                    guard let t else { continue }
                    let dropped = t.dates.count - (i == 0 ? missing : 0) - dates.count
                    if dropped > 0 { notes.append("\(t.path): \(dropped) rows dropped") }
                }
                FileHandle.standardError.write(
                    Data(
                        "aligned \(dates.count) dates (\(dates.first!) .. \(dates.last!))\(notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))\n"
                            .utf8))
                var f: MetricsReport.Factors?
                if let ft = factorTable {
                    let rfIndex = ft.names.firstIndex { $0.lowercased() == "rf" }
                    let names = ft.names.enumerated().filter { $0.offset != rfIndex }
                    guard !names.isEmpty else {
                        throw HindsightError(.invalidData, "\(ft.path): no factor columns besides rf")
                    }
                    f = .init(
                        names: names.map(\.element), values: names.map { aligned(ft, $0.offset) },
                        riskFree: rfIndex.map { aligned(ft, $0) })
                }
                let rf: [Double]? = rfTable.map { aligned($0, 0) } ?? rfConstant.map { c in dates.map { _ in c } }
                let report = MetricsReport(
                    dates: dates, returns: aligned(main, 0), benchmark: bench.map { aligned($0, 0) },
                    riskFree: rf, factors: f, periodsPerYear: periodsPerYear, hacLags: hacLags, hillK: hillK)
                let out = try report.json()
                if json { print(out.render(indent: 2)) } else { print(MetricsText.render(out)) }
            }
        }
    }
}
