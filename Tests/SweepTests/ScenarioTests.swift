import Analytics
import Backtest
import Foundation
import GRDB
import HindsightCore
import HindsightTestSupport
import Storage
import Sweep
import Testing
import YAMLConfig

@testable import Reports

/// Scenarios: top points re-run on markets rebuilt from resampled whole days.
struct ScenarioTests {
    let dir = TestPaths.makeTempDir("hindsight-scenarios")

    static let sweep = """
        sweep: scen
        base:
          data: {synthetic: {assets: 12, start: 2013-01-02, end: 2016-12-30, seed: 31}}
          start: 2014-01-02
          end: 2016-12-30
          universe: {rule: {kind: top_dollar_volume, size: 8, lookback: 21, min_price: 1, min_history: 63, rebalance: monthly}}
          strategy:
            kind: assessment_risk_daily_rebal
            rebalance: monthly
            assessment: {model: momentum, lookback: 63, skip: 5}
            risk: {top_n: 4, long_only: true}
          execution: {fill: next_open, commission: {model: bps, bps: 5}}
          benchmark: MKT
        grid:
          strategy.assessment.lookback: [21, 63, 126]
          strategy.risk.top_n: [2, 4]
        scenarios:
          top: 3
          paths: 12
          seed: 7
          generators: [{kind: stationary_bootstrap, block: auto}, {kind: circular_block_bootstrap, block: 10}]
        """

    func run(_ yaml: String = sweep, db name: String = "s") async throws -> (String, SweepRunner.Summary) {
        let path = dir + "/\(name).yaml", db = dir + "/\(name).sqlite"
        TestPaths.write(yaml, to: path)
        let context = try SweepContext(plan: try SweepPlan(try SweepSpec.load(path: path)))
        let s = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        return (db, s)
    }

    @Test func aResampledDayCarriesEveryAssetsMovesOfItsSourceDay() throws {
        let c = try TestConfig.parse(
            """
            data: {synthetic: {assets: 80, start: 2010-01-04, end: 2016-12-30, seed: 2}}
            start: 2013-01-02
            end: 2016-12-30
            universe: {all: true}
            strategy: {kind: equal_weight_buy_and_hold}
            """)
        let inputs = try MarketInputs.load(for: c)
        let p = inputs.panel
        #expect(p.splitRatio.contains { $0 != 1 } && p.dividend.contains { $0 != 0 }, "the data has actions")
        let r = MarketResampler(inputs: inputs, firstDay: 250)
        var rng = Xoshiro256StarStar(seed: 5)
        let sources = BlockBootstrap(kind: .stationary, block: 8).indices(count: r.window.count, rng: &rng).map {
            r.window.lowerBound + $0
        }
        let q = try r.path(sources: sources).panel
        #expect(q.dayCount == p.dayCount && q.tickers == p.tickers)
        var checked = 0, worst = 0.0
        for a in 0..<p.assetCount {
            for d in 0..<p.dayCount {
                let k = a * p.dayCount + d
                if d < 250 {
                    #expect(q.close[k] == p.close[k] || !p.valid[k])
                    continue
                }
                let s = sources[d - 250], ks = a * p.dayCount + s
                guard q.valid[k], q.valid[k - 1], p.valid[ks - 1] else { continue }
                // The path's split-adjusted move on d is the source day's.
                let moved = q.close[k] * q.splitRatio[k] / q.close[k - 1]
                let source = p.close[ks] * p.splitRatio[ks] / p.close[ks - 1]
                worst = max(worst, abs(moved / source - 1))
                checked += 1
                #expect(q.volume[k] == p.volume[ks])
                #expect(q.splitRatio[k] == p.splitRatio[k], "splits stay on their own sessions")
            }
        }
        #expect(checked > 10_000 && worst < 1e-12, "\(checked) checked, worst \(worst)")
    }

    @Test func aSyntheticPathsClosesFollowItsReturnsAndEachBarIsABar() throws {
        let c = try TestConfig.parse(
            """
            data: {synthetic: {assets: 30, start: 2010-01-04, end: 2014-12-31, seed: 2}}
            start: 2012-01-03
            end: 2014-12-31
            universe: {all: true}
            strategy: {kind: equal_weight_buy_and_hold}
            """)
        let inputs = try MarketInputs.load(for: c)
        let p = inputs.panel, nD = p.dayCount
        let r = MarketResampler(inputs: inputs, firstDay: 300)
        let n = r.window.count
        var rng = Xoshiro256StarStar(seed: 8)
        let moves = (0..<(p.assetCount * n)).map { _ in 0.02 * rng.normal() }
        let shapes = (0..<n).map { _ in r.window.lowerBound + rng.int(below: n) }
        let q = try r.path(sources: shapes, closeReturns: moves).panel
        var checked = 0, worst = 0.0
        for a in 0..<p.assetCount {
            for d in 301..<nD {
                let k = a * nD + d
                #expect(q.valid[k] == p.valid[k], "listings stay as they were")
                guard q.valid[k], q.valid[k - 1] else { continue }
                let moved = q.close[k] * q.splitRatio[k] / q.close[k - 1] - 1
                worst = max(worst, abs(moved - moves[a * n + d - 300]))
                #expect(q.high[k] >= max(q.open[k], q.close[k]) && q.low[k] <= min(q.open[k], q.close[k]))
                checked += 1
            }
        }
        #expect(checked > 10_000 && worst < 1e-12, "\(checked) checked, worst \(worst)")
    }

