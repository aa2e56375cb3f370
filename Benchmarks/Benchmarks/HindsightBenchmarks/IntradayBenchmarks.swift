import Backtest
import Benchmark
import Engine
import Foundation
import HindsightCore
import MarketData
import Storage
import YAMLConfig

/// Intraday execution against daily execution of the same book, and loading intraday bars. The book: 20 names of
/// the synthetic market, monthly momentum rebalance, stops on every position, 2 years; the intraday run fills on
/// 5-minute bars (VWAP over the session, 10% participation per bar, square-root impact) and checks its stops on
/// them. The acceptance target is intraday ≤ 3× daily (RESULTS.md has the measured ratio).
enum IntradayBenchmarks {
    static func book(_ execution: String) -> RunConfig {
        let yaml = """
            data: {synthetic: {assets: 21, start: 2020-01-02, end: 2021-12-31, seed: 11}}
            start: 2020-02-03
            end: 2021-12-31
            initial_cash: 10000000
            strategy:
              kind: assessment_risk_daily_rebal
              rebalance: monthly
              assessment: {model: momentum, lookback: 21, skip: 0}
              risk: {long_only: true, top_n: 10, max_weight: 0.12}
            stops: {stop_loss: 0.08, trailing_stop: 0.12}
            execution: \(execution)
            """
        return try! RunConfig.parse(
            try! YAMLDocument.parse(yaml, file: "bench.yaml"), strategyKinds: StrategyRegistry.kinds)
    }

    static func register() {
        let daily = book("{fill: next_open, max_participation: 0.1, slippage: {model: sqrt_impact, k: 0.1}}")
        let intraday = book(
            "{fill: {model: vwap, from: \"09:30\", to: \"16:00\"}, max_participation: 0.1, slippage: {model: sqrt_impact, k: 0.1}}"
        )
        // One set of inputs for both (the intraday bars are built outside the measurement).
        let inputs = try! MarketInputs.load(for: intraday)
        let pipeline = RunPipeline(inputs: inputs, base: intraday)
        Benchmark(
            "Intraday: 20-stock monthly book with stops, 2 years, daily next_open fills",
            configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { _ in
            blackHole(try pipeline.simulate(daily))
        }
        Benchmark(
            "Intraday: 20-stock monthly book with stops, 2 years, VWAP fills and stops on \(inputs.intraday!.barCount) 5-minute bars",
            configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { _ in
            blackHole(try pipeline.simulate(intraday))
        }

        // 1M bars in a database: 14 tickers x 4 years of 5-minute bars (78 a session).
        let dir = NSTemporaryDirectory() + "hindsight-bench-intraday"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = dir + "/bars.sqlite"
        let market = try! SyntheticMarket(
            .init(
                assets: 14, start: TradingDay(iso: "2016-01-04")!, end: TradingDay(iso: "2019-12-31")!, seed: 3)
        ).generate()
        let bars = SyntheticIntraday.bars(for: market.prices, minutes: 5, seed: 3)
        let store = try! HindsightDatabase(path: db)
        try! store.importIntraday(bars, replace: true)
        let csv = dir + "/bars.csv"
        // Prices with 4 decimals, as vendors write them.
        func p4(_ x: Double) -> String { String(format: "%.4f", x) }
        var text = "datetime,ticker,open,high,low,close,volume\n"
        for i in 0..<bars.count {
            text +=
                "\(UTCTime.iso(bars.ts[i])),\(bars.tickers[Int(bars.tickerIndex[i])]),\(p4(bars.open[i])),\(p4(bars.high[i])),\(p4(bars.low[i])),\(p4(bars.close[i])),\(Int(bars.volume[i]))\n"
        }
        try! text.write(toFile: csv, atomically: true, encoding: .utf8)
        Benchmark(
            "Intraday: load \(bars.count) bars from SQLite (\(bars.tickers.count) tickers)",
            configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { _ in
            blackHole(try store.loadIntraday())
        }
        Benchmark(
            "Intraday: parse and check \(bars.count) bars from CSV (data import intraday, before the write)",
            configuration: .init(thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { _ in
            var p = IntradayFileParser(zone: .offsetRequired)
            try p.parse(file: csv)
            blackHole(try p.finish())
        }
    }
}
