import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import Storage

/// A flag the CLI raises on Ctrl-C: no new points start; in-flight points finish and are committed.
public final class CancellationFlag: Sendable {
    /// The signal that raised the flag first (0 while none did).
    private let cause = Locked<Int32>(0)
    public init() {}
    /// Raises the flag; `signal` is the signal that asked for it (the first one is kept).
    public func raise(signal: Int32 = SIGINT) {
        cause.withLock { if $0 == 0 { $0 = signal == 0 ? SIGINT : signal } }
    }
    public var isRaised: Bool { cause.value != 0 }
    /// The signal that raised the flag (0 when none did).
    public var signal: Int32 { cause.value }
}

/// Runs a plan's points concurrently (at most `jobs` in flight, one shared context), stores them through one
/// writer in batches, then re-runs the top points to keep their equity and trades.
public enum SweepRunner {
    public struct Options: Sendable {
        public var jobs: Int
        public var resume: Bool
        public var shard: (index: Int, count: Int)?
        public var quiet: Bool
        public var batchSize = 4_096
        /// Called once every point's run row is stored and linked, when nothing later in the run changes those rows
        /// (no walk-forward, cpcv or scenarios): the caller may start reading them (the report's point scan) while
        /// the top points' details are computed and stored.
        public var pointsStored: (@Sendable () -> Void)?
        public init(jobs: Int, resume: Bool, shard: (index: Int, count: Int)?, quiet: Bool) {
            self.jobs = jobs
            self.resume = resume
            self.shard = shard
            self.quiet = quiet
        }
    }

    public struct Summary: Sendable {
        public var sweepID: String
        public var planned: Int
        public var inShard: Int
        public var skipped: Int
        public var ran: Int
        public var invalid: Int
        public var failed: Int
        public var interrupted: Bool
        public var seconds: Double
        /// Wall seconds of each phase, in order.
        public var phases: [(name: String, seconds: Double)] = []
        public var runsPerSecond: Double { seconds > 0 ? Double(ran) / seconds : 0 }
    }

