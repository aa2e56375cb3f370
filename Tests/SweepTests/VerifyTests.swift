import Foundation
import GRDB
import HindsightCore
import HindsightTestSupport
import Storage
import Sweep
import Testing

/// `hindsight verify`: a stored run re-run from its config and data reproduces every stored number, and a tampered
/// one is caught with its first difference.
struct VerifyTests {
    let dir = TestPaths.makeTempDir("hindsight-verify")

    static let config = """
        name: verify-me
        data: {synthetic: {assets: 25, start: 2015-01-02, end: 2016-12-30, seed: 8}}
        start: 2015-06-01
        end: 2016-12-30
        universe: {rule: {kind: top_dollar_volume, size: 10, lookback: 21, min_price: 1, min_history: 21, rebalance: monthly}}
        strategy:
          kind: assessment_risk_daily_rebal
          rebalance: monthly
          assessment: {model: momentum, lookback: 60, skip: 5}
          risk: {top_n: 5}
        execution: {fill: next_open, commission: {model: bps, bps: 5}}
        stops: {stop_loss: 0.08}
        benchmark: MKT
        """

    func runOnce() throws -> (db: String, id: String) {
        let cfg = dir + "/v.yaml", db = dir + "/v.sqlite"
        TestPaths.write(Self.config, to: cfg)
        let r = try HindsightBinary.run(["backtest", "run", cfg, "--db", db, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        return (db, try #require(obj["run_id"] as? String))
    }

    @Test func aStoredRunVerifiesAsIdentical() throws {
        let (db, id) = try runOnce()
        let v = try HindsightBinary.run(["verify", id, "--db", db])
        #expect(v.status == 0, "\(v.stdout) \(v.stderr)")
        #expect(v.stdout.contains("identical") && v.stdout.contains("equity (") && v.stdout.contains("trades ("))
    }

    @Test func aTamperedMetricOrEquityRowFailsWithTheFirstDifference() async throws {
        let (db, id) = try runOnce()
        for (i, (sql, expected)) in [
            (
                "UPDATE backtest_runs SET metrics_json = replace(metrics_json, '\"trades\":', '\"trades\":1')",
                "`trades`"
            ),
            (
                "UPDATE backtest_daily_equity SET equity_curve_value = equity_curve_value * (1 + 1e-15) WHERE date = (SELECT MAX(date) FROM backtest_daily_equity)",
                "equity 2016-12-30"
            ),
            ("UPDATE backtest_trades SET price = price + 0.01 WHERE trade_id = 3", "trade 3"),
        ].enumerated() {
            let copy = dir + "/t\(i).sqlite"
            try FileManager.default.copyItem(atPath: db, toPath: copy)
            try await DatabaseQueue(path: copy).write { try $0.execute(sql: sql) }
            let v = try HindsightBinary.run(["verify", id, "--db", copy])
            #expect(v.status == 1, "\(sql): \(v.stdout)")
            #expect(v.stdout.contains("DIFFERS") && v.stdout.contains(expected), "\(sql): \(v.stdout)")
        }
    }

    @Test func everyPointOfASweepVerifiesAgainstTheFullEngine() async throws {
        // The SMA grid runs on the exact kernel; verify re-runs each point on the full engine.
        let path = dir + "/s.yaml", db = dir + "/s.sqlite"
        TestPaths.write(
            """
            sweep: verify-grid
            base:
              data: {synthetic: {assets: 4, start: 2014-01-02, end: 2016-12-30, seed: 2}}
              start: 2014-06-02
              end: 2016-12-30
              universe: {tickers: [MKT]}
              strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
              execution: {fill: close, commission: {model: bps, bps: 10}}
              benchmark: MKT
            grid:
              strategy.params.fast: [5, 10]
              strategy.params.slow: [30, 60]
            store: {equity: {top: 2}, trades: {top: 2}}
            """, to: path)
        let context = try SweepContext(plan: try SweepPlan(try SweepSpec.load(path: path)))
        let s = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true))
        let points = try HindsightDatabase.openExisting(path: db).sweepPoints(id: s.sweepID)
        #expect(points.count == 4)
        for p in points {
            let v = try HindsightBinary.run(["verify", p.runID!, "--db", db, "--json"])
            #expect(v.status == 0, "\(p.pointID): \(v.stdout) \(v.stderr)")
            #expect(v.stdout.contains("\"identical\":true"))
        }
    }

    @Test func aRunWithoutResultsIsAClearError() throws {
        let v = try HindsightBinary.run(["verify", "no-such-run", "--db", try runOnce().db])
        #expect(v.status == 1 && v.stderr.contains("no-such-run") && !v.stderr.contains("Fatal"), "\(v.stderr)")
    }
}
