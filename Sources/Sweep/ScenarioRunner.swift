import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import Storage

/// `scenarios:`: the sweep's top points re-run, whole strategy and all, on resampled markets. Every path of a
/// generator is one `MarketResampler` market shared by the points; paths run on `jobs` tasks, each path's rows are
/// stored as it finishes, and a rerun skips the stored paths (resumable like the sweep). Summaries per point and
/// generator go to `backtest_scenario_summary` for the report.
public enum ScenarioRunner {
    /// Sessions of the best point's equity kept per path for the report's fan chart.
    static let fanSamples = 120

    static func topPoints(context: SweepContext, store: HindsightDatabase, count: Int) throws -> [SweepPoint] {
        let spec = context.plan.spec
        let byID = Dictionary(uniqueKeysWithValues: context.plan.points.map { ($0.id, $0) })
        var scored: [(SweepPoint, Double)] = []
        for row in try store.sweepPoints(id: context.plan.sweepID) where row.status == .ok {
            guard let p = byID[row.pointID], let m = row.metricsJSON, let o = try? JSONValue.parse(m) else { continue }
            func value(_ key: String) -> Double? {
                switch o[key] {
                case .number(let x)?: x
                case .integer(let n)?: Double(n)
                default: nil
                }
            }
            guard spec.filters.allSatisfy({ $0.holds(value) }), let v = value(spec.rankBy), v.isFinite else { continue }
            scored.append((p, spec.lowerIsBetter ? -v : v))
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.index < $1.0.index }
        return scored.prefix(count).map(\.0)
    }

    /// The market's daily returns over the resampled window (the benchmark's, else the mean across assets),
    /// for the automatic block length.
    static func marketReturns(context: SweepContext, window: Range<Int>) -> [Double] {
        let p = context.inputs.panel
        let assets = context.base.benchmark.flatMap { p.asset(ticker: $0) }.map { [$0] } ?? Array(0..<p.assetCount)
        return window.map { d in
            var s = 0.0, n = 0
            for a in assets {
                let k = a * p.dayCount + d
                guard p.valid[k], p.valid[k - 1] else { continue }
                s += p.adjustedClose[k] / p.adjustedClose[k - 1] - 1
                n += 1
            }
            return n > 0 ? s / Double(n) : 0
        }
    }

    static func pathSeed(_ seed: UInt64, generator: String, path: Int) -> UInt64 {
        var h = StableHasher()
        h.combine(seed)
        h.combine(generator)
        h.combine(path)
        return h.value
    }

    public static func run(context: SweepContext, store: HindsightDatabase, jobs: Int) async throws {
        guard let sc = context.plan.spec.scenarios else { return }
        let sweepID = context.plan.sweepID
        let points = try topPoints(context: context, store: store, count: sc.top)
        guard !points.isEmpty else { return }
        let configs = try points.map { try context.plan.config(for: $0) }
        let sessions = BacktestEngine.sessions(context.base, panel: context.inputs.panel)
        let resampler = MarketResampler(inputs: context.inputs, firstDay: sessions.lowerBound)
        let window = resampler.window
        let market = marketReturns(context: context, window: window)
        let done = Set(try store.scenarios(sweepID: sweepID).map { "\($0.pointID) \($0.generator) \($0.path)" })
        var work: [(generator: SweepSpec.Scenarios.Generator, bootstrap: BlockBootstrap, path: Int)] = []
        for g in sc.generators {
            let bs = g.block.map { BlockBootstrap(kind: g.kind, block: $0) } ?? .automatic(g.kind, for: market)
            for path in 0..<sc.paths where points.contains(where: { !done.contains("\($0.id) \(g.name) \(path)") }) {
                work.append((g, bs, path))
            }
        }
        let dates = sessions.map { context.inputs.panel.calendar.day(at: $0) }
        let stride = max(1, dates.count / fanSamples)
        try await withThrowingTaskGroup(of: [ScenarioRow].self) { group in
            var next = 0
            func start() {
                let w = work[next]
                next += 1
                group.addTask {
                    var rng = Xoshiro256StarStar(seed: pathSeed(sc.seed, generator: w.generator.name, path: w.path))
                    let sources = w.bootstrap.indices(count: window.count, rng: &rng).map { window.lowerBound + $0 }
                    let inputs = try resampler.path(sources: sources)
                    let pipeline = RunPipeline(inputs: inputs, base: context.base)
                    var rows: [ScenarioRow] = []
                    for (rank, (point, config)) in zip(points, configs).enumerated() {
                        var fields: [(String, String)]
                        do {
                            let r = try pipeline.simulate(config)
                            let ret = r.returns(initialCash: config.initialCash)
                            let s = Metrics.summary(ret)
                            let annual = Metrics.periodReturns(ret, dates: r.dates, by: .year).map(\.value)
                            fields = [
                                ("cagr", JSONText.number(s.values[.cagr])),
                                ("sharpe_ratio", JSONText.number(s.values[.sharpeRatio])),
                                ("max_drawdown", JSONText.number(s.values[.maxDrawdown])),
                                ("max_drawdown_duration_days", JSONText.number(s.values[.maxDrawdownDurationDays])),
                                ("total_return", JSONText.number(s.values[.totalReturn])),
                                (
                                    "annual_returns",
                                    "[" + annual.map { JSONText.number($0) }.joined(separator: ",") + "]"
                                ),
                            ]
                            if rank == 0 {
                                let sampled = Swift.stride(from: 0, to: r.equity.count, by: stride).map {
                                    JSONText.number(r.equity[$0] / config.initialCash)
                                }
                                fields.append(("equity_sampled", "[" + sampled.joined(separator: ",") + "]"))
                            }
                        } catch {
                            fields = [("error", JSONText.quote("\(error)"))]
                        }
                        rows.append(
                            ScenarioRow(
                                pointID: point.id, generator: w.generator.name, path: w.path,
                                metricsJSON: JSONText.object(fields)))
                    }
                    return rows
                }
            }
            while next < work.count && next < max(1, jobs) { start() }
            var pending: [ScenarioRow] = []
            while let rows = try await group.next() {
                pending += rows
                if pending.count >= 64 {
                    try store.saveScenarios(sweepID: sweepID, pending)
                    pending.removeAll()
                }
                if next < work.count { start() }
            }
            try store.saveScenarios(sweepID: sweepID, pending)
        }
        try summarize(context: context, store: store, points: points, dates: dates, stride: stride)
    }
}