    public static func run(
        context: SweepContext, store: HindsightDatabase, options: Options, cancel: CancellationFlag = CancellationFlag()
    ) async throws -> Summary {
        let plan = context.plan, spec = plan.spec
        let start = Date()
        let createdAt = ISO8601DateFormatter().string(from: start)
        var phases: [(name: String, seconds: Double)] = []
        var mark = start
        func lap(_ name: String) {
            let now = Date()
            phases.append((name, now.timeIntervalSince(mark)))
            mark = now
        }
        // Before anything is written: what only the data can refuse.
        try ScenarioRunner.validate(context: context)
        let record = SweepRecord(
            sweepID: plan.sweepID, name: spec.name, planHash: plan.hash, specJSON: spec.canonicalJSON,
            dataFingerprint: context.inputs.fingerprint(for: context.base), createdAt: createdAt)
        let points = plan.points
        @Sendable func register() throws {
            try store.registerSweep(record, points: points.lazy.map { (id: $0.id, paramsJSON: $0.paramsJSON) })
        }
        // A new sweep's plan (one row a point: 0.4 s at 10^5 points, 4.5 s at 10^6) is registered on the database
        // thread while the first points run; its batches queue behind it, so no point is stored before its plan.
        // A sweep already here is checked now (another plan or data is refused before anything runs).
        let isNew = try !store.hasSweep(id: plan.sweepID)
        if !isNew { try register() }
        try storeReferenceSeries(context: context, store: store)
        let finished = isNew ? [] : try store.finishedPoints(sweepID: plan.sweepID)
        let mine = plan.indices(shard: options.shard)
        let alreadyDone = finished.isEmpty ? 0 : mine.filter { finished.contains(plan.points.id(at: $0)) }.count
        if alreadyDone > 0 && !options.resume {
            throw HindsightError(
                .duplicate, "\(store.path) already holds \(alreadyDone) finished points of sweep \(plan.sweepID)",
                cause: "pass --resume to run only the rest, or use a new --db")
        }
        let todo = finished.isEmpty ? mine : mine.filter { !finished.contains(plan.points.id(at: $0)) }
        // One WAL copy per 64 MB written instead of per 4 MB; the default comes back once the points are stored.
        try store.setAutoCheckpoint(pages: 16_384)
        lap("register")
        let stride = ReturnsSample.stride(points: plan.points.count)
        let equityAll = spec.storeEquity == .all
        let executor = PointExecutor(context: context, createdAt: createdAt)
        let progress = SweepProgress(
            startDone: alreadyDone, quiet: options.quiet, metric: spec.rankBy, lowerIsBetter: spec.lowerIsBetter)
        let paths = spec.parameterPaths
        let writer = SweepWriter(
            store: store, total: mine.count, alreadyDone: alreadyDone, batchSize: options.batchSize, progress: progress,
            label: { points[$0].label(paths: paths) })
        if isNew { await writer.first(register) }
        let jobs = max(1, options.jobs)
        // The best points' engine results, kept while the points run, for their details and look-ahead check.
        let tops = TopResults(capacity: topCount(spec))
        let chunk = max(1, min(64, todo.count / (jobs * 8)))
        let chunks = Swift.stride(from: 0, to: todo.count, by: chunk).map { todo[$0..<min($0 + chunk, todo.count)] }
        var interrupted = false
        try await withThrowingTaskGroup(of: [(index: Int, output: PointExecutor.Output)].self) { group in
            var next = 0
            func startNext() {
                let slice = chunks[next]
                next += 1
                group.addTask {
                    slice.map { i in
                        let keep = PointExecutor.Keep(
                            returns: i % stride == 0, equity: false, trades: spec.storeTradesAll,
                            equityValues: equityAll)
                        return (
                            i,
                            executor.run(points[i], keep: keep) { result, rank in
                                tops.offer(index: i, rank: rank, result)
                            }
                        )
                    }
                }
            }
            while next < chunks.count && next < jobs { startNext() }
            while let outputs = try await group.next() {
                if cancel.isRaised { interrupted = true } else if next < chunks.count { startNext() }
                try await writer.add(outputs)
            }
        }
        // The database thread may still be committing: hand it the last batch and re-run the top points meanwhile
        // (their ranks are all known), then wait for the commits before storing their details.
        try await writer.flush()
        lap("simulate")
        // Indicator and expression columns, computed once per sweep and shared (CPU time, inside `simulate`).
        let signalCPU = context.pipeline.signalSeconds.value
        if signalCPU > 0 {
            let (hits, misses) = context.pipeline.signalCache.counts
            phases.append(("(of which signal columns \(hits) cached, \(misses) computed; cpu)", signalCPU))
        }
        var details: [PointExecutor.Output] = []
        // The look-ahead check of the best points runs beside their re-runs and the serial SQLite writes that
        // store them (one after the other, the 118-stock momentum sweep spent 0.2 s, then 0.12 s).
        var checked: Task<Void, Error>?
        if !interrupted {
            let top = try rankedTop(
                context: context, store: store, ranks: await writer.ranks, resumed: !finished.isEmpty)
            checked = Task {
                try await lookAhead(context: context, store: store, top: top.prefix(3).map(\.index), tops: tops)
            }
            details = await topDetails(context: context, executor: executor, top: top, tops: tops, jobs: jobs)
        }
        try await writer.flush(wait: true)
        try store.linkSweepRuns(sweepID: plan.sweepID)
        if !interrupted, spec.walkForward == nil, spec.crossValidation == nil, spec.scenarios == nil {
            options.pointsStored?()
        }
        progress.update(done: await writer.done, total: mine.count, best: await writer.best, final: true)
        if !interrupted {
            try store.attachDetails(details.filter { $0.status == .ok }.map(\.record))
            try await checked?.value
            lap("store, top details and look-ahead check")
            // Walk-forward needs every point's in-sample values: only once the whole plan is in this database.
            if spec.walkForward != nil, try store.finishedPoints(sweepID: plan.sweepID).count == plan.points.count {
                try WalkForwardAnalysis.run(context: context, store: store)
                lap("walk-forward")
            }
            if spec.crossValidation != nil, try store.finishedPoints(sweepID: plan.sweepID).count == plan.points.count {
                try CrossValidationAnalysis.run(context: context, store: store)
                lap("cpcv")
            }
            if spec.scenarios != nil, try store.finishedPoints(sweepID: plan.sweepID).count == plan.points.count {
                try await ScenarioRunner.run(context: context, store: store, jobs: jobs, quiet: options.quiet)
                lap("scenarios")
            }
        } else {
            lap("store")
        }
        // Only now: with the default back before the last writes, the next commit copied the whole WAL into the
        // database while the sweep waited (the 14,751-point grid's top details: 0.25 s for 7 ms of inserts). The
        // caller copies it in the background (`startCheckpoint`) while the report reads.
        try store.setAutoCheckpoint(pages: 1_000)
        let seconds = Date().timeIntervalSince(start)
        return Summary(
            sweepID: plan.sweepID, planned: plan.points.count, inShard: mine.count, skipped: alreadyDone,
            ran: await writer.done - alreadyDone, invalid: await writer.invalid, failed: await writer.failed,
            interrupted: interrupted, seconds: seconds, phases: phases)
    }

