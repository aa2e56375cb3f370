import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Testing
import YAMLConfig

@testable import Reports
@testable import Sweep

/// Swept lists, categories and list elements: readable in the report, points.csv and the progress line.
struct ReadableParameterTests {
    let dir = TestPaths.makeTempDir("hindsight-readable")

    func sweep() throws -> String {
        let tickers = try TestMarket.synthetic(assets: 4, start: "2014-01-02", end: "2016-12-30", seed: 3).prices
            .tickers.filter { $0 != "MKT" }.sorted()
        return """
            sweep: readable
            base:
              data: {synthetic: {assets: 4, start: 2014-01-02, end: 2016-12-30, seed: 3}}
              start: 2014-06-02
              end: 2016-12-30
              universe: {tickers: [MKT]}
              strategy:
                kind: assessment_risk_daily_rebal
                rebalance: monthly
                assessment:
                  model: composite
                  components:
                    - {model: momentum, lookback: 63, skip: 5, weight: 1}
                    - {model: low_volatility, lookback: 63, weight: 0.5}
                risk: {top_n: 2, long_only: true}
              execution: {fill: close}
            grid:
              universe.tickers: [[\(tickers[0]), \(tickers[1])], [\(tickers[0]), \(tickers[1]), \(tickers[2])]]
              strategy.rebalance: [weekly, monthly]
              strategy.assessment.components.1.weight: [0, 2]
            report: {top: 3}
            """
    }

    @Test func listAndCategoricalParametersReadInTheReportAndAListElementIsSweptByIndex() async throws {
        let path = dir + "/r.yaml", db = dir + "/r.sqlite"
        TestPaths.write(try sweep(), to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        #expect(plan.points.count == 8)
        // The index reaches the second component only.
        let context = try SweepContext(plan: plan)
        let c = try context.config(
            for: plan.points.first { $0.text("strategy.assessment.components.1.weight") == "2" }!)
        #expect(c.strategy.child("assessment.components.1.weight")?.readable == "2")
        #expect(c.strategy.child("assessment.components.0.weight")?.readable == "1")
        #expect(plan.points[0].label(paths: plan.spec.parameterPaths).contains("tickers=["))
        let s = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        let store = try HindsightDatabase.openExisting(path: db)
        let data = try SweepReportData(store: store, sweepID: s.sweepID)
        let tickers = Set(data.points.map { $0.params["universe.tickers"] ?? "" })
        #expect(tickers.count == 2 && tickers.allSatisfy { $0.hasPrefix("[") && $0.contains(", ") }, "\(tickers)")
        #expect(Set(data.points.map { $0.params["strategy.rebalance"] ?? "" }) == ["weekly", "monthly"])
        // The weight changes the result: the two weights give different metrics on otherwise equal points.
        let byWeight = Dictionary(grouping: data.points) { $0.params["strategy.assessment.components.1.weight"]! }
        #expect(byWeight["0"]!.map { $0.metrics["sharpe_ratio"] } != byWeight["2"]!.map { $0.metrics["sharpe_ratio"] })

        let out = dir + "/report"
        try await ReportWriter(store: store, sweepID: s.sweepID).write(to: out, wallSeconds: nil)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(tickers.contains { readme.contains("| \($0) |") }, "the leaderboard shows the swept list")
        // A bar chart for each categorical or list parameter.
        for p in ["universe-tickers", "strategy-rebalance"] {
            let svg = try String(contentsOfFile: out + "/charts/param-\(p).svg", encoding: .utf8)
            #expect(svg.contains("<rect") && readme.contains("charts/param-\(p).svg"), "\(p)")
        }
        let csv = try String(contentsOfFile: out + "/points.csv", encoding: .utf8)
        #expect(csv.contains("\"\(tickers.sorted()[0])\""), "points.csv quotes a list cell with commas")
        // Chart legends show parameters, not point ids.
        let equity = try String(contentsOfFile: out + "/charts/equity-top.svg", encoding: .utf8)
        #expect(equity.contains("rebalance=") && !equity.contains(">p" + data.ranked[0].id.dropFirst()))
    }

    @Test func anIndexPastTheEndOfAListIsAnErrorNamingTheList() throws {
        let yaml = try sweep().replacingOccurrences(
            of: "strategy.assessment.components.1.weight", with: "strategy.assessment.components.2.weight")
        let text = sweepFileError(yaml, at: dir + "/bad.yaml")
        #expect(text.contains("bad.yaml:") && text.contains("it has 2") && text.contains(".components.1"), "\(text)")
    }
}