    @Test func theTopPointsRunOnEveryPathAndTheReportSummarisesThem() async throws {
        let (db, s) = try await run()
        let store = try HindsightDatabase.openExisting(path: db)
        let rows = try store.scenarios(sweepID: s.sweepID)
        #expect(rows.count == 3 * 12 * 2)
        #expect(
            rows.allSatisfy { !$0.metricsJSON.contains("\"error\"") },
            "\(rows.first { $0.metricsJSON.contains("error") }?.metricsJSON ?? "")")
        let summaries = try store.scenarioSummaries(sweepID: s.sweepID)
        #expect(summaries.count == 6)
        // Paths differ from each other and from history.
        let sharpes = Set(rows.filter { $0.generator == "stationary_bootstrap" }.map { $0.metricsJSON })
        #expect(sharpes.count == 36)
        let out = dir + "/report"
        try await ReportWriter(store: store, sweepID: s.sweepID).write(to: out, wallSeconds: nil)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("## Scenarios") && readme.contains("### `stationary_bootstrap` (12 paths)"))
        #expect(readme.contains("### `circular_block_bootstrap-b10` (12 paths)") && readme.contains("robust rank"))
        #expect(FileManager.default.fileExists(atPath: out + "/charts/scenarios-stationary-bootstrap.svg"))
    }

    @Test func scenarioPathsAreReproducibleAndAResumeAddsOnlyTheMissingOnes() async throws {
        let (db, s) = try await run(db: "a")
        let store = try HindsightDatabase.openExisting(path: db)
        let all = try store.scenarios(sweepID: s.sweepID)
        // Lose half of the paths, as a kill would, and resume.
        try await DatabaseQueue(path: db).write {
            try $0.execute(sql: "DELETE FROM backtest_scenarios WHERE path >= 6")
        }
        let path = dir + "/a.yaml"
        let context = try SweepContext(plan: try SweepPlan(try SweepSpec.load(path: path)))
        _ = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: true, shard: nil, quiet: true))
        #expect(try HindsightDatabase.openExisting(path: db).scenarios(sweepID: s.sweepID) == all)
        // Another database, the same seed: the same paths.
        let (db2, s2) = try await run(db: "b")
        #expect(try HindsightDatabase.openExisting(path: db2).scenarios(sweepID: s2.sweepID) == all)
    }

    @Test func anUnknownGeneratorOrAMisplacedOptionIsRefusedAtItsLine() throws {
        for (generator, message) in [
            ("{kind: regime_boostrap}", "unknown scenario generator `regime_boostrap`"),
            ("{kind: synthetic, block: 5}", "`block` does not apply"),
            ("{kind: stationary_bootstrap, stress: {crisis: 3}}", "`stress` applies to regime_bootstrap and synthetic"),
            ("{kind: regime_bootstrap, stress: {crisis: 0}}", "stress.crisis must be a multiplier above 0"),
        ] {
            let yaml = Self.sweep.replacingOccurrences(
                of: "{kind: circular_block_bootstrap, block: 10}", with: generator)
            let text = sweepFileError(yaml, at: dir + "/bad.yaml")
            #expect(text.contains("bad.yaml:") && text.contains(message), "\(text)")
        }
    }

    static let regimeSweep = sweep.replacingOccurrences(
        of: "generators: [{kind: stationary_bootstrap, block: auto}, {kind: circular_block_bootstrap, block: 10}]",
        with: "generators: [{kind: regime_bootstrap, block: 5, stress: {crisis: 3}}, {kind: synthetic}]"
    ).replacingOccurrences(of: "paths: 12", with: "paths: 10")

    @Test func regimeAndSyntheticPathsRunTheTopPointsAndTheReportShowsWhatWasFitted() async throws {
        let (db, s) = try await run(Self.regimeSweep, db: "regime")
        let store = try HindsightDatabase.openExisting(path: db)
        let rows = try store.scenarios(sweepID: s.sweepID)
        #expect(rows.count == 3 * 10 * 2 && rows.allSatisfy { !$0.metricsJSON.contains("\"error\"") })
        #expect(Set(rows.map(\.generator)) == ["regime_bootstrap-b5-crisisx3", "synthetic"])
        #expect(Set(rows.filter { $0.generator == "synthetic" }.map(\.metricsJSON)).count == 30)
        let summaries = try store.scenarioSummaries(sweepID: s.sweepID)
        let regime = try #require(summaries.first { $0.generator.hasPrefix("regime") }).json
        let o = try JSONValue.parse(regime)
        // The stressed chain spends longer in crisis than the history did.
        guard case .array(let labels)? = o["model"]?["regimes"],
            case .array(let hist)? = o["model"]?["historical_share"],
            case .array(let long)? = o["model"]?["stationary_share"],
            let c = labels.firstIndex(of: .string("crisis")),
            case .number(let h) = hist[c], case .number(let l) = long[c]
        else {
            Issue.record("no regime model in \(regime)")
            return
        }
        #expect(l > 1.5 * h, "crisis share \(h) → \(l)")
        #expect(o["annual_loss_cramer"]?["rate"] != nil)
        let out = dir + "/regime-report"
        try await ReportWriter(store: store, sweepID: s.sweepID).write(to: out, wallSeconds: nil)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(
            readme.contains("### `regime_bootstrap-b5-crisisx3` (10 paths)")
                && readme.contains("### `synthetic` (10 paths)"))
        #expect(readme.contains("Cramér I(0)") && readme.contains("median beta") && readme.contains("crisis"))
    }

    @Test func aStressLabelTheDataLacksIsRefusedBeforeAnythingIsWritten() async throws {
        let yaml = Self.regimeSweep.replacingOccurrences(of: "{crisis: 3}", with: "{meltdown: 3}")
        let path = dir + "/meltdown.yaml", db = dir + "/meltdown.sqlite"
        TestPaths.write(yaml, to: path)
        let context = try SweepContext(plan: try SweepPlan(try SweepSpec.load(path: path)))
        let store = try HindsightDatabase(path: db)
        await #expect {
            try await SweepRunner.run(
                context: context, store: store,
                options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        } throws: { error in
            let text = "\(error)"
            return text.contains("meltdown.yaml:") && text.contains("no `meltdown`") && text.contains("crisis")
        }
        #expect(try store.sweepPoints(id: context.plan.sweepID).isEmpty)
    }
}

