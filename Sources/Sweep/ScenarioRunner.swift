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
        var scored: [(SweepPoint, Double)] = []
        for row in try store.sweepPoints(id: context.plan.sweepID) where row.status == .ok {
            guard let i = context.plan.points.index(of: row.pointID), let m = row.metricsJSON,
                let o = try? JSONValue.parse(m)
            else { continue }
            func value(_ key: String) -> Double? {
                switch o[key] {
                case .number(let x)?: x
                case .integer(let n)?: Double(n)
                default: nil
                }
            }
            guard spec.filters.allSatisfy({ $0.holds(value) }), let v = value(spec.rankBy), v.isFinite else { continue }
            scored.append((context.plan.points[i], spec.lowerIsBetter ? -v : v))
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

    /// The window paths resample and the market series the generators fit (benchmark, else the mean of assets).
    static func window(context: SweepContext) -> (resampler: MarketResampler, market: [Double]) {
        let sessions = BacktestEngine.sessions(context.base, panel: context.inputs.panel)
        let resampler = MarketResampler(inputs: context.inputs, firstDay: sessions.lowerBound)
        return (resampler, marketReturns(context: context, window: resampler.window))
    }

    /// Checks what only the data can tell (a `stress` label the run's regimes lack) before the sweep spends hours.
    public static func validate(context: SweepContext) throws {
        let generators = context.plan.spec.scenarios?.generators ?? []
        let stressed = generators.compactMap { g -> (SweepSpec.Scenarios.Generator, [String: Double])? in
            switch g.method {
            case .regime(let s), .synthetic(let s): s.isEmpty ? nil : (g, s)
            default: nil
            }
        }
        guard !stressed.isEmpty else { return }
        let run = BacktestEngine.sessions(context.base, panel: context.inputs.panel)
        let window = MarketResampler(inputs: context.inputs, firstDay: run.lowerBound).window
        let (labels, names) = regimeLabels(context: context, window: window)
        for (g, s) in stressed { _ = try stressByID(s, names: names, present: Set(labels), generator: g) }
    }

    public static func run(context: SweepContext, store: HindsightDatabase, jobs: Int, quiet: Bool = true) async throws
    {
        guard let sc = context.plan.spec.scenarios else { return }
        let sweepID = context.plan.sweepID
        let points = try topPoints(context: context, store: store, count: sc.top)
        guard !points.isEmpty else { return }
        let configs = try points.map { try context.plan.config(for: $0) }
        let sessions = BacktestEngine.sessions(context.base, panel: context.inputs.panel)
        let (resampler, market) = window(context: context)
        let makers = try makers(context: context, window: resampler.window, market: market)
        let done = Set(try store.scenarios(sweepID: sweepID).map { "\($0.pointID) \($0.generator) \($0.path)" })
        var work: [(generator: SweepSpec.Scenarios.Generator, maker: PathMaker, path: Int)] = []
        for g in sc.generators {
            guard let maker = makers[g.name]?.maker else { continue }
            for path in 0..<sc.paths where points.contains(where: { !done.contains("\($0.id) \(g.name) \(path)") }) {
                work.append((g, maker, path))
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
                    let inputs = try w.maker.inputs(resampler, rng: &rng)
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
            var finished = 0, lastLine = Date.distantPast
            let began = Date()
            while let rows = try await group.next() {
                pending += rows
                finished += 1
                // A long scenario job says where it is (every 5 s, and at the end), like the sweep's progress line.
                if !quiet, finished == work.count || Date().timeIntervalSince(lastLine) >= 5 {
                    lastLine = Date()
                    let rate = Double(finished) / max(Date().timeIntervalSince(began), 1e-9)
                    FileHandle.standardError.write(
                        Data(
                            String(
                                format: "scenarios: %d/%d paths, %.1f paths/s, ETA %.0f s\n", finished, work.count,
                                rate,
                                Double(work.count - finished) / max(rate, 1e-9)
                            ).utf8))
                }
                if pending.count >= 64 {
                    try store.saveScenarios(sweepID: sweepID, pending)
                    pending.removeAll()
                }
                if next < work.count { start() }
            }
            try store.saveScenarios(sweepID: sweepID, pending)
        }
        if let g = sc.generators.first(where: { $0.method == .episodes }) {
            try await runEpisodes(
                context: context, store: store, points: points, configs: configs, generator: g.name, done: done,
                resampler: resampler, seed: sc.seed, jobs: jobs)
        }
        try summarize(
            context: context, store: store, points: points, dates: dates, stride: stride,
            models: makers.mapValues(\.model))
    }

    /// `episodes`: each top point on each stress window alone (and the benchmark over it), and on the history with
    /// the window's days replayed at a random place (seeded).
    static func runEpisodes(
        context: SweepContext, store: HindsightDatabase, points: [SweepPoint], configs: [RunConfig], generator: String,
        done: Set<String>, resampler: MarketResampler, seed: UInt64, jobs: Int
    ) async throws {
        let panel = context.inputs.panel, cal = panel.calendar
        let run = BacktestEngine.sessions(context.base, panel: panel)
        let episodes = StressEpisodes.find(panel: panel, run: run, benchmark: context.base.benchmark)
        let window = resampler.window
        let todo = episodes.indices.filter { e in points.contains { !done.contains("\($0.id) \(generator) \(e)") } }
        let bench = context.base.benchmark.flatMap { panel.asset(ticker: $0) }
        try await withThrowingTaskGroup(of: [ScenarioRow].self) { group in
            var next = 0
            func start() {
                let e = todo[next], ep = episodes[e]
                next += 1
                group.addTask {
                    // The replay: the window's days copied to a random place of the run.
                    var rng = Xoshiro256StarStar(seed: pathSeed(seed, generator: generator, path: e))
                    let len = ep.sessions.count
                    let at = window.lowerBound + rng.int(below: max(window.count - len, 1))
                    var sources = Array(window)
                    for j in 0..<min(len, window.upperBound - at) {
                        sources[at - window.lowerBound + j] = ep.sessions.lowerBound + j
                    }
                    let replayPipeline = RunPipeline(inputs: try resampler.path(sources: sources), base: context.base)
                    func stats(_ r: [Double]) -> String {
                        let s = Metrics.summary(r)
                        return JSONText.object([
                            ("total_return", JSONText.number(s.values[.totalReturn])),
                            ("max_drawdown", JSONText.number(s.values[.maxDrawdown])),
                            ("sharpe_ratio", JSONText.number(s.values[.sharpeRatio])),
                            ("cagr", JSONText.number(s.values[.cagr])),
                        ])
                    }
                    var benchText = "null"
                    if let b = bench {
                        let r = ep.sessions.map { d -> Double in
                            let k = b * panel.dayCount + d
                            guard d > ep.sessions.lowerBound, panel.valid[k], panel.valid[k - 1] else { return 0 }
                            return panel.adjustedClose[k] / panel.adjustedClose[k - 1] - 1
                        }
                        benchText = stats(r)
                    }
                    var rows: [ScenarioRow] = []
                    for (point, config) in zip(points, configs) {
                        var fields: [(String, String)] = [
                            ("episode", JSONText.quote(ep.name)), ("source", JSONText.quote(ep.source)),
                            ("first", JSONText.quote(cal.day(at: ep.sessions.lowerBound).iso)),
                            ("last", JSONText.quote(cal.day(at: ep.sessions.upperBound - 1).iso)),
                            ("benchmark", benchText), ("replayed_at", JSONText.quote(cal.day(at: at).iso)),
                        ]
                        do {
                            var alone = config
                            alone.start = cal.day(at: ep.sessions.lowerBound)
                            alone.end = cal.day(at: ep.sessions.upperBound - 1)
                            // On the real data: the sweep's own pipeline (and its signal cache).
                            let a = try context.pipeline.simulate(alone)
                            fields.append(("alone", stats(a.returns(initialCash: alone.initialCash))))
                            let r = try replayPipeline.simulate(config)
                            fields.append(("replay", stats(r.returns(initialCash: config.initialCash))))
                        } catch {
                            fields.append(("error", JSONText.quote("\(error)")))
                        }
                        rows.append(
                            ScenarioRow(
                                pointID: point.id, generator: generator, path: e, metricsJSON: JSONText.object(fields)))
                    }
                    return rows
                }
            }
            while next < todo.count && next < max(1, jobs) { start() }
            while let rows = try await group.next() {
                try store.saveScenarios(sweepID: context.plan.sweepID, rows)
                if next < todo.count { start() }
            }
        }
    }
}
