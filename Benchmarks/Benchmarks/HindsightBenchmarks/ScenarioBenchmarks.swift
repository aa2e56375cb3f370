import Benchmark
import Foundation
import Storage
import Sweep

/// Scenario paths against ordinary sweep points of the same strategy (a 20-stock signals strategy with a stop,
/// 9 years of the synthetic market): 10 top points x 50 resampled paths (500 runs) beside a 500-point sweep.
/// The goal is a scenario run costing under 2x an ordinary point (10 x 500 paths within 2x of 5,000 points).
enum ScenarioBenchmarks {
    static let base = """
        base:
          data: {synthetic: {assets: 20, start: 2010-01-04, end: 2019-12-31, seed: 11}}
          start: 2011-01-03
          end: 2019-12-31
          initial_cash: 1000000
          fractional_shares: true
          universe: {all: true}
          strategy: {kind: signals, entry: "rsi(close, 14) < 30", exit: "rsi(close, 14) > 55"}
          execution: {fill: next_open, commission: {model: bps, bps: 5}}
          stops: {stop_loss: 0.08}
          benchmark: MKT
        rank_by: sharpe_ratio
        store: {equity: none, trades: none}
        report: {top: 3}
        """

    static func register() {
        let points = SweepBenchmarks.spec(
            "sweep: bench-points\n" + base + "\n" + """
                grid:
                  stops.stop_loss: {range: [0.02, 0.2, 0.02]}
                  execution.commission.bps: {range: [0, 49, 1]}
                """)
        let scenarios = SweepBenchmarks.spec(
            "sweep: bench-scenarios\n" + base + "\n" + """
                grid:
                  stops.stop_loss: {range: [0.02, 0.2, 0.02]}
                scenarios: {top: 10, paths: 50, seed: 3, generators: [{kind: stationary_bootstrap, block: auto}]}
                """)
        let plain = SweepBenchmarks.spec(
            "sweep: bench-ten\n" + base + "\n" + """
                grid:
                  stops.stop_loss: {range: [0.02, 0.2, 0.02]}
                """)
        // The scenario cost is the third less the second: the same 10-point sweep with and without its paths.
        for (label, plan) in [
            ("500 ordinary sweep points", points), ("the 10-point sweep alone", plain),
            ("the 10-point sweep + 10 top points x 50 stationary-bootstrap paths (500 runs)", scenarios),
        ] {
            let context = try! SweepContext(plan: plan)
            Benchmark(
                "Scenarios vs points: \(label), 20-stock signals strategy with a stop, 9 years, 2 jobs",
                configuration: .init(maxIterations: 5, thresholds: [.wallClock: .init(relative: [.p50: 25])])
            ) { _ in
                let path = NSTemporaryDirectory() + "hindsight-bench-\(UUID().uuidString).sqlite"
                defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
                let s = try await SweepRunner.run(
                    context: context, store: try HindsightDatabase(path: path),
                    options: .init(jobs: 2, resume: false, shard: nil, quiet: true))
                blackHole(s.ran)
            }
        }
    }
}
