import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Sweep
import Testing

/// A momentum_rotation sweep straight off a price CSV: the kernel path equals the full engine, and the timer
/// simulates every point.
struct MomentumSweepTests {
    let dir = TestPaths.makeTempDir("hindsight-momentum-sweep")

    /// Six names over 80 weekdays with different drifts, one listing late and one with a gap.
    func writePrices() -> String {
        var lines = ["date,ticker,open,high,low,close,volume"]
        var day = TradingDay(year: 2020, month: 1, day: 6)!
        var rng = Xoshiro256StarStar(seed: 3)
        var px = [20.0, 30.0, 40.0, 50.0, 60.0, 70.0]
        for t in 0..<80 {
            while day.weekday >= 6 { day = day.adding(days: 1) }
            for a in 0..<6 {
                px[a] *= 1 + 0.002 * Double(a - 2) + 0.02 * (rng.uniform() - 0.5)
                if a == 5 && t < 30 { continue }  // lists late
                if a == 4 && (t == 41 || t == 42) { continue }  // a gap
                let c = (px[a] * 100).rounded() / 100
                lines.append("\(day.iso),T\(a),\(c),\(c),\(c),\(c),100000")
            }
            day = day.adding(days: 1)
        }
        let path = dir + "/prices.csv"
        TestPaths.write(lines.joined(separator: "\n") + "\n", to: path)
        return path
    }

    func plan(_ prices: String) throws -> SweepPlan {
        let path = dir + "/momentum.yaml"
        TestPaths.write(
            """
            sweep: momentum-csv
            base:
              data: {csv: \(prices)}
              calendar: data
              start: 2020-01-06
              end: 2020-12-31
              initial_cash: 100000
              fractional_shares: true
              universe: {all: true}
              strategy: {kind: momentum_rotation, params: {lookback: 5, top_n: 2, rebalance_every: 3}}
              execution: {fill: close, commission: {model: bps, bps: 10}}
            grid:
              strategy.params.lookback: [1, 5, 20]
              strategy.params.top_n: [1, 2, 4]
              strategy.params.rebalance_every: [1, 3]
            rank_by: sharpe_ratio
            store: {equity: none, trades: none}
            report: {top: 3}
            """, to: path)
        return try SweepPlan(try SweepSpec.load(path: path))
    }

    @Test func aMomentumSweepOverACSVRunsTheFullEngineAndStoresExactlyWhatBacktestRunStores() async throws {
        // The vectorbt-compatible kernel rounds like vectorbt (1e-9 snapping), so it is no sweep path: one truth.
        let plan = try plan(writePrices())
        let context = try SweepContext(plan: plan)
        let db = dir + "/results.sqlite"
        let s = try await SweepRunner.run(
            context: context, store: try HindsightDatabase(path: db),
            options: .init(jobs: 2, resume: false, shard: nil, quiet: true))
        #expect(s.ran == 18 && s.failed == 0 && s.invalid == 0)
        let store = try HindsightDatabase.openExisting(path: db)
        let notes = try store.sweepPointNotes(id: plan.sweepID)
        let runner = BacktestRunner(store: try HindsightDatabase(path: dir + "/runs.sqlite"))
        var checked = 0, withDailyRows = 0
        for row in try store.sweepPoints(id: plan.sweepID) {
            #expect(notes[row.pointID]?.contains("\"engine\":\"full\"") == true)
            let point = try #require(plan.points.first { $0.id == row.pointID })
            let outcome = try runner.run(try plan.config(for: point), inputs: context.inputs)
            let run = try runner.backtestResults(runID: outcome.runID)
            #expect(run.run.metricsJSON == row.metricsJSON, "\(point.paramsJSON)")
            // The top points' daily rows come from the run kept while the points ran (`TopResults`).
            if let id = row.runID, case let stored = try store.loadRun(id: id).equity, !stored.isEmpty {
                #expect(stored == run.equity, "\(point.paramsJSON)")
                withDailyRows += 1
            }
            checked += 1
        }
        #expect(checked == 18 && withDailyRows == 3)
    }

    @Test func theTimerSimulatesEveryPointAndCountsAssetBars() throws {
        let plan = try plan(writePrices())
        let context = try SweepContext(plan: plan)
        let a = try SweepTimer.simulate(context: context, jobs: 2)
        let b = try SweepTimer.simulate(context: context, jobs: 1)
        #expect(a.points == 18)
        #expect(a.barEvaluations == 18 * 80 * 6)
        #expect(a.checksum == b.checksum)
    }

    @Test func aMissingCSVNamesTheFile() throws {
        let plan = try plan(dir + "/nope.csv")
        do {
            _ = try SweepContext(plan: plan)
            Issue.record("a missing CSV was accepted")
        } catch let e as HindsightError {
            #expect(e.description.contains("nope.csv"))
        }
    }
}
