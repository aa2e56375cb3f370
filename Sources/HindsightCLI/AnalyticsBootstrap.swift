import Analytics
import ArgumentParser
import Foundation
import HindsightCore
import MarketData

/// `hindsight analytics bootstrap`: optimal block lengths and block-bootstrap intervals for the headline metrics.
struct AnalyticsBootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract:
            "Politis–White block lengths and percentile and BCa intervals for the headline metrics of a return series.",
        discussion: """
            The series is resampled in blocks (stationary bootstrap by default, circular with --kind circular), so
            volatility clustering survives; --block auto takes the Politis–White optimal length (as
            arch.bootstrap.optimal_block_length). The same seed gives the same intervals on every machine.
            """)

    @Option(help: "Returns CSV: date,value.") var returns: String?
    @Option(help: "Prices CSV: returns from its adj close, else close, else first value column.") var prices: String?
    @Option(help: "Block length: auto (Politis–White) or a number of periods.") var block: String = "auto"
    @Option(help: "stationary (geometric blocks) or circular (fixed blocks).") var kind: String = "stationary"
    @Option(help: "Bootstrap paths.") var paths: Int = 2000
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Confidence level.") var level: Double = 0.95
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await CLI.run {
            guard (returns == nil) != (prices == nil) else {
                throw HindsightError(.invalidArgument, "give exactly one of --returns or --prices")
            }
            guard let k = BlockBootstrap.Kind(rawValue: kind) else {
                throw HindsightError(
                    .invalidArgument, "--kind \(kind) is not a bootstrap", cause: "use stationary or circular")
            }
            guard paths >= 100, paths <= 1_000_000 else {
                throw HindsightError(.invalidArgument, "--paths must be 100 to 1,000,000, got \(paths)")
            }
            guard level > 0.5, level < 1 else {
                throw HindsightError(.invalidArgument, "--level must be between 0.5 and 1, got \(level)")
            }
            let table =
                try returns.map { try TimeSeriesTable.read($0) }
                ?? {
                    let t = try TimeSeriesTable.read(prices!)
                    return try t.returnsFromPrices(column: t.priceColumn)
                }()
            let r = table.columns[0].filter { !$0.isNaN }
            guard r.count >= 30 else {
                throw HindsightError(
                    .invalidData, "\(table.path): \(r.count) returns; a bootstrap needs at least 30",
                    cause: "give a longer series")
            }
            let optimal = Metrics.optimalBlockLength(r)
            let bs: BlockBootstrap
            if block == "auto" {
                bs = .automatic(k, for: r)
            } else if let b = Double(block), b >= 1, b <= Double(r.count) {
                bs = BlockBootstrap(kind: k, block: b)
            } else {
                throw HindsightError(
                    .invalidArgument, "--block \(block) is not a block length",
                    cause: "use auto or a number of periods from 1 to \(r.count)")
            }
            let ci = BootstrapIntervals(r, bootstrap: bs, paths: paths, seed: seed, level: level)
            if json {
                func pair(_ p: (lo: Double, hi: Double)) -> JSONValue { .array([.number(p.lo), .number(p.hi)]) }
                print(
                    JSONValue.object([
                        ("observations", .integer(r.count)),
                        (
                            "optimal_block_length",
                            .object([
                                ("stationary", .number(optimal.stationary)), ("circular", .number(optimal.circular)),
                            ])
                        ),
                        (
                            "bootstrap",
                            .object([
                                ("kind", .string(k.rawValue)), ("block", .number(bs.block)), ("paths", .integer(paths)),
                                ("seed", .integer(Int(seed))), ("level", .number(level)),
                            ])
                        ),
                        ("estimates", .object(ci.intervals.map { ($0.name, .number($0.estimate)) })),
                        ("standard_errors", .object(ci.intervals.map { ($0.name, .number($0.standardError)) })),
                        ("confidence_intervals", .object(ci.intervals.map { ($0.name, pair($0.bca)) })),
                        ("percentile_intervals", .object(ci.intervals.map { ($0.name, pair($0.percentile)) })),
                    ]
                    ).render())
                return
            }
            func f(_ v: Double) -> String { v.isFinite ? String(format: "%.4f", v) : "-" }
            print(
                "\(r.count) returns; optimal block length: stationary \(f(optimal.stationary)), circular \(f(optimal.circular))"
            )
            print(
                "\(k.rawValue) bootstrap, block \(f(bs.block)), \(paths) paths, seed \(seed), \(Int(level * 100))% intervals"
            )
            print(
                TextTable.render(
                    header: ["metric", "estimate", "std error", "BCa", "percentile"],
                    rows: ci.intervals.map {
                        [
                            $0.name, f($0.estimate), f($0.standardError), "[\(f($0.bca.lo)), \(f($0.bca.hi))]",
                            "[\(f($0.percentile.lo)), \(f($0.percentile.hi))]",
                        ]
                    }))
        }
    }
}
