import Benchmark
import Foundation
import Storage
import Sweep
import YAMLConfig

/// Whole sweeps, from the plan to stored results (no report): a momentum_rotation grid on a 100-asset synthetic
/// market (its names pay dividends, so the full engine runs every point), and a 1,000-point SMA grid on GOOG's CSV
/// through the kernel (when ../shared/data is present).
enum SweepBenchmarks {
    static func spec(_ yaml: String) -> SweepPlan {
        let path = NSTemporaryDirectory() + "hindsight-bench-\(UUID().uuidString).yaml"
        try! yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try! SweepPlan(try! SweepSpec.load(path: path))
    }

    static func register(sharedData: String) {
        let momentum = spec(
            """
            sweep: bench-momentum
            base:
              data: {synthetic: {assets: 100, start: 2012-01-03, end: 2019-12-31, seed: 7}}
              start: 2012-01-03
              end: 2019-12-31
              initial_cash: 1000000
              fractional_shares: true
              universe: {all: true}
              strategy: {kind: momentum_rotation, params: {lookback: 21, top_n: 10, rebalance_every: 5}}
              execution: {fill: close, commission: {model: bps, bps: 10}}
            grid:
              strategy.params.lookback: [21, 63, 126, 252]
              strategy.params.top_n: [10, 25]
              strategy.params.rebalance_every: [5, 21]
            rank_by: sharpe_ratio
            store: {equity: none, trades: none}
            report: {top: 3}
            """)
        let sma: SweepPlan? =
            !FileManager.default.fileExists(atPath: sharedData + "/goog-2004-2013.csv")
            ? nil
            : spec(
                """
                sweep: bench-sma
                base:
                  data: {csv: \(sharedData)/goog-2004-2013.csv, ticker: GOOG}
                  calendar: data
                  start: 2004-08-19
                  end: 2013-03-01
                  fractional_shares: true
                  universe: {tickers: [GOOG]}
                  strategy: {kind: sma_crossover, params: {fast: 10, slow: 30}}
                  execution: {fill: close, commission: {model: bps, bps: 10}}
                grid:
                  strategy.params.fast: {range: [1, 10, 1]}
                  strategy.params.slow: {range: [11, 110, 1]}
                rank_by: sharpe_ratio
                store: {equity: none, trades: none}
                report: {top: 3}
                """)
        var sweeps = [("momentum_rotation, 16 points x 100 assets x 8 years (full engine)", momentum)]
        if FileManager.default.fileExists(atPath: sharedData + "/goog-2004-2013.csv") {
            sweeps.append(("SMA crossover on GOOG, 1,000 points x 2,148 bars (kernel)", sma!))
        }
        for (label, plan) in sweeps {
            let context = try! SweepContext(plan: plan)
            Benchmark(
                "Sweep: plan to stored results, \(label), 2 jobs",
                configuration: .init(maxIterations: 10, thresholds: [.wallClock: .init(relative: [.p50: 25])])
            ) { _ in
                let path = NSTemporaryDirectory() + "hindsight-bench-\(UUID().uuidString).sqlite"
                defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
                let store = try HindsightDatabase(path: path)
                let s = try await SweepRunner.run(
                    context: context, store: store, options: .init(jobs: 2, resume: false, shard: nil, quiet: true))
                blackHole(s.ran)
            }
        }
    }
}
