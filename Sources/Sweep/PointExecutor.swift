import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import Services
import Storage

/// Runs one sweep point and turns it into the rows to store.
struct PointExecutor {
    let context: SweepContext
    let createdAt: String

    /// What to keep of a point beyond its run row.
    struct Keep {
        var returns: Bool
        /// Daily equity rows with each day's exposures (`backtest_daily_equity`).
        var equity: Bool
        var trades: Bool
        /// Daily equity as one float64 blob (`sweep_equity`, 8 bytes a day), for `store: {equity: all}`.
        var equityValues = false
    }

    struct Output: Sendable {
        var record: SweepPointRecord
        var rankValue: Double
        var status: RunRecord.Status
    }

    func runID(_ point: SweepPoint) -> String { point.id + "-" + String(context.plan.hash.prefix(8)) }

    /// `reuse`: the point's engine result from an earlier run without trades (`TopResults`), when `keep` asks for no
    /// trades. `engineResult` receives the result and rank value of a point the engine ran without trades.
    func run(
        _ point: SweepPoint, keep: Keep, reuse: BacktestResult? = nil,
        engineResult: ((BacktestResult, Double) -> Void)? = nil
    ) -> Output {
        let plan = context.plan
        var cfg: RunConfig?
        do {
            let c = try context.config(for: point)
            cfg = c
            // Strategy-only points share the base's data checks, done once by the context.
            if context.strategyOnly { try StrategyRegistry.validate(c) } else { try context.pipeline.validate(c) }
            let (result, engine, details) = try simulate(c, keep: keep, reuse: keep.trades ? nil : reuse)
            let returns = result.returns(initialCash: c.initialCash)
            // The one metrics writer `backtest run` uses: the same bytes for the same config.
            let stored = context.pipeline.storedMetrics(result, config: c)
            // How the point ran, and the sweep's own bookkeeping, live beside the metrics.
            var notes: [(String, String)] = [
                ("engine", JSONText.quote(engine.name)), ("engine_reason", JSONText.quote(engine.reason)),
            ]
            if let metric = context.rankMetric, !context.walkForwardWindows.isEmpty {
                let values = WalkForwardAnalysis.inSampleValues(
                    returns, windows: context.walkForwardWindows, metric: metric)
                notes.append(
                    ("walk_forward_in_sample", "[" + values.map { JSONText.number($0) }.joined(separator: ",") + "]"))
            }
            if let metric = context.rankMetric, let cv = context.crossValidation {
                let (isv, oos) = cv.values(returns, metric: metric)
                func list(_ v: [Double]) -> String { "[" + v.map { JSONText.number($0) }.joined(separator: ",") + "]" }
                notes.append(("cpcv_in_sample", list(isv)))
                notes.append(("cpcv_out_of_sample", list(oos)))
            }
            // As stored: JSON has no infinities (written null, read back NaN).
            func value(_ key: String) -> Double? { stored.pairs.first(where: { $0.0 == key }).flatMap { Double($0.1) } }
            var rank: Double = value(plan.spec.rankBy) ?? .nan
            // A point that fails a filter is stored and counted as a trial, but never ranked (nor kept as a top point).
            if let failed = plan.spec.filters.first(where: { !$0.holds(value) }) {
                notes.append(("filtered_by", JSONText.quote(failed.text)))
                rank = .nan
            }
            let json = context.canonicalJSON(point, c)
            var hasher = StableHasher()
            hasher.combine(json)
            let record = RunRecord(
                runID: runID(point), strategyID: c.strategyKind, configJSON: json, configHash: hasher.hex,
                dataFingerprint: context.inputs.fingerprint(for: c), seed: c.seed,
                codeVersion: HindsightVersion.current,
                startDate: result.dates.first, endDate: result.dates.last,
                universeID: details?.universeID, metricsJSON: stored.text, status: .ok, error: nil,
                sweepID: plan.sweepID, pointID: point.id, createdAt: createdAt, notesJSON: JSONText.object(notes))
            let rankValue = plan.spec.lowerIsBetter ? -rank : rank
            if engine.name == EnginePath.engine, !keep.trades { engineResult?(result, rankValue) }
            return Output(
                record: SweepPointRecord(
                    run: record, trades: keep.trades ? details?.trades ?? [] : [],
                    roundTrips: keep.trades ? details?.roundTrips ?? [] : [],
                    equity: keep.equity ? details?.equity ?? [] : [],
                    returns: keep.returns ? returns : nil,
                    firstDate: result.dates.first, equityValues: keep.equityValues ? result.equity : nil
                ).with(attribution: details?.attribution ?? [], turnover: details?.turnover ?? []),
                rankValue: rankValue, status: .ok)
        } catch let e as HindsightError {
            return failure(
                point, cfg, status: e.code == .invalidArgument || e.code == .notFound ? .invalid : .failed,
                message: e.description)
        } catch {
            return failure(point, cfg, status: .failed, message: "\(error)")
        }
    }