    /// When the results database holds no market data (a synthetic market, a shard or a separate `--db`), keep the
    /// benchmark's prices and the factor returns there, once, so the report, which reads only the database, can
    /// chart the benchmark and regress on the factors.
    public static func storeReferenceSeries(context: SweepContext, store: HindsightDatabase) throws {
        guard try store.priceTickers().isEmpty, try store.loadFactorReturns().isEmpty else { return }
        let panel = context.inputs.panel
        var data = MarketDataset()
        if let b = context.base.benchmark, let a = panel.asset(ticker: b) {
            data.prices.tickers = [b]
            data.prices.files = ["synthetic"]
            for d in 0..<panel.dayCount {
                let k = panel.index(asset: a, day: d)
                guard panel.valid[k] else { continue }
                data.prices.tickerIndex.append(0)
                data.prices.dates.append(panel.calendar.day(at: d))
                data.prices.open.append(panel.open[k])
                data.prices.high.append(panel.high[k])
                data.prices.low.append(panel.low[k])
                data.prices.close.append(panel.close[k])
                data.prices.volume.append(panel.volume[k])
                data.prices.lines.append(0)
                data.prices.sourceFile.append(0)
                // Its splits and dividends too: the report charts the benchmark as a total return.
                if panel.splitRatio[k] != 1 {
                    data.corporateActions.append(
                        CorporateAction(
                            ticker: b, date: panel.calendar.day(at: d), kind: .split, value: panel.splitRatio[k]))
                }
                if panel.dividend[k] != 0 {
                    data.corporateActions.append(
                        CorporateAction(
                            ticker: b, date: panel.calendar.day(at: d), kind: .dividend, value: panel.dividend[k]))
                }
            }
        }
        for (name, values) in context.inputs.factors.sorted(by: { $0.key < $1.key }) {
            for (d, v) in values.enumerated() where v.isFinite {
                data.factorReturns.append(FactorReturn(date: panel.calendar.day(at: d), factor: name, value: v))
            }
        }
        data.metadata = [
            ("reference_series", "benchmark prices and factor returns of \(context.inputs.sourceDescription)")
        ]
        if data.totalRows > 0 { try store.importDataset(data, replace: false) }
    }

    /// How many of the best points keep their daily rows (`store: {equity: {top: N}}`, and the report's top).
    static func equityTop(_ spec: SweepSpec) -> Int {
        if case .top(let n) = spec.storeEquity { return max(n, spec.reportTop) }
        return spec.reportTop
    }

    /// How many of the best points the report and the stored details need.
    static func topCount(_ spec: SweepSpec) -> Int { max(equityTop(spec), spec.storeTradesTop ?? 0) }

    /// The best points by `rank_by` (`topCount` of them), best first.
    static func rankedTop(
        context: SweepContext, store: HindsightDatabase, ranks: [(index: Int, value: Double)], resumed: Bool
    ) throws -> [(index: Int, value: Double)] {
        let spec = context.plan.spec
        let k = topCount(spec)
        var all = ranks
        if resumed {
            // Points finished by an earlier process: read their rank metric back.
            let seen = Set(ranks.map(\.index))
            for row in try store.sweepPoints(id: context.plan.sweepID) where row.status == .ok {
                guard let i = context.plan.points.index(of: row.pointID), !seen.contains(i), let m = row.metricsJSON,
                    case .object(let o)? = try? JSONValue.parse(m)
                else { continue }
                var v = Double.nan
                if case .number(let x)? = o.first(where: { $0.0 == spec.rankBy })?.1 { v = x }
                if case .integer(let x)? = o.first(where: { $0.0 == spec.rankBy })?.1 { v = Double(x) }
                all.append((i, spec.lowerIsBetter ? -v : v))
            }
        }
        // The order `TopResults` keeps them in: rank value, then plan order.
        return Array(
            all.filter { $0.value.isFinite }.sorted {
                TopResults.better(($0.index, $0.value), than: ($1.index, $1.value))
            }.prefix(k))
    }

