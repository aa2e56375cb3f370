import Analytics
import Backtest
import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Sweep
import Testing

@testable import Reports

/// A sweep point and `backtest run` of the same config go through one pipeline and give the same numbers.
struct OneRunPathTests {
    let dir = TestPaths.makeTempDir("hindsight-onepath")

    static let base = """
          name: cash
          data: {synthetic: {assets: 12, start: 2014-01-02, end: 2016-12-30, seed: 7}}
          start: 2014-06-02
          end: 2016-12-30
          initial_cash: 1000000
          universe: {tickers: [MKT]}
          strategy: {kind: sma_crossover, params: {fast: 10, slow: 40}}
          execution: {fill: next_open, commission: {model: bps, bps: 5}}
          portfolio: {cash_rate: rf}
          benchmark: MKT
        """

    /// The stored `metrics_json` of every point of a sweep, and the stored `metrics_json` of `backtest run` of
    /// each point's config.
    func sweepAndRuns(_ sweep: String, name: String) async throws -> [(
        point: String, sweep: String, run: String, engine: String
    )] {
        let path = dir + "/\(name).yaml", db = dir + "/\(name).sqlite"
        TestPaths.write(sweep, to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        let context = try SweepContext(plan: plan)
        let s = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        #expect(s.failed == 0 && s.invalid == 0 && s.ran == plan.points.count)
        let store = try HindsightDatabase.openExisting(path: db)
        let notes = try store.sweepPointNotes(id: plan.sweepID)
        let runStore = try HindsightDatabase(path: dir + "/\(name)-runs.sqlite")
        let runner = BacktestRunner(store: runStore)
        var out: [(String, String, String, String)] = []
        var attributed = 0
        for row in try store.sweepPoints(id: plan.sweepID) {
            let point = try #require(plan.points.first { $0.id == row.pointID })
            let outcome = try runner.run(try plan.config(for: point), inputs: context.inputs)
            // A stored point's attribution is backtest run's, row for row.
            if let id = row.runID, case let a = try store.attribution(runID: id), !a.isEmpty {
                #expect(a == (try runStore.attribution(runID: outcome.runID.rawValue)), "\(point.paramsJSON)")
                attributed += 1
            }
            let stored = try #require(try runner.backtestResults(runID: outcome.runID).run.metricsJSON)
            let engine =
                notes[row.pointID].flatMap { n in
                    ["sma-kernel", "signals-kernel", "full"].first { n.contains("\"engine\":\"\($0)\"") }
                }
                ?? "?"
            out.append((point.paramsJSON, try #require(row.metricsJSON), stored, engine))
        }
        #expect(attributed > 0, "the stored top points carry their attribution")
        return out
    }

    func expectIdentical(
        _ rows: [(point: String, sweep: String, run: String, engine: String)],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        #expect(!rows.isEmpty, sourceLocation: sourceLocation)
        for r in rows {
            #expect(
                r.sweep == r.run,
                "\(r.point) (\(r.engine)):\n sweep \(r.sweep.prefix(600))\n   run \(r.run.prefix(600))",
                sourceLocation: sourceLocation)
        }
    }

    @Test func aSweepPointAndBacktestRunStoreTheSameMetricsForEveryStrategyKindAndFill() async throws {
        // SMA at the close on a clean ticker over the whole panel takes the exact kernel; at the next open, or with a
        // cash rate, the engine. A one-ticker CSV with a bar every weekday and no corporate actions.
        var csv = "date,ticker,open,high,low,close,volume\n", price = 50.0, state: UInt64 = 42
        var day = TradingDay(year: 2014, month: 1, day: 6)!
        for _ in 0..<700 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let step = (Double(state >> 11) / Double(1 << 53) - 0.5) * 0.04
            let open = price, close = (price * (1 + step) * 100).rounded() / 100
            csv +=
                "\(day.iso),XYZ,\(open),\(max(open, close) + 0.1),\(min(open, close) - 0.1),\(close),\(100_000 + Int(state % 50_000))\n"
            price = close
            repeat { day = day.adding(days: 1) } while day.weekday >= 6
        }
        TestPaths.write(csv, to: dir + "/xyz.csv")
        let sma = try await sweepAndRuns(
            """
            sweep: sma-paths
            base:
              data: {csv: \(dir)/xyz.csv, ticker: XYZ}
              calendar: data
              start: 2014-01-06
              end: 2016-12-30
              initial_cash: 1000000
              universe: {tickers: [XYZ]}
              fractional_shares: true
              strategy: {kind: sma_crossover, params: {fast: 10, slow: 40}}
              execution: {fill: close, commission: {model: bps, bps: 5}}
              portfolio: {cash_rate: 0}
            grid:
              strategy.params.fast: [5, 10]
              execution.fill: [close, next_open]
              portfolio.cash_rate: [0, 0.02]
              fractional_shares: [true, false]
            rank_by: sharpe_ratio
            store: {equity: {top: 1}, trades: {top: 1}}
            """, name: "sma")
        #expect(Set(sma.map(\.engine)) == ["sma-kernel", "full"], "both paths must be exercised: \(sma.map(\.engine))")
        expectIdentical(sma)
        // The same rule as an expression: the signals kernel on the clean ticker, the engine otherwise.
        let signals = try await sweepAndRuns(
            """
            sweep: signal-paths
            base:
              data: {csv: \(dir)/xyz.csv, ticker: XYZ}
              calendar: data
              start: 2014-01-06
              end: 2016-12-30
              initial_cash: 1000000
              universe: {tickers: [XYZ]}
              fractional_shares: true
              strategy: {kind: signals, params: {fast: 10, n: 14}, entry: "crossover(sma(close, fast), sma(close, 40)) and rsi(close, n) < 70", exit: "crossunder(sma(close, fast), sma(close, 40))"}
              execution: {fill: close, commission: {model: bps, bps: 5}}
              portfolio: {cash_rate: 0}
            grid:
              strategy.params.fast: [5, 10]
              execution.fill: [close, next_open]
              fractional_shares: [true, false]
            rank_by: sharpe_ratio
            store: {equity: {top: 1}, trades: {top: 1}}
            """, name: "signals")
        #expect(
            Set(signals.map(\.engine)) == ["signals-kernel", "full"],
            "both paths must be exercised: \(signals.map(\.engine))")
        expectIdentical(signals)
        // Every other built-in strategy, a universe rule, regimes, costs, fills and a cash rate.
        let others = try await sweepAndRuns(
            """
            sweep: kinds
            base:
              data: {synthetic: {assets: 30, start: 2013-01-02, end: 2015-12-31, seed: 11}}
              start: 2014-01-02
              end: 2015-12-31
              initial_cash: 1000000
              universe: {rule: {kind: top_dollar_volume, size: 10, lookback: 63, min_price: 5, min_history: 126, rebalance: monthly}}
              strategy:
                kind: assessment_risk_daily_rebal
                rebalance: monthly
                assessment: {model: momentum, lookback: 126, skip: 5}
                risk: {long_only: true, top_n: 5, max_weight: 0.3, rebalance_band: 0.005}
              regime: {source: builtin, ticker: MKT}
              execution: {fill: next_open, slippage: {model: half_spread, fraction: 0.1}, commission: {model: per_share, per_share: 0.005, minimum: 1}}
              portfolio: {cash_rate: rf, dividends: cash}
              benchmark: MKT
            grid:
              execution.fill: [close, next_open]
              strategy.risk.top_n: [3, 5]
            rank_by: sharpe_ratio
            store: {equity: {top: 1}, trades: {top: 1}}
            """, name: "kinds")
        expectIdentical(others)
        let momentum = try await sweepAndRuns(
            """
            sweep: momentum
            base:
              data: {synthetic: {assets: 20, start: 2013-01-02, end: 2015-12-31, seed: 5}}
              start: 2014-01-02
              end: 2015-12-31
              fractional_shares: true
              universe: {rule: {kind: top_dollar_volume, size: 8, lookback: 63, min_price: 5, min_history: 63, rebalance: monthly}}
              strategy: {kind: momentum_rotation, params: {lookback: 63, top_n: 3, rebalance_every: 21}}
              execution: {fill: close, commission: {model: bps, bps: 5}}
              benchmark: MKT
            grid:
              strategy.params.top_n: [2, 3]
              execution.fill: [close, next_open]
            rank_by: sharpe_ratio
            """, name: "momentum")
        expectIdentical(momentum)
        let hold = try await sweepAndRuns(
            """
            sweep: hold
            base:
              data: {synthetic: {assets: 10, start: 2014-01-02, end: 2015-12-31, seed: 3}}
              start: 2014-06-02
              end: 2015-12-31
              universe: {tickers: [MKT]}
              strategy: {kind: equal_weight_buy_and_hold}
              execution: {fill: close}
              portfolio: {dividends: reinvest, cash_rate: 0}
            grid:
              execution.fill: [close, next_open]
              portfolio.cash_rate: [0, 0.02]
            rank_by: total_return
            """, name: "hold")
        expectIdentical(hold)
    }

