import Analytics
import Backtest
import Foundation
import HindsightCore
import HindsightTestSupport
@testable import Reports
import Storage
import Sweep
import Testing

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

    func sweepPoint(_ yaml: String) async throws -> [String: JSONValue] {
        let path = dir + "/s.yaml", db = dir + "/s.sqlite"
        TestPaths.write(yaml, to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        let context = try SweepContext(plan: plan)
        let options = SweepRunner.Options(jobs: 1, resume: false, shard: nil, quiet: true)
        let s = try await SweepRunner.run(context: context, store: try HindsightDatabase(path: db), options: options)
        #expect(s.ran == 1 && s.failed == 0 && s.invalid == 0)
        let row = try #require(try HindsightDatabase.openExisting(path: db).sweepPoints(id: plan.sweepID).first)
        guard case .object(let o) = try JSONValue.parse(try #require(row.metricsJSON)) else { return [:] }
        return Dictionary(o, uniquingKeysWith: { a, _ in a })
    }

    func backtestRun(_ yaml: String) throws -> [String: JSONValue] {
        let path = dir + "/r.yaml"
        TestPaths.write(yaml, to: path)
        let runner = BacktestRunner(store: try HindsightDatabase(path: dir + "/r.sqlite"))
        let outcome = try runner.run(try runner.loadConfig(path: path))
        // As stored, like the sweep point.
        let stored = try #require(try runner.backtestResults(runID: outcome.runID).run.metricsJSON)
        guard case .object(let o) = try JSONValue.parse(stored) else { return [:] }
        return Dictionary(o, uniquingKeysWith: { a, _ in a })
    }

    func number(_ v: JSONValue?) -> Double? {
        switch v {
        case .number(let d)?: return d
        case .integer(let i)?: return Double(i)
        default: return nil
        }
    }

    @Test func aSweepPointWithACashRateEqualsBacktestRunOfTheSameConfig() async throws {
        let run = try backtestRun(Self.base.replacingOccurrences(of: "\n      ", with: "\n"))
        let point = try await sweepPoint("sweep: cash\nbase:\n" + Self.base + "\ngrid:\n  strategy.params.fast: [10]\nrank_by: total_return\n")
        // Every metric the point stores has the value `backtest run` stores.
        #expect(point.count >= 30)
        for (key, value) in point where !["engine", "sharpe_per_period", "skewness_g3", "kurtosis_g4"].contains(key) {
            guard let b = number(value) else { continue }
            let a = try #require(number(run[key]), "\(key) missing from backtest run")
            #expect(a == b || (a.isNaN && b.isNaN), "\(key): backtest run \(a), sweep \(b)")
        }
        for key in ["alpha", "beta", "information_ratio", "up_capture", "down_capture", "tracking_error"] { #expect(point[key] != nil, "\(key)") }
        #expect(number(run["trades"]) == number(point["trades"]))
    }

    @Test func aStrategyOnlySweepOverATickerAbsentFromTheDataIsRefusedBeforeItRuns() throws {
        let path = dir + "/absent.yaml"
        TestPaths.write("sweep: absent\nbase:\n" + Self.base.replacingOccurrences(of: "[MKT]}", with: "[NOPE]}")
                        + "\ngrid:\n  strategy.params.fast: [5, 10]\n", to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        #expect {
            try SweepContext(plan: plan)
        } throws: { e in
            (e as? HindsightError)?.message.contains("NOPE") == true
        }
    }

    @Test func anSMAWindowLongerThanTheDataIsInvalidOnTheKernelPathAndInBacktestRun() async throws {
        let base = Self.base.replacingOccurrences(of: "fill: next_open", with: "fill: close").replacingOccurrences(of: "portfolio: {cash_rate: rf}", with: "")
            .replacingOccurrences(of: "start: 2014-06-02", with: "start: 2014-01-02")
        let path = dir + "/long.yaml", db = dir + "/long.sqlite"
        TestPaths.write("sweep: long\nbase:\n" + base + "\ngrid:\n  strategy.params.slow: [40, 5000]\nrank_by: total_return\n", to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        let s = try await SweepRunner.run(context: try SweepContext(plan: plan), store: try HindsightDatabase(path: db),
                                          options: SweepRunner.Options(jobs: 1, resume: false, shard: nil, quiet: true))
        #expect(s.ran == 2 && s.invalid == 1)
        let rows = try HindsightDatabase.openExisting(path: db).sweepPoints(id: plan.sweepID)
        #expect(rows.contains { $0.status == "invalid" && ($0.error ?? "").contains("slow window 5000") })
        let run = dir + "/long-run.yaml"
        TestPaths.write(base.replacingOccurrences(of: "\n      ", with: "\n").replacingOccurrences(of: "slow: 40", with: "slow: 5000"), to: run)
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

    func overfittingSection(_ db: String, _ out: String, sweepID: String) throws -> String {
        try ReportWriter(store: try HindsightDatabase.openExisting(path: db), sweepID: sweepID).write(to: out, wallSeconds: nil)
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
            let options = SweepRunner.Options(jobs: 2, resume: resume, shard: shard.map { (index: $0.0, count: $0.1) }, quiet: true)
            _ = try await SweepRunner.run(context: try SweepContext(plan: plan), store: try HindsightDatabase(path: db), options: options)
        }
        try await run(dir + "/whole.sqlite")
        try await run(dir + "/s1.sqlite", shard: (1, 2))
        try await run(dir + "/s2.sqlite", shard: (2, 2))
        _ = try HindsightDatabase.merge(into: dir + "/merged.sqlite", shards: [dir + "/s1.sqlite", dir + "/s2.sqlite"])
        // As the Slurm merge job does: rank across shards and keep the top points' details.
        try await run(dir + "/merged.sqlite", resume: true)
        let whole = try overfittingSection(dir + "/whole.sqlite", dir + "/r-whole", sweepID: plan.sweepID)
        let merged = try overfittingSection(dir + "/merged.sqlite", dir + "/r-merged", sweepID: plan.sweepID)
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
        TestPaths.write("""
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
        let growth = ReportBuilder.totalReturnIndex(dates: Array(prices.dates[0..<prices.count]), closes: Array(prices.close[0..<prices.count]), actions: actions)
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
