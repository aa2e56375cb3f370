import Analytics
import Engine
import Foundation
import GRDB
import HindsightCore
import HindsightTestSupport
import Storage
import Sweep
import Testing
import YAMLConfig

@testable import Reports

/// Choosing among points: benchmark-relative ranking, several objectives, filters, the robust pick and the verdict.
struct SelectionTests {
    let dir = TestPaths.makeTempDir("hindsight-selection")

    static let sweep = """
        sweep: choose
        base:
          name: choose
          data: {synthetic: {assets: 30, start: 2013-01-02, end: 2016-12-30, seed: 21}}
          start: 2014-01-02
          end: 2016-12-30
          universe: {rule: {kind: top_dollar_volume, size: 12, lookback: 21, min_price: 1, min_history: 63, rebalance: monthly}}
          strategy:
            kind: assessment_risk_daily_rebal
            rebalance: monthly
            assessment: {model: momentum, lookback: 63, skip: 5}
            risk: {top_n: 5, long_only: true}
          execution: {fill: close, commission: {model: bps, bps: 5}}
          benchmark: MKT
        grid:
          strategy.assessment.lookback: [21, 63, 126]
          strategy.assessment.skip: [0, 5, 10]
          strategy.risk.top_n: [3, 6]
        rank_by: [alpha, -max_drawdown]
        filters: ["trades >= 10", "annual_volatility < 0.5"]
        store: {equity: {top: 3}, trades: all}
        report: {top: 5}
        """

    func run(_ yaml: String = sweep, name: String = "s") async throws -> (String, SweepRunner.Summary) {
        let path = dir + "/\(name).yaml"
        TestPaths.write(yaml, to: path)
        let context = try SweepContext(plan: try SweepPlan(try SweepSpec.load(path: path)))
        let db = dir + "/\(name).sqlite"
        let s = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        return (db, s)
    }

    @Test func rankingByAlphaOnAUniverseRuleNeverTradesTheBenchmark() async throws {
        let (db, s) = try await run()
        let store = try HindsightDatabase.openExisting(path: db)
        let points = try store.sweepPoints(id: s.sweepID)
        #expect(points.count == 18 && points.allSatisfy { $0.status == .ok })
        var traded = Set<String>()
        for p in points {
            let run = try store.loadRun(id: p.runID!)
            for t in run.trades { traded.insert(t.ticker) }
            let m = try JSONValue.parse(p.metricsJSON!)
            for key in ["alpha", "beta", "excess_return", "information_ratio", "tracking_error", "up_capture"] {
                guard case .number(let v)? = m[key] else {
                    Issue.record("\(p.pointID) lacks \(key)")
                    continue
                }
                #expect(v.isFinite, "\(key)")
            }
        }
        #expect(!traded.isEmpty && !traded.contains("MKT"), "\(traded.sorted())")
        // The report ranks by alpha, highest first, among the points that pass the filters.
        let data = try SweepReportData(store: store, sweepID: s.sweepID)
        let alphas = data.ranked.map { $0.metrics["alpha"]! }
        #expect(alphas == alphas.sorted(by: >) && !alphas.isEmpty)
    }