extension ScenarioTests {
    @Test func episodesFindTheFinancialCrisisAndABuyAndHoldsEpisodeDrawdownIsTheWindowsOwn() async throws {
        let prices = TestPaths.shared("us-equities/prices.csv.gz")
        guard FileManager.default.fileExists(atPath: prices) else { return }
        let db = dir + "/us.sqlite"
        for args in [["prices", prices], ["profiles", TestPaths.shared("us-equities/profiles.csv")]] {
            let r = try HindsightBinary.run(["data", "import"] + args + ["--db", db])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let yaml = """
            sweep: episodes
            base:
              data: {db: \(db)}
              calendar: data
              start: 2006-01-03
              end: 2017-11-10
              initial_cash: 100000
              fractional_shares: true
              universe: {tickers: [SPY]}
              strategy: {kind: equal_weight_buy_and_hold}
              execution: {fill: close, commission: {model: bps, bps: 0}}
              portfolio: {dividends: reinvest}
              benchmark: SPY
            grid:
              execution.commission.bps: [0]
            scenarios: {top: 1, paths: 10, generators: [{kind: episodes}]}
            """
        let (results, s) = try await run(yaml, db: "episodes")
        let rows = try HindsightDatabase.openExisting(path: results).scenarios(sweepID: s.sweepID)
        let parsed = try rows.map { try JSONValue.parse($0.metricsJSON) }
        let gfc = try #require(parsed.first { $0["episode"] == .string("gfc-2008") }, "\(rows.map(\.metricsJSON))")
        #expect(parsed.contains { if case .string(let n)? = $0["source"] { n == "benchmark drawdown" } else { false } })
        // Directly: SPY's adjusted closes over the window.
        let c = try TestConfig.parse(
            "data: {db: \(db)}\ncalendar: data\nstart: 2006-01-03\nend: 2017-11-10\nuniverse: {tickers: [SPY]}\nstrategy: {kind: equal_weight_buy_and_hold}"
        )
        let panel = try MarketInputs.load(for: c).panel
        let a = panel.asset(ticker: "SPY")!
        guard case .string(let first)? = gfc["first"], case .string(let last)? = gfc["last"] else {
            Issue.record("no window")
            return
        }
        let lo = panel.calendar.index(of: TradingDay(iso: first)!)!,
            hi = panel.calendar.index(of: TradingDay(iso: last)!)!
        var peak = 0.0, worst = 0.0
        for d in lo...hi {
            let v = panel.adjustedClose[a * panel.dayCount + d]
            peak = max(peak, v)
            worst = min(worst, v / peak - 1)
        }
        guard case .number(let dd)? = gfc["alone"]?["max_drawdown"],
            case .number(let bench)? = gfc["benchmark"]?["max_drawdown"]
        else {
            Issue.record("no drawdowns in \(gfc.render())")
            return
        }
        #expect(
            abs(dd - worst) < 1e-9 && abs(bench - worst) < 1e-9, "episode \(dd), benchmark \(bench), direct \(worst)")
        #expect(worst < -0.4, "the 2008 crisis is deep: \(worst)")
    }
}
