import Analytics
import Benchmark
import Engine
import Foundation
import HindsightCore
import MarketData
import Storage

// Inputs are built once, outside the measured closures.
private func matrix(rows: Int, columns: Int, seed: UInt64) -> ReturnsMatrix {
    var rng = Xoshiro256StarStar(seed: seed)
    var values = [Double](repeating: 0, count: rows * columns)
    for i in 0..<values.count { values[i] = 0.0003 + 0.01 * rng.studentT(dof: 5) }
    return try! ReturnsMatrix(rows: rows, columns: columns, values: values)
}

private let sharedData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "shared/data"
    ).path

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 10)

    let big = matrix(rows: 2_520, columns: 10_000, seed: 1)
    Benchmark(
        "Analytics: 22 summary metrics, 2520 x 10000 matrix",
        configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
    ) { benchmark in
        blackHole(big.summaryMetrics())
    }

    let cscv = matrix(rows: 2_520, columns: 1_000, seed: 2)
    Benchmark(
        "Analytics: PBO by CSCV, 2520 x 1000, 16 blocks",
        configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
    ) { benchmark in
        blackHole(try Metrics.backtestOverfitting(cscv, blocks: 16))
    }

    let one = big.column(0)
    let factors = (1...4).map { big.column($0) }
    Benchmark("Analytics: OLS + Newey-West HAC, 2520 obs x 4 factors") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Metrics.linearRegression(y: one, regressors: factors, names: ["a", "b", "c", "d"]))
        }
    }

    Benchmark(
        "MarketData: synthetic market, 500 assets x 10 years (generate only)",
        configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
    ) { benchmark in
        let p = SyntheticMarket.Parameters(
            assets: 500, start: TradingDay(iso: "2010-01-04")!, end: TradingDay(iso: "2019-12-31")!, seed: 7)
        blackHole(try SyntheticMarket(p).generate())
    }

    let googFile = sharedData + "/goog-2004-2013.csv"
    if FileManager.default.fileExists(atPath: googFile) {
        var parser = PriceFileParser()
        try? parser.parse(file: googFile)
        let kernel = SMACrossoverKernel(close: parser.rows.close)
        let grid = (2...100).flatMap { f in ((f + 1)...200).map { (f, $0) } }
        Benchmark(
            "Engine: SMA crossover grid on GOOG, 14751 points x 2148 bars (one thread)",
            configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { benchmark in
            var total = 0.0
            for (f, s) in grid { total += kernel.run(fast: f, slow: s, fee: 0.001, initialCash: 10_000).totalReturn }
            blackHole(total)
        }
    }

    EngineBenchmarks.register(sharedData: sharedData)
    SweepBenchmarks.register(sharedData: sharedData)
    ScenarioBenchmarks.register()
    AttributionBenchmarks.register()
    IntradayBenchmarks.register()
    signalBenchmarks()

    let pricesFile = sharedData + "/us-equities/prices.csv.gz"
    if FileManager.default.fileExists(atPath: pricesFile) {
        Benchmark(
            "Import: parse and check us-equities prices.csv.gz (416k rows)",
            configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { benchmark in
            var parser = PriceFileParser()
            try parser.parse(file: pricesFile)
            parser.rejectDuplicates()
            blackHole(parser.rows.count)
        }
        Benchmark(
            "Import: parse, check and write us-equities prices into SQLite (416k rows)",
            configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { benchmark in
            let path = NSTemporaryDirectory() + "hindsight-bench-\(UUID().uuidString).sqlite"
            defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
            var parser = PriceFileParser()
            try parser.parse(file: pricesFile)
            parser.rejectDuplicates()
            var data = MarketDataset()
            data.prices = parser.rows
            blackHole(try HindsightDatabase(path: path).importDataset(data, replace: false))
        }
    }
}
