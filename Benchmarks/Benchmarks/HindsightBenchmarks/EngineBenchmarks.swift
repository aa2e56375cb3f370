import Backtest
import Benchmark
import Engine
import Foundation
import HindsightCore
import MarketData
import Services
import TimeMachine
import YAMLConfig

/// Engine benchmarks: one full-engine SMA run on GOOG, and a daily-rebalanced 500-asset run whose malloc count
/// is measured at two lengths (the per-day loop allocates nothing, so the counts do not grow with the days).
enum EngineBenchmarks {
    static func config(_ yaml: String) -> RunConfig {
        let root = try! YAMLDocument.parse(yaml, file: "bench.yaml")
        return try! RunConfig.parse(root, strategyKinds: StrategyRegistry.kinds)
    }

    static func rebalance(end: String) -> RunConfig {
        config(
            """
            data: {synthetic: {assets: 500, start: 2010-01-04, end: 2019-12-31, seed: 7}}
            start: 2010-01-04
            end: \(end)
            initial_cash: 10000000
            strategy:
              kind: assessment_risk_daily_rebal
              rebalance: daily
              assessment: {model: momentum, lookback: 126, skip: 5}
              risk: {top_n: 50, max_weight: 0.05, rebalance_band: 0.002}
            execution: {commission: {model: bps, bps: 5}, slippage: {model: fixed_bps, bps: 2}}
            """)
    }

    static func register(sharedData: String) {
        let googFile = sharedData + "/goog-2004-2013.csv"
        if FileManager.default.fileExists(atPath: googFile) {
            var parser = PriceFileParser()
            try? parser.parse(file: googFile)
            var rows = parser.rows
            rows.tickers = ["GOOG"]
            let panel = try! MarketPanel(rows: rows, calendar: .data(Array(Set(rows.dates)).sorted()))
            let inputs = MarketInputs(
                panel: panel, companies: [], sectors: [], regimes: [], factorReturns: [], sourceDescription: "goog")
            let sma = config(
                """
                data: {db: goog.sqlite}
                calendar: data
                start: 2004-08-19
                end: 2013-03-01
                fractional_shares: true
                universe: {tickers: [GOOG]}
                strategy: {kind: sma_crossover, params: {fast: 10, slow: 30}}
                execution: {commission: {model: bps, bps: 10}}
                """)
            let pipeline = RunPipeline(inputs: inputs, base: sma)
            Benchmark(
                "Engine: one SMA(10,30) backtest on GOOG, 2148 bars (full engine, no storage)",
                configuration: .init(maxIterations: 200, thresholds: [.wallClock: .init(relative: [.p50: 25])])
            ) { _ in
                blackHole(try pipeline.simulate(sma))
            }
        }

        let full = rebalance(end: "2019-12-31")
        let inputs = try! MarketInputs.load(for: full)
        let pipeline = RunPipeline(inputs: inputs, base: full)
        for (label, end) in [("10 years", "2019-12-31"), ("2 years", "2011-12-30")] {
            let c = rebalance(end: end)
            Benchmark(
                "Engine: assessment_risk_daily_rebal, 500 assets x \(label), daily decisions",
                configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
            ) { _ in
                blackHole(try pipeline.simulate(c))
            }
        }
    }
}