    /// Re-runs the best points (`rankedTop`), keeping their returns, daily equity and trades for the report.
    static func topDetails(
        context: SweepContext, executor: PointExecutor, top: [(index: Int, value: Double)], tops: TopResults,
        jobs: Int
    ) async -> [PointExecutor.Output] {
        let spec = context.plan.spec
        // Re-run on `jobs` tasks at a time; rows are stored in rank order.
        let picks = Array(top.enumerated())
        let equityRanks = equityTop(spec)
        var outputs = [PointExecutor.Output?](repeating: nil, count: picks.count)
        await withTaskGroup(of: (Int, PointExecutor.Output).self) { group in
            var next = 0
            func startNext() {
                let (rank, t) = picks[next]
                next += 1
                group.addTask {
                    let keep = PointExecutor.Keep(
                        returns: true, equity: rank < equityRanks,
                        trades: spec.storeTradesAll || rank < (spec.storeTradesTop ?? 0))
                    return (
                        rank, executor.run(context.plan.points[t.index], keep: keep, reuse: tops.result(index: t.index))
                    )
                }
            }
            while next < picks.count && next < max(1, jobs) { startNext() }
            while let (rank, out) = await group.next() {
                outputs[rank] = out
                if next < picks.count { startNext() }
            }
        }
        // Daily bars cannot say whether a stop or the target came first inside a bar: the report's top points
        // show their rank metric under the other intrabar policy too.
        for (rank, out) in outputs.enumerated() where rank < spec.reportTop {
            guard var out, out.status == .ok else { continue }
            if let alt = alternativePolicy(context: context, point: context.plan.points[picks[rank].1.index]) {
                var fields: [(String, JSONValue)] = []
                if let n = out.record.run.notesJSON, case .object(let o)? = try? JSONValue.parse(n) { fields = o }
                fields.append(("intrabar_alternative", alt))
                out.record.run.notesJSON = JSONValue.object(fields).render()
                outputs[rank] = out
            }
        }
        return outputs.compactMap { $0 }
    }

    /// Repeats the best points (up to 3) on the data cut at three sessions and stores, for the report, whether
    /// every decision up to each cut matched (`look_ahead:<sweep>` in the metadata).
    static func lookAhead(context: SweepContext, store: HindsightDatabase, top: [Int], tops: TopResults) async throws {
        let picks = top.compactMap { i -> (String, RunConfig, BacktestResult?)? in
            let point = context.plan.points[i]
            guard let c = try? context.plan.config(for: point) else { return nil }
            return (point.id, c, tops.result(index: i))
        }
        // The points' checks run side by side (each is four runs of one config), and the cuts their known runs
        // need are built side by side beforehand (the points share them; built on demand, the three points' checks
        // waited for each cut in turn).
        var rows = [JSONValue?](repeating: nil, count: picks.count)
        let cuts = LookAheadCheck.SharedCuts(context.inputs)
        let days = Set(picks.compactMap(\.2).flatMap { LookAheadCheck.cutDays($0) }).sorted()
        await withTaskGroup(of: (Int, JSONValue)?.self) { group in
            for d in days {
                group.addTask {
                    _ = try? cuts.inputs(throughSession: d)
                    return nil
                }
            }
            for (i, (id, c, full)) in picks.enumerated() {
                group.addTask {
                    var fields: [(String, JSONValue)] = [("point", .string(id))]
                    do {
                        let o = try LookAheadCheck.run(
                            c, inputs: context.inputs, full: full, cut: cuts.inputs(throughSession:))
                        fields += [
                            ("passed", .bool(o.passed)), ("cuts", .array(o.cuts.map { .string($0.iso) })),
                            ("compared", .integer(o.compared)),
                            ("first_difference", o.firstDifference.map { .string($0) } ?? .null),
                        ]
                    } catch {
                        fields += [("passed", .null), ("error", .string("\(error)"))]
                    }
                    return (i, .object(fields))
                }
            }
            for await case (let i, let row)? in group { rows[i] = row }
        }
        try store.setMetadataValue(
            "look_ahead:" + context.plan.sweepID, JSONValue.array(rows.compactMap { $0 }).render())
    }

    /// The point run with the other `stops.intrabar` policy: its policy, rank metric, final equity and ambiguous
    /// bars; nil when the point has no stop and target pair (no bar can be ambiguous) or the run fails.
    static func alternativePolicy(context: SweepContext, point: SweepPoint) -> JSONValue? {
        guard var c = try? context.plan.config(for: point) else { return nil }
        let s = c.stops
        guard s.takeProfit != nil, s.stopLoss != nil || s.trailingStop != nil || s.atrStop != nil else { return nil }
        c.stops.intrabar = s.intrabar == .pessimistic ? .optimistic : .pessimistic
        guard let r = try? context.pipeline.simulate(c) else { return nil }
        let pairs = context.pipeline.storedMetrics(r, config: c).pairs
        let rankBy = context.plan.spec.rankBy
        let value = pairs.first { $0.0 == rankBy }.flatMap { Double($0.1) } ?? .nan
        return .object([
            ("policy", .string(c.stops.intrabar.rawValue)), ("rank_value", .number(value)),
            ("final_equity", .number(r.finalEquity)), ("ambiguous_bars", .integer(r.ambiguousBars)),
        ])
    }
}