    @Test func aStrategyOnlySweepOverATickerAbsentFromTheDataIsRefusedBeforeItRuns() throws {
        let path = dir + "/absent.yaml"
        TestPaths.write(
            "sweep: absent\nbase:\n" + Self.base.replacingOccurrences(of: "[MKT]}", with: "[NOPE]}")
                + "\ngrid:\n  strategy.params.fast: [5, 10]\n", to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        #expect {
            try SweepContext(plan: plan)
        } throws: { e in
            (e as? HindsightError)?.message.contains("NOPE") == true
        }
    }

    @Test func anSMAWindowLongerThanTheDataIsInvalidOnTheKernelPathAndInBacktestRun() async throws {
        let base = Self.base.replacingOccurrences(of: "fill: next_open", with: "fill: close").replacingOccurrences(
            of: "portfolio: {cash_rate: rf}", with: ""
        )
        .replacingOccurrences(of: "start: 2014-06-02", with: "start: 2014-01-02")
        let path = dir + "/long.yaml", db = dir + "/long.sqlite"
        TestPaths.write(
            "sweep: long\nbase:\n" + base + "\ngrid:\n  strategy.params.slow: [40, 5000]\nrank_by: total_return\n",
            to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        let s = try await SweepRunner.run(
            context: try SweepContext(plan: plan), store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 1, resume: false, shard: nil, quiet: true))
        #expect(s.ran == 2 && s.invalid == 1)
        let rows = try HindsightDatabase.openExisting(path: db).sweepPoints(id: plan.sweepID)
        #expect(rows.contains { $0.status == .invalid && ($0.error ?? "").contains("slow window 5000") })
        let run = dir + "/long-run.yaml"
        TestPaths.write(
            base.replacingOccurrences(of: "\n      ", with: "\n").replacingOccurrences(
                of: "slow: 40", with: "slow: 5000"), to: run)
        let runner = BacktestRunner(store: try HindsightDatabase(path: dir + "/long-run.sqlite"))
        #expect {
            try runner.run(try runner.loadConfig(path: run))
        } throws: { e in
            (e as? RunError)?.status == .invalid && (e as? RunError)?.error.message.contains("slow window 5000") == true
        }
    }
}

