import Analytics
import ArgumentParser
import Foundation
import HindsightCore
import MarketData

/// `hindsight analytics matrix`: metrics for many return series at once, plus overfitting statistics.
struct AnalyticsMatrix: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Summary metrics for every column of a returns matrix, the deflated Sharpe ratio and PBO by CSCV.",
        discussion:
            "Input is a wide CSV (date,<run1>,<run2>,...) or, for large benchmarks, raw little-endian float64 values in column-major order (--f64 with --rows)."
    )

    @Option(help: "Wide returns CSV: date,<run1>,<run2>,...") var returns: String?
    @Option(help: "Raw float64 file, column-major (each run contiguous).") var f64: String?
    @Option(help: "Rows (periods) of the --f64 matrix.") var rows: Int?
    @Option(help: "CSCV blocks (even); 0 skips PBO.") var blocks: Int = 16
    @Option(help: "Periods per year.") var periodsPerYear: Double = 252
    @Option(help: "Worker threads (default: all cores).") var threads: Int = ProcessInfo.processInfo
        .activeProcessorCount
    @Flag(help: "Print JSON with every column's metrics.") var json = false

    func run() async throws {
        try await CLI.run {
            let matrix: ReturnsMatrix
            if let f64 {
                guard let rows, rows > 0 else { throw HindsightError(.invalidArgument, "--f64 needs --rows") }
                guard let data = FileManager.default.contents(atPath: f64) else {
                    throw HindsightError(.fileNotFound, "\(f64): file not found")
                }
                guard data.count % (8 * rows) == 0 else {
                    throw HindsightError(
                        .invalidData, "\(f64): \(data.count) bytes is not a whole number of \(rows)-row float64 columns"
                    )
                }
                let values = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
                matrix = try ReturnsMatrix(rows: rows, columns: values.count / rows, values: values)
            } else if let returns {
                let t = try TimeSeriesTable.read(returns)
                matrix = try ReturnsMatrix(series: t.columns, labels: t.names)
            } else {
                throw HindsightError(.invalidArgument, "give --returns FILE or --f64 FILE --rows N")
            }
            let clock = ContinuousClock.now
            let metrics = matrix.summaryMetrics(periodsPerYear: periodsPerYear, threads: max(1, threads))
            let metricsTime = CLI.seconds(since: clock)
            var pbo: OverfittingReport?
            var cscvTime = 0.0
            if blocks > 0 {
                let c = ContinuousClock.now
                pbo = try Metrics.backtestOverfitting(matrix, blocks: blocks)
                cscvTime = CLI.seconds(since: c)
            }
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "%d rows × %d columns: metrics %.3f s, CSCV %.3f s\n", matrix.rows, matrix.columns,
                        metricsTime, cscvTime
                    ).utf8))
            if json {
                var o: [(String, JSONValue)] = [
                    ("rows", .integer(matrix.rows)), ("columns", .integer(matrix.columns)),
                    ("labels", .array(matrix.labels.map { .string($0) })),
                ]
                o.append(("metrics", .object(metrics.map { ($0.name, .array($0.values.map { .number($0) })) })))
                if let pbo {
                    o.append(
                        (
                            "overfitting",
                            .object([
                                ("pbo", .number(pbo.pbo)), ("splits", .integer(pbo.splits)),
                                ("blocks", .integer(pbo.blocks)),
                                ("degradation_slope", .number(pbo.degradationSlope)),
                                ("degradation_intercept", .number(pbo.degradationIntercept)),
                                ("probability_of_loss", .number(pbo.probabilityOfLoss)),
                                (
                                    "logit_quantiles",
                                    .object(
                                        [0.05, 0.25, 0.5, 0.75, 0.95].map { q in
                                            let s = pbo.logits.sorted()
                                            return (
                                                String(q), .number(s[min(s.count - 1, Int(q * Double(s.count - 1)))])
                                            )
                                        })
                                ),
                            ])
                        ))
                }
                o.append(("timing_seconds", .object([("metrics", .number(metricsTime)), ("cscv", .number(cscvTime))])))
                print(JSONValue.object(o).render())
                return
            }
            let sharpe = metrics.first { $0.name == "sharpe_ratio" }!.values
            let order = sharpe.indices.sorted {
                (sharpe[$0].isNaN ? -.infinity : sharpe[$0]) > (sharpe[$1].isNaN ? -.infinity : sharpe[$1])
            }
            let show = ["sharpe_ratio", "cagr", "max_drawdown", "probabilistic_sharpe_ratio", "deflated_sharpe_ratio"]
            let cols = show.map { n in metrics.first { $0.name == n }!.values }
            let rows = order.prefix(20).map { j in [matrix.labels[j]] + cols.map { MetricsText.format($0[j]) } }
            print("top \(rows.count) of \(matrix.columns) by Sharpe ratio:")
            print(TextTable.render(header: ["run"] + show, rows: rows))
            if let pbo {
                print(
                    String(
                        format:
                            "\nPBO (CSCV, %d blocks, %d splits): %.3f; OOS-on-IS Sharpe slope %.3f; P(OOS loss) %.3f",
                        pbo.blocks, pbo.splits, pbo.pbo, pbo.degradationSlope, pbo.probabilityOfLoss))
            }
        }
    }
}
