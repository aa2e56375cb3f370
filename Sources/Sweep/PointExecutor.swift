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
    struct Keep { var returns: Bool; var equity: Bool; var trades: Bool }

    struct Output: Sendable {
        var record: SweepPointRecordBox
        var rankValue: Double
        var status: RunRecord.Status
    }

    func runID(_ point: SweepPoint) -> String { point.id + "-" + String(context.plan.hash.prefix(8)) }

    func run(_ point: SweepPoint, keep: Keep) -> Output {
        let plan = context.plan
        var cfg: RunConfig?
        do {
            let c = try context.config(for: point)
            cfg = c
            // Strategy-only points share the base's data checks, done once by the context.
            if context.strategyOnly { try StrategyRegistry.validate(c) } else { try context.pipeline.validate(c) }
            let (returns, equity, engineExtras, details) = try simulate(c, keep: keep)
            try context.pipeline.checkFinite(equity, firstSession: BacktestEngine.sessions(c, panel: context.inputs.panel).lowerBound)
            let summary = Metrics.summary(returns)
            var extras = engineExtras
            let first = BacktestEngine.sessions(c, panel: context.inputs.panel).lowerBound
            let days = first..<(first + returns.count)
            if let b = context.benchmarkReturns(c, days: days) {
                for (k, v) in RunMetrics.benchmarkMetrics(returns, benchmark: b, riskFree: context.riskFree(days: days)) {
                    extras.append((k, JSONText.number(v)))
                }
            }
            if let metric = context.rankMetricIndex, !context.walkForwardWindows.isEmpty {
                let values = WalkForwardAnalysis.inSampleValues(returns, windows: context.walkForwardWindows, metric: metric)
                extras.append(("walk_forward_in_sample", "[" + values.map { JSONText.number($0) }.joined(separator: ",") + "]"))
            }
            let numbers = MetricsJSON.numbers(summary, observations: returns.count, finalEquity: equity.last ?? c.initialCash, initialCash: c.initialCash)
            let metrics = MetricsJSON.render(numbers: numbers, extras: extras)
            // As stored: JSON has no infinities (written null, read back NaN).
            var rank = Double.nan
            if let i = context.rankNumberIndex {
                rank = numbers[i].isFinite ? numbers[i] : .nan
            } else if let field = extras.first(where: { $0.0 == plan.spec.rankBy }), let v = Double(field.1) {
                rank = v
            }
            let json = context.canonicalJSON(point, c)
            var hasher = StableHasher()
            hasher.combine(json)
            let record = RunRecord(runID: runID(point), strategyID: c.strategyKind, configJSON: json, configHash: hasher.hex,
                                   dataFingerprint: context.inputs.panel.fingerprint, seed: c.seed, codeVersion: HindsightVersion.current,
                                   startDate: context.inputs.panel.calendar.day(at: first), endDate: context.inputs.panel.calendar.day(at: first + equity.count - 1),
                                   universeID: details?.universeID, metricsJSON: metrics, status: .ok, error: nil,
                                   sweepID: plan.sweepID, pointID: point.id, createdAt: createdAt)
            return Output(record: SweepPointRecordBox(SweepPointRecord(run: record, trades: keep.trades ? details?.trades ?? [] : [],
                                                                       equity: keep.equity ? details?.equity ?? [] : [],
                                                                       returns: keep.returns ? returns : nil,
                                                                       firstDate: context.inputs.panel.calendar.day(at: first))),
                          rankValue: plan.spec.lowerIsBetter ? -rank : rank, status: .ok)
        } catch let e as HindsightError {
            return failure(point, cfg, status: e.code == .invalidArgument || e.code == .notFound ? .invalid : .failed, message: e.description)
        } catch {
            return failure(point, cfg, status: .failed, message: "\(error)")
        }
    }

    func failure(_ point: SweepPoint, _ c: RunConfig?, status: RunRecord.Status, message: String) -> Output {
        let json = c.map { context.canonicalJSON(point, $0) }
        var hasher = StableHasher()
        if let json { hasher.combine(json) }
        let record = RunRecord(runID: runID(point), strategyID: c?.strategyKind ?? context.base.strategyKind,
                               configJSON: json ?? point.paramsJSON, configHash: json == nil ? "" : hasher.hex,
                               dataFingerprint: context.inputs.panel.fingerprint, seed: c?.seed ?? 0, codeVersion: HindsightVersion.current,
                               startDate: c?.start, endDate: c?.end, universeID: nil, metricsJSON: nil, status: status, error: message,
                               sweepID: context.plan.sweepID, pointID: point.id, createdAt: createdAt)
        return Output(record: SweepPointRecordBox(SweepPointRecord(run: record)), rankValue: .nan, status: status)
    }

    struct Details { var trades: [TradeRow]; var equity: [EquityRow]; var universeID: String }

    /// Daily returns, equity, extra metrics and (when the full engine ran and details are wanted) the rows.
    func simulate(_ c: RunConfig, keep: Keep) throws -> ([Double], [Double], [(String, String)], Details?) {
        if let fast = context.smaFastPath(c), !keep.trades, !keep.equity {
            try SMACrossoverStrategy.checkWindow(slow: fast.slow, bars: fast.kernel.close.count, strategy: c.strategy)
            var equity = [Double](repeating: 0, count: fast.kernel.close.count)
            let s = equity.withUnsafeMutableBufferPointer {
                fast.kernel.run(fast: fast.fast, slow: fast.slow, fee: fast.fee, initialCash: c.initialCash, wholeShares: !c.fractionalShares, equity: $0)
            }
            return (returns(equity, c.initialCash), equity, [("trades", String(s.fills)), ("gaps", "0"), ("engine", JSONText.quote("sma-kernel"))], nil)
        }
        if let m = context.momentumFastPath(c), !keep.trades, !keep.equity {
            var equity = [Double](repeating: 0, count: m.kernel.days - m.start)
            var scratch = MomentumRotationKernel.Scratch(assets: m.kernel.assets)
            let s = equity.withUnsafeMutableBufferPointer {
                m.kernel.run(lookback: m.params.lookback, topN: m.params.topN, every: m.params.every, fee: m.fee,
                             initialCash: c.initialCash, start: m.start, scratch: &scratch, equity: $0)
            }
            return (returns(equity, c.initialCash), equity, [("trades", String(s.fills)), ("gaps", "0"), ("engine", JSONText.quote("momentum-kernel"))], nil)
        }
        let r = try context.pipeline.simulate(c)
        let fills = r.trades.filter { $0.quantity != 0 }.count
        func pairs(_ v: [(String, Double)]) -> String { JSONText.object(v.map { ($0.0, JSONText.number($0.1)) }) }
        let mean = { (v: [Double]) in v.isEmpty ? Double.nan : v.reduce(0, +) / Double(v.count) }
        let extras: [(String, String)] = [
            ("trades", String(fills)), ("gaps", String(r.gaps.count)), ("total_commission", JSONText.number(r.totalCommission)),
            ("total_slippage", JSONText.number(r.totalSlippage)), ("average_gross_exposure", JSONText.number(mean(r.gross))),
            ("average_daily_turnover", JSONText.number(mean(r.turnover))), ("engine", JSONText.quote("full")),
            ("attribution", JSONText.object([("pnl_by_sector", pairs(r.pnlBySector)), ("pnl_by_model", pairs(r.pnlByModel)), ("pnl_by_regime", pairs(r.pnlByRegime))])),
        ]
        var details: Details?
        if keep.trades || keep.equity {
            let rows = context.pipeline.rows(r, config: c)
            details = Details(trades: keep.trades ? rows.trades() : [], equity: keep.equity ? rows.equity() : [], universeID: r.universeID)
        }
        return (r.returns(initialCash: c.initialCash), r.equity, extras, details)
    }

    func returns(_ equity: [Double], _ initial: Double) -> [Double] {
        var out = [Double](repeating: 0, count: equity.count)
        var prev = initial
        for (i, e) in equity.enumerated() { out[i] = prev != 0 ? e / prev - 1 : 0; prev = e }
        return out
    }
}

/// A record passed between tasks (its arrays are never shared mutably).
struct SweepPointRecordBox: @unchecked Sendable {
    var value: SweepPointRecord
    init(_ v: SweepPointRecord) { value = v }
}