    func failure(_ point: SweepPoint, _ c: RunConfig?, status: RunRecord.Status, message: String) -> Output {
        let json = c.map { context.canonicalJSON(point, $0) }
        var hasher = StableHasher()
        if let json { hasher.combine(json) }
        let record = RunRecord(
            runID: runID(point), strategyID: c?.strategyKind ?? context.base.strategyKind,
            configJSON: json ?? point.paramsJSON, configHash: json == nil ? "" : hasher.hex,
            dataFingerprint: c.map(context.inputs.fingerprint) ?? context.inputs.panel.fingerprint, seed: c?.seed ?? 0,
            codeVersion: HindsightVersion.current,
            startDate: c?.start, endDate: c?.end, universeID: nil, metricsJSON: nil, status: status, error: message,
            sweepID: context.plan.sweepID, pointID: point.id, createdAt: createdAt)
        return Output(record: SweepPointRecord(run: record), rankValue: .nan, status: status)
    }

    struct Details {
        var trades: [TradeRow]
        var roundTrips: [RoundTripRow]
        var equity: [EquityRow]
        var universeID: String
        var attribution: [AttributionRow]
        var turnover: [TurnoverRow]
    }

    /// Which path ran a point, and why (a faster path is never silent).
    struct EnginePath {
        var name: String
        var reason: String
        /// The full engine's name (the kernels have their own).
        static let engine = "full"
    }

    /// The point's whole result, the path that computed it and (when details are wanted) the rows to store.
    func simulate(_ c: RunConfig, keep: Keep, reuse: BacktestResult? = nil) throws -> (
        BacktestResult, EnginePath, Details?
    ) {
        let fast = context.kernelPath(c)
        if let fast = fast.path, !keep.trades, !keep.equity {
            let inputs = context.pipeline.engineInputs(for: c)
            let r: BacktestResult
            let path: EnginePath
            switch fast.rule {
            case .sma(let f, let s):
                try SMACrossoverStrategy.checkWindow(slow: s, bars: fast.kernel.close.count, strategy: c.strategy)
                r = fast.kernel.result(asset: fast.asset, fast: f, slow: s, fee: fast.fee, config: c, inputs: inputs)
                path = EnginePath(
                    name: "sma-kernel", reason: "one clean ticker over the whole panel, close fills, bps commission")
            case .signals:
                let columns = try context.pipeline.signalColumns(c)
                r = fast.kernel.result(
                    asset: fast.asset, entry: columns.entry[0], exit: columns.exit[0], fee: fast.fee, config: c,
                    inputs: inputs)
                path = EnginePath(
                    name: "signals-kernel",
                    reason:
                        "compiled signals on one clean ticker over the whole panel, all-in, close fills, bps commission"
                )
            }
            // The engine path checks this inside `RunPipeline.simulate`.
            try context.pipeline.checkFinite(r.equity, firstSession: r.firstSession)
            return (r, path, nil)
        }
        // A stored point's trades come with its attribution, from the engine's ledger (recorded only then).
        let r = try reuse ?? context.pipeline.simulate(c, positions: keep.trades)
        var details: Details?
        if keep.trades || keep.equity {
            let rows = context.pipeline.rows(r, config: c)
            details = Details(
                trades: keep.trades ? rows.trades() : [], roundTrips: keep.trades ? rows.roundTrips() : [],
                equity: keep.equity ? rows.equity() : [],
                universeID: r.universeID,
                attribution: keep.trades ? context.pipeline.attribution(r, config: c).rows : [],
                turnover: keep.trades ? RunTurnover(result: r).rows : [])
        }
        let reason = keep.trades || keep.equity ? "trades and daily rows are kept for this point" : fast.reason
        return (r, EnginePath(name: EnginePath.engine, reason: reason), details)
    }
}