    @Test func filteredPointsAreStoredAndCountedButNotRanked() async throws {
        let (db, s) = try await run()
        let store = try HindsightDatabase.openExisting(path: db)
        let data = try SweepReportData(store: store, sweepID: s.sweepID)
        let ok = data.points.filter { $0.status == .ok }
        let failing = ok.filter { p in
            !((p.metrics["trades"] ?? .nan) >= 10 && (p.metrics["annual_volatility"] ?? .nan) < 0.5)
        }
        #expect(data.filteredOut == failing.count)
        #expect(data.ranked.count == ok.count - failing.count)
        #expect(Set(data.ranked.map(\.id)).isDisjoint(with: failing.map(\.id)))
        #expect(data.trials == ok.count)
        let notes = try store.sweepPointNotes(id: s.sweepID)
        for p in failing { #expect(notes[p.id]?.contains("filtered_by") == true, "\(p.id)") }
    }

    @Test func theParetoFrontIsExactlyTheNonDominatedPoints() async throws {
        let (db, s) = try await run()
        let data = try SweepReportData(store: try HindsightDatabase.openExisting(path: db), sweepID: s.sweepID)
        func score(_ p: SweepReportData.Point) -> (Double, Double) {
            (p.metrics["alpha"]!, -p.metrics["max_drawdown"]!)
        }
        let expected = data.ranked.filter { p in
            let a = score(p)
            return !data.ranked.contains { q in
                let b = score(q)
                return b.0 >= a.0 && b.1 >= a.1 && (b.0 > a.0 || b.1 > a.1)
            }
        }
        #expect(Set(data.paretoFront.map(\.id)) == Set(expected.map(\.id)) && !expected.isEmpty)
        #expect(data.paretoFront.first === data.ranked.first)
    }

    @Test func theReportLeadsWithAVerdictAndShowsTheBenchmarkBesideThePoints() async throws {
        let (db, s) = try await run()
        let out = dir + "/report"
        try await ReportWriter(store: try HindsightDatabase.openExisting(path: db), sweepID: s.sweepID).write(
            to: out, wallSeconds: s.seconds)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        let verdict = try #require(readme.range(of: "## Verdict"))
        let board = try #require(readme.range(of: "## Leaderboard"))
        #expect(verdict.lowerBound < board.lowerBound)
        #expect(readme.contains("the benchmark") && readme.contains("**Does the choice of parameters matter?**"))
        #expect(readme.contains("| **benchmark MKT** |"))
        #expect(readme.contains("| SR SE | SR 95% CI | DSR | PSR | p vs MKT |"), "the leaderboard's inference columns")
        #expect(readme.contains("## Pareto front") && readme.contains("charts/pareto.svg"))
        #expect(readme.contains("## Robust pick") && readme.contains("| most robust |"))
        #expect(FileManager.default.fileExists(atPath: out + "/charts/pareto.svg"))
        // The drawdown table has a benchmark row too, and the regime table benchmark columns.
        let drawdowns = readme.components(separatedBy: "## Drawdowns")[1].components(separatedBy: "## ")[0]
        #expect(drawdowns.contains("**benchmark MKT**"))
        #expect(readme.contains("benchmark Sharpe"))
        // The top points passed the look-ahead check, and the verdict says so.
        #expect(readme.contains("## Look-ahead check") && readme.contains("| passed |"))
        #expect(readme.contains("**Look-ahead.** Passed") && !readme.contains("FAILED"))
    }

    @Test func theMostRobustPointHasTheBestMedianOverItsGridNeighbours() async throws {
        let (db, s) = try await run()
        let data = try SweepReportData(store: try HindsightDatabase.openExisting(path: db), sweepID: s.sweepID)
        let robust = try #require(data.mostRobust)
        // Recompute the plateau of every ranked point by brute force over parameter indices.
        let paths = ["strategy.assessment.lookback", "strategy.assessment.skip", "strategy.risk.top_n"]
        let levels = paths.map { p in Array(Set(data.ranked.map { Double($0.params[p]!)! })).sorted() }
        func coord(_ q: SweepReportData.Point) -> [Int] {
            zip(paths, levels).map { p, l in l.firstIndex(of: Double(q.params[p]!)!)! }
        }
        var best = -Double.infinity
        for p in data.ranked {
            let c = coord(p)
            var v = data.ranked.filter { q in zip(coord(q), c).allSatisfy { abs($0 - $1) <= 1 } }.map {
                $0.metrics["alpha"]!
            }
            v.sort()
            let median = v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            #expect(abs(median - data.plateau[p.id]!) < 1e-15, "\(p.id)")
            best = max(best, median)
        }
        #expect(data.plateau[robust.id] == best)
    }

    static func specError(_ extra: String, base: String = sweep) -> String {
        let yaml = base.components(separatedBy: "rank_by:")[0] + extra
        do {
            _ = try SweepSpec.parse(try YAMLDocument.parse(yaml, file: "s.yaml"), file: "s.yaml")
            return ""
        } catch { return "\(error)" }
    }

    @Test func badRankByAndFiltersAreErrorsThatNameTheLine() {
        let unknown = Self.specError("rank_by: [sharpe_ratio, -max_drawdwn]\n")
        #expect(unknown.contains("s.yaml:") && unknown.contains("max_drawdwn") && unknown.contains("max_drawdown"))
        let twice = Self.specError("rank_by: [alpha, -alpha]\n")
        #expect(twice.contains("twice"))
        let filter = Self.specError("filters: [\"tradez > 3\"]\n")
        #expect(filter.contains("tradez") && filter.contains("trades"))
        let noBenchmark = Self.specError(
            "rank_by: information_ratio\n", base: Self.sweep.replacingOccurrences(of: "  benchmark: MKT\n", with: ""))
        #expect(noBenchmark.contains("benchmark") && noBenchmark.contains("information_ratio"), "\(noBenchmark)")
    }
}

extension SelectionTests {
    @Test func aSecondSweepOnTheSameDataCountsTheTrialsOfBoth() async throws {
        let (db, first) = try await run()
        // The same data, another grid: a second sweep into the same database.
        let second = Self.sweep.replacingOccurrences(of: "sweep: choose", with: "sweep: choose-again")
            .replacingOccurrences(of: "strategy.risk.top_n: [3, 6]", with: "strategy.risk.top_n: [4]")
        let path = dir + "/again.yaml"
        TestPaths.write(second, to: path)
        let context = try SweepContext(plan: try SweepPlan(try SweepSpec.load(path: path)))
        let s2 = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        let store = try HindsightDatabase.openExisting(path: db)
        let a = try SweepReportData(store: store, sweepID: first.sweepID)
        let b = try SweepReportData(store: store, sweepID: s2.sweepID)
        func sharpes(_ d: SweepReportData) -> [Double] {
            d.points.compactMap { $0.metrics["sharpe_per_period"] }.filter(\.isFinite)
        }
        let pooled = sharpes(a) + sharpes(b)
        #expect(a.trials == sharpes(a).count && a.trialSweeps == 1)
        #expect(b.trials == pooled.count && b.trialSweeps == 2 && b.usesLedger)
        let mean = pooled.reduce(0, +) / Double(pooled.count)
        let variance = pooled.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(pooled.count - 1)
        #expect(abs(b.sharpeVariance / variance - 1) < 1e-9)
        let best = try #require(b.ranked.first)
        let dsr = Metrics.deflatedSharpe(
            sharpePerPeriod: best.metrics["sharpe_per_period"]!, skewness: best.metrics["skewness_g3"]!,
            kurtosis: best.metrics["kurtosis_g4"]!, observations: Int(best.metrics["n_obs"]!), trials: pooled.count,
            trialSharpeVariance: variance)
        #expect(abs(b.deflated[best.id]! - dsr) < 1e-9)
        // `trials: sweep` counts the sweep's own points only.
        TestPaths.write(second + "\ntrials: sweep\n", to: path)
        let own = try SweepContext(plan: try SweepPlan(try SweepSpec.load(path: path)))
        let s3 = try await SweepRunner.run(
            context: own, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        let c = try SweepReportData(store: try HindsightDatabase.openExisting(path: db), sweepID: s3.sweepID)
        #expect(c.trials == sharpes(c).count && !c.usesLedger)
    }
}

extension SelectionTests {
    @Test func aSweepOfAStrategyThatReadsTheFutureIsFlaggedAtTheTopOfTheReport() async throws {
        StrategyRegistry.register(PeekTomorrow.self)
        let yaml = """
            sweep: peek
            base:
              data: {synthetic: {assets: 4, start: 2014-01-02, end: 2015-12-31, seed: 4}}
              start: 2014-06-02
              end: 2015-12-31
              universe: {tickers: [MKT]}
              strategy: {kind: test_peek_tomorrow}
              execution: {fill: close, commission: {model: bps, bps: 0}}
              benchmark: MKT
            grid:
              execution.commission.bps: [0, 5]
            """
        let (db, s) = try await run(yaml, name: "peek")
        let out = dir + "/peek-report"
        try await ReportWriter(store: try HindsightDatabase.openExisting(path: db), sweepID: s.sweepID).write(
            to: out, wallSeconds: nil)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("**Look-ahead.** The check **failed**") && readme.contains("| **FAILED** |"))
        #expect(readme.contains("decision ") && readme.contains("with the data cut after"))
    }
}

extension SelectionTests {
    @Test func cpcvPicksTheInSampleBestOfEachSplitAndReportsItsOutOfSampleSharpe() async throws {
        let yaml =
            Self.sweep.components(separatedBy: "rank_by:")[0] + """
                rank_by: sharpe_ratio
                validation: {kind: cpcv, groups: 5, test_groups: 2, embargo: 5}
                store: {equity: all}
                """
        let (db, s) = try await run(yaml, name: "cpcv")
        let store = try HindsightDatabase.openExisting(path: db)
        let text = try #require(try store.metadataValue("cpcv:" + s.sweepID))
        let o = try JSONValue.parse(text)
        guard case .array(let splits)? = o["splits"] else {
            Issue.record("no splits in \(text)")
            return
        }
        #expect(splits.count == 10)
        // Independently, from each point's stored equity: returns, then the argmax of the training Sharpe.
        let data = try SweepReportData(store: store, sweepID: s.sweepID)
        let equity = try store.sweepEquity(id: s.sweepID)
        var returns: [String: [Double]] = [:]
        for p in data.points {
            let e = equity[p.id]!.equity, cash = p.metrics["initial_cash"]!
            returns[p.id] = e.indices.map { $0 == 0 ? e[0] / cash - 1 : e[$0] / e[$0 - 1] - 1 }
        }
        let n = returns.values.first!.count
        let cv = CombinatorialPurgedCV(sessions: n, groups: 5, testGroups: 2, embargo: 5)
        for (k, split) in cv.splits.enumerated() {
            let scored = returns.map { key, r in (key, Metrics.sharpeRatio(split.train.map { r[$0] })) }
                .filter { $0.1.isFinite }
            let bestValue = scored.map(\.1).max()!
            guard case .string(let chosen)? = splits[k]["point"],
                case .number(let oos)? = splits[k]["out_of_sample_sharpe"]
            else {
                Issue.record("split \(k)")
                continue
            }
            #expect(abs(scored.first { $0.0 == chosen }!.1 - bestValue) < 1e-12, "split \(k)")
            #expect(abs(oos - Metrics.sharpeRatio(split.test.map { returns[chosen]![$0] })) < 1e-12)
        }
        let out = dir + "/cpcv-report"
        try await ReportWriter(store: store, sweepID: s.sweepID).write(to: out, wallSeconds: nil)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(readme.contains("## Combinatorial purged cross-validation") && readme.contains("charts/cpcv.svg"))
        #expect(readme.contains("cpcv splits the in-sample choice makes a median out-of-sample Sharpe"))
    }

    @Test func badValidationIsAnErrorThatNamesTheKey() {
        let e1 = Self.specError("validation: {kind: cpcv, groups: 6, test_groups: 6}\n")
        #expect(e1.contains("test_groups must be 1 to 5"), "\(e1)")
        let e2 = Self.specError("validation: {kind: kfold}\n")
        #expect(e2.contains("unknown validation kind") && e2.contains("cpcv"), "\(e2)")
        let e3 = Self.specError("rank_by: trades\nvalidation: {kind: cpcv}\n")
        #expect(e3.contains("returns metric"), "\(e3)")
    }
}
