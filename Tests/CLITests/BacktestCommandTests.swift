import Foundation
import HindsightTestSupport
import Testing

/// `hindsight backtest run|show` end to end.
struct BacktestCommandTests {
    let dir = TestPaths.makeTempDir("hindsight-backtest-cli")

    static let config = """
        name: cli-momentum
        data: {synthetic: {assets: 40, start: 2015-01-02, end: 2016-12-30, seed: 4}}
        start: 2015-06-01
        end: 2016-12-30
        strategy:
          kind: assessment_risk_daily_rebal
          rebalance: monthly
          assessment: {model: momentum, lookback: 100, skip: 5}
          risk: {top_n: 8}
        execution: {commission: {model: bps, bps: 5}}
        benchmark: MKT
        """

    @Test func showListsRoundTripsAndPlotDrawsEveryFillOfTheTicker() throws {
        let cfg = dir + "/stops.yaml", db = dir + "/stops.sqlite"
        TestPaths.write(
            """
            data: {synthetic: {assets: 3, start: 2015-01-02, end: 2016-12-30, seed: 4}}
            start: 2015-03-02
            end: 2016-12-30
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            stops: {stop_loss: 0.02, take_profit: 0.03}
            """, to: cfg)
        let r = try HindsightBinary.run(["backtest", "run", cfg, "--db", db, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let id = try #require(obj["run_id"] as? String)
        let show = try HindsightBinary.run(["backtest", "show", id, "--db", db, "--json", "--round-trips"])
        let shown = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        let trips = try #require(shown["round_trips"] as? [[String: Any]])
        #expect(!trips.isEmpty && trips.contains { $0["exit_reason"] as? String == "take_profit" })
        let text = try HindsightBinary.run(["backtest", "show", id, "--db", db, "--round-trips"])
        #expect(text.stdout.contains("reason") && text.stdout.contains("stop_loss"), "\(text.stdout)")
        let svg = dir + "/plot.svg"
        let plot = try HindsightBinary.run(["backtest", "plot", id, "--db", db, "--out", svg])
        #expect(plot.status == 0, "\(plot.stderr)")
        let body = try String(contentsOfFile: svg, encoding: .utf8)
        let fills = (obj["metrics"] as? [String: Any])?["trades"] as? Int ?? -1
        #expect(body.components(separatedBy: "<title>").count - 1 == fills)
        #expect(body.hasPrefix("<svg") && body.contains("equity"))
        let again = try HindsightBinary.run(["backtest", "plot", id, "--db", db, "--out", svg])
        #expect(again.status != 0 && again.stderr.contains("exists; nothing was written"), "\(again.stderr)")
    }

    @Test func runPrintsOneJSONObjectWithRunIDStatusMetricsAndEquity() throws {
        let cfg = dir + "/m.yaml", db = dir + "/runs.sqlite"
        TestPaths.write(Self.config, to: cfg)
        let r = try HindsightBinary.run(["backtest", "run", cfg, "--db", db, "--json", "--equity"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(obj["status"] as? String == "ok")
        let id = try #require(obj["run_id"] as? String)
        let metrics = try #require(obj["metrics"] as? [String: Any])
        #expect(
            metrics["sharpe_ratio"] is Double && metrics["beta"] is Double && metrics["attribution"] is [String: Any])
        let equity = try #require(obj["equity"] as? [[String: Any]])
        #expect(equity.count > 300)
        #expect(equity.first?["date"] as? String == "2015-06-01")
        #expect(abs((equity.last?["equity"] as! Double) - (metrics["final_equity"] as! Double)) < 1e-9)

        let show = try HindsightBinary.run(["backtest", "show", id, "--db", db, "--json", "--trades", "--equity"])
        #expect(show.status == 0, "\(show.stderr)")
        let stored = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        #expect(stored["status"] as? String == "ok")
        #expect((stored["trades"] as! [Any]).count == metrics["trades"] as! Int)
        #expect((stored["equity"] as! [Any]).count == equity.count)
        let text = try HindsightBinary.run(["backtest", "show", id, "--db", db])
        #expect(text.stdout.contains("sharpe_ratio") && text.stdout.contains("config hash"))
    }

    @Test func anInvalidConfigExitsNonZeroNamesTheLineAndIsRecorded() throws {
        let cfg = dir + "/bad.yaml", db = dir + "/runs.sqlite"
        TestPaths.write(Self.config.replacingOccurrences(of: "top_n: 8", with: "top_n: 8, max_wieght: 0.1"), to: cfg)
        let r = try HindsightBinary.run(["backtest", "run", cfg, "--db", db, "--json"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.yaml:9:20: unknown key `strategy.risk.max_wieght`"))
        #expect(r.stderr.contains("did you mean `max_weight`?"))
        #expect(!r.stderr.contains("Fatal") && !r.stderr.contains("Stack"))
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(obj["status"] as? String == "invalid")
        let id = try #require(obj["run_id"] as? String)
        let show = try HindsightBinary.run(["backtest", "show", id, "--db", db])
        #expect(show.stdout.contains("invalid") && show.stdout.contains("max_wieght"))
    }

    @Test func aMissingConfigFileIsAClearError() throws {
        let r = try HindsightBinary.run(["backtest", "run", dir + "/nope.yaml", "--db", dir + "/x.sqlite"])
        #expect(r.status == 1 && r.stderr.contains("nope.yaml: no such file"))
    }
}