/// The report of a merged sweep equals the unsharded one, overfitting statistics included.
struct MergedReportTests {
    let dir = TestPaths.makeTempDir("hindsight-merged-report")

    static let sweep = """
        sweep: many
        base:
          name: many
          data: {synthetic: {assets: 4, start: 2014-01-02, end: 2016-12-30, seed: 9}}
          start: 2014-01-02
          end: 2016-12-30
          fractional_shares: true
          universe: {tickers: [MKT]}
          strategy: {kind: sma_crossover, params: {fast: 5, slow: 50}}
          execution: {fill: close, commission: {model: bps, bps: 5}}
        grid:
          strategy.params.fast: {range: [2, 41, 1]}
          strategy.params.slow: {range: [45, 74, 1]}
        rank_by: sharpe_ratio
        store: {equity: {top: 3}, trades: {top: 3}}
        report: {top: 3}
        """

    func overfittingSection(_ db: String, _ out: String, sweepID: String) async throws -> String {
        try await ReportWriter(store: try HindsightDatabase.openExisting(path: db), sweepID: sweepID).write(
            to: out, wallSeconds: nil)
        let md = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        let start = try #require(md.range(of: "## Overfitting"))
        let rest = md[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }

    @Test func aMergedSweepSamplesTheSamePointsForCSCVAsTheUnshardedRun() async throws {
        let path = dir + "/many.yaml"
        TestPaths.write(Self.sweep, to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        #expect(plan.points.count == 1_200)
        func run(_ db: String, shard: (Int, Int)? = nil, resume: Bool = false) async throws {
            let options = SweepRunner.Options(
                jobs: 2, resume: resume, shard: shard.map { (index: $0.0, count: $0.1) }, quiet: true)
            _ = try await SweepRunner.run(
                context: try SweepContext(plan: plan), store: try HindsightDatabase(path: db), options: options)
        }
        try await run(dir + "/whole.sqlite")
        try await run(dir + "/s1.sqlite", shard: (1, 2))
        try await run(dir + "/s2.sqlite", shard: (2, 2))
        _ = try HindsightDatabase.merge(into: dir + "/merged.sqlite", shards: [dir + "/s1.sqlite", dir + "/s2.sqlite"])
        // As the Slurm merge job does: rank across shards and keep the top points' details.
        try await run(dir + "/merged.sqlite", resume: true)
        let whole = try await overfittingSection(dir + "/whole.sqlite", dir + "/r-whole", sweepID: plan.sweepID)
        let merged = try await overfittingSection(dir + "/merged.sqlite", dir + "/r-merged", sweepID: plan.sweepID)
        #expect(whole == merged)
        #expect(whole.contains("over 600 points") || whole.contains("over 6"), "\(whole.prefix(400))")
    }
}

/// The report's benchmark line is a total return, as the engine measures it, not a raw close.
struct BenchmarkLineTests {
    @Test func theChartedBenchmarkCompoundsSplitsAndDividendsLikeTheEnginesAdjustedClose() throws {
        let dir = TestPaths.makeTempDir("hindsight-benchmark-line")
        let path = dir + "/s.yaml", db = dir + "/s.sqlite"
        // The quickstart's market: its index fund MKT splits in 2016.
        TestPaths.write(
            """
            sweep: bench-line
            base:
              data: {synthetic: {assets: 50, start: 2012-01-03, end: 2021-12-31, seed: 42}}
              start: 2012-01-03
              end: 2021-12-31
              universe: {tickers: [MKT]}
              strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
              benchmark: MKT
            grid:
              strategy.params.fast: [10]
            """, to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        let context = try SweepContext(plan: plan)
        try SweepRunner.storeReferenceSeries(context: context, store: try HindsightDatabase(path: db))
        let store = try HindsightDatabase.openExisting(path: db)
        let prices = try store.loadPrices(tickers: ["MKT"], from: nil, to: nil)
        let actions = try store.loadCorporateActions().filter { $0.ticker == "MKT" }
        #expect(actions.contains { $0.kind == .split }, "the synthetic index should split in this sample")
        let growth = ReportBuilder.totalReturnIndex(
            dates: Array(prices.dates[0..<prices.count]), closes: Array(prices.close[0..<prices.count]),
            actions: actions)
        let p = context.inputs.panel, a = try #require(p.asset(ticker: "MKT"))
        var worst = 0.0
        for (i, d) in prices.dates[0..<prices.count].enumerated() {
            let k = p.index(asset: a, day: try #require(p.calendar.index(of: d)))
            let k0 = p.index(asset: a, day: try #require(p.calendar.index(of: prices.dates[0])))
            worst = max(worst, abs(growth[i] - p.adjustedClose[k] / p.adjustedClose[k0]) / growth[i])
        }
        #expect(worst < 1e-12, "worst relative difference \(worst)")
    }
}

/// Walk-forward windows go through the same pipeline: each window's out-of-sample figure is what `backtest run`
/// of the chosen point over the test months stores.
struct WalkForwardOneTruthTests {
    @Test func eachWindowsOutOfSampleValueEqualsBacktestRunOfThatWindow() async throws {
        let dir = TestPaths.makeTempDir("hindsight-wf-truth")
        let path = dir + "/wf.yaml", db = dir + "/wf.sqlite"
        TestPaths.write(
            """
            sweep: wf-truth
            base:
              data: {synthetic: {assets: 6, start: 2013-01-02, end: 2016-12-30, seed: 5}}
              start: 2014-01-02
              end: 2016-12-30
              universe: {tickers: [MKT]}
              strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
              execution: {fill: next_open, commission: {model: bps, bps: 10}}
              portfolio: {cash_rate: rf}
              benchmark: MKT
            grid:
              strategy.params.fast: [5, 10, 20]
              strategy.params.slow: [30, 60]
            rank_by: sharpe_ratio
            walk_forward: {train: 12m, test: 6m}
            """, to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        let context = try SweepContext(plan: plan)
        _ = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        let json = try #require(
            try HindsightDatabase.openExisting(path: db).metadataValue(WalkForwardAnalysis.metadataKey(plan.sweepID)))
        guard case .object(let o) = try JSONValue.parse(json),
            case .array(let windows)? = o.first(where: { $0.0 == "windows" })?.1
        else {
            Issue.record("no windows in \(json.prefix(200))")
            return
        }
        #expect(windows.count >= 3)
        let runner = BacktestRunner(store: try HindsightDatabase(path: dir + "/runs.sqlite"))
        for case .object(let w) in windows {
            func text(_ k: String) -> String? {
                if case .string(let s)? = w.first(where: { $0.0 == k })?.1 { return s }
                return nil
            }
            func number(_ k: String) -> Double? {
                if case .number(let x)? = w.first(where: { $0.0 == k })?.1 { return x }
                return nil
            }
            let point = try #require(plan.points.first { $0.id == text("point") })
            var c = try plan.config(for: point)
            let testStart = try #require(text("test_start")), testEnd = try #require(text("test_end"))
            c.start = try #require(TradingDay(iso: testStart))
            c.end = try #require(TradingDay(iso: testEnd))
            let outcome = try runner.run(c, inputs: context.inputs)
            guard case .object(let m) = outcome.metrics,
                case .number(let sharpe)? = m.first(where: { $0.0 == "sharpe_ratio" })?.1
            else {
                Issue.record("no sharpe_ratio")
                continue
            }
            #expect(
                number("out_of_sample") == sharpe,
                "window \(text("test_start") ?? "?"): walk-forward \(number("out_of_sample") ?? .nan), backtest run \(sharpe)"
            )
        }
    }
}
