import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import MarketData
import Services

/// What every point of a sweep shares, read-only: the plan, the market inputs, the regimes and the SMA kernels
/// (each ticker's prefix sums, so every SMA window of the grid is computed once per sweep).
public final class SweepContext: Sendable {
    public let plan: SweepPlan
    public let inputs: MarketInputs
    public let base: RunConfig
    /// The one run path every point, top-point re-run and walk-forward window goes through.
    public let pipeline: RunPipeline
    let kernels: [Int: SMACrossoverKernel]
    let cleanAssets: Set<Int>
    /// Swept paths that leave everything but `strategy` untouched (then a point's config is the base's with a new strategy).
    let strategyOnly: Bool
    /// Walk-forward windows over the base run's sessions (empty without `walk_forward`).
    let walkForwardWindows: [WalkForwardAnalysis.Window]
    /// The cpcv splits of the base's sessions (nil without `validation:`).
    let crossValidation: CombinatorialPurgedCV?
    /// The rank metric's position among the summary metrics, when it is one.
    let rankMetric: SummaryMetric?
    /// The base config's canonical JSON cut at the swept values (strategy-only sweeps): a point's canonical JSON is
    /// the pieces with its values' JSON in between, byte for byte what `RunConfig.canonicalJSON` writes.
    let canonicalTemplate: (paths: [String], pieces: [String])?

    public init(plan: SweepPlan, inputs: MarketInputs? = nil) throws {
        self.plan = plan
        let base = try RunConfig.parse(plan.spec.base, strategyKinds: StrategyRegistry.kinds)
        try StrategyRegistry.validate(base)
        self.base = base
        // Only the base's reachable tickers when no point can change which tickers a run reaches.
        let sameReach = plan.spec.parameterPaths.allSatisfy { p in
            ["strategy.", "stops.", "execution.", "portfolio."].contains { p.hasPrefix($0) }
        }
        // Intraday bars when the base or any point fills on them.
        let intraday =
            base.execution.intraday != nil || plan.spec.parameterPaths.contains { $0.hasPrefix("execution.fill") }
        let loaded = try inputs ?? MarketInputs.load(for: base, reach: sameReach, intraday: intraday)
        self.inputs = loaded
        pipeline = RunPipeline(inputs: loaded, base: base)
        var k = [Int: SMACrossoverKernel]()
        // The kernel takes one ticker: a 500-name universe's prefix sums (20 ms of its load) only when a point can
        // have one.
        if case .tickers(let t) = base.universe,
            t.count == 1 || plan.spec.parameterPaths.contains(where: { $0.hasPrefix("universe") })
        {
            for name in t {
                guard let a = loaded.panel.asset(ticker: name) else { continue }
                let p = loaded.panel
                k[a] = SMACrossoverKernel(close: Array(p.close[p.range(asset: a)]))
            }
        }
        kernels = k
        // Assets with a bar every session and no corporate actions (checked once, not per point).
        let p = loaded.panel
        cleanAssets = Set(
            k.keys.filter { a in
                (0..<p.dayCount).allSatisfy { d in
                    let i = a * p.dayCount + d
                    return p.valid[i] && p.splitRatio[i] == 1 && p.dividend[i] == 0
                }
            })
        strategyOnly = plan.spec.parameterPaths.allSatisfy { $0.hasPrefix("strategy.") && $0 != "strategy.kind" }
        // Strategy-only points share the base's data, dates and universe: check those once, before anything runs.
        if strategyOnly { try pipeline.validate(base) }
        rankMetric = SummaryMetric(key: plan.spec.rankBy)
        canonicalTemplate =
            strategyOnly
            ? plan.points.first.flatMap { SweepContext.template(base.source, paths: $0.params.map(\.path)) } : nil
        if let wf = plan.spec.walkForward {
            let range = BacktestEngine.sessions(base, panel: loaded.panel)
            walkForwardWindows = WalkForwardAnalysis.windows(wf, dates: range.map { loaded.panel.calendar.day(at: $0) })
        } else {
            walkForwardWindows = []
        }
        crossValidation = plan.spec.crossValidation.map { cv in
            CombinatorialPurgedCV(
                sessions: BacktestEngine.sessions(base, panel: loaded.panel).count, groups: cv.groups,
                testGroups: cv.testGroups, embargo: cv.embargo)
        }
    }

    /// The run config of a point (fast when only strategy keys are swept).
    func config(for point: SweepPoint) throws -> RunConfig {
        guard strategyOnly else {
            let c = try plan.config(for: point)
            if c.data != base.data || c.calendar != base.calendar {
                throw HindsightError(
                    .invalidArgument, "point \(point.id) changes the data or calendar",
                    cause:
                        "a sweep shares one dataset: sweep strategy, execution, universe or dates, not data or calendar"
                )
            }
            return c
        }
        var c = base
        var strategy = base.strategy
        for (path, value) in point.params {
            strategy = strategy.setting(String(path.dropFirst("strategy.".count)), to: value)
        }
        c.strategy = strategy
        // `source` only feeds the canonical JSON (and data/calendar errors, which strategy keys cannot cause): with a
        // template it stays the base's and `canonicalJSON(_:_:)` writes the point's.
        if canonicalTemplate == nil {
            var source = base.source
            for (path, value) in point.params { source = source.setting(path, to: value) }
            c.source = source
        }
        return c
    }

    /// The canonical JSON of a point's config (`c`, from `config(for:)`).
    func canonicalJSON(_ point: SweepPoint, _ c: RunConfig) -> String {
        guard let t = canonicalTemplate, point.params.count == t.paths.count else { return c.canonicalJSON }
        var out = t.pieces[0]
        out.reserveCapacity(t.pieces.reduce(16 * t.paths.count) { $0 + $1.utf8.count })
        for (i, path) in t.paths.enumerated() {
            guard point.params[i].path == path else { return c.canonicalJSON }
            point.params[i].value.writeCanonical(&out)
            out += t.pieces[i + 1]
        }
        return out
    }

    /// Cuts `source`'s canonical JSON at each path's value (nil unless each marker appears exactly once).
    static func template(_ source: ConfigNode, paths: [String]) -> (paths: [String], pieces: [String])? {
        var node = source
        let marker = { (i: Int) in "\u{1}hindsight-slot-\(i)" }
        for (i, path) in paths.enumerated() {
            node = node.setting(path, to: ConfigNode(.scalar(marker(i), plain: false), mark: source.mark, path: path))
        }
        var rest = Substring(node.canonicalJSON)
        var pieces: [String] = []
        for i in paths.indices {
            let quoted = JSONText.quote(marker(i))
            guard let r = rest.range(of: quoted), rest[r.upperBound...].range(of: quoted) == nil else { return nil }
            pieces.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        pieces.append(String(rest))
        return (paths, pieces)
    }

    /// How many names a config's universe holds (all of the panel for a rule).
    func universeSize(_ c: RunConfig) -> Int {
        if case .tickers(let t) = c.universe { return t.count }
        return inputs.panel.assetCount
    }

    /// The SMA kernel and its parameters when a point can take the exact kernel instead of the full engine:
    /// one ticker with a bar every session of the whole panel and no corporate actions, fill at the close,
    /// no slippage, a bps (or no) commission, no participation limit and no cash rate. Results are bit-identical,
    /// metrics included. Otherwise nil, with the reason the full engine runs.
    func kernelPath(_ c: RunConfig) -> (path: KernelPath?, reason: String) {
        let signals = c.strategyKind == SignalsStrategy.kind
        guard c.strategyKind == SMACrossoverStrategy.kind || signals else {
            return (nil, "\(c.strategyKind) has no exact kernel")
        }
        guard case .tickers(let t) = c.universe, t.count == 1, let a = inputs.panel.asset(ticker: t[0]),
            let kernel = kernels[a]
        else {
            return (nil, signals ? "signals on several tickers run on the engine" : "the SMA kernel takes one ticker")
        }
        guard c.execution.intraday == nil else { return (nil, "fills on intraday bars") }
        guard c.execution.fill == .close else { return (nil, "fills at the next open") }
        guard !c.stops.isActive else { return (nil, "stops are checked bar by bar on the engine") }
        guard c.execution.slippage == .none, c.execution.maxParticipation == nil else {
            return (nil, "slippage or a participation limit")
        }
        guard c.portfolio.cashRate == .none || c.portfolio.cashRate == .annual(0) else { return (nil, "a cash rate") }
        guard let fee = c.execution.commission.rate else { return (nil, "a commission model other than bps") }
        let p = inputs.panel
        guard BacktestEngine.sessions(c, panel: p) == 0..<p.dayCount else {
            return (nil, "the run does not span the whole panel (warm-up bars)")
        }
        guard cleanAssets.contains(a) else { return (nil, "\(t[0]) has missing bars or corporate actions") }
        if signals {
            guard SignalsStrategy.isAllIn(c.strategy) else { return (nil, "a size other than all_in") }
            guard SignalsStrategy.hasMarketEntries(c.strategy) else {
                return (nil, "limit or stop entries fill inside bars on the engine")
            }
            return (KernelPath(kernel: kernel, asset: a, fee: fee, rule: .signals), "")
        }
        guard let params = c.strategy.child("params"), let f = params.child("fast"), let s = params.child("slow"),
            let fast = try? ConfigMap.int(f), let slow = try? ConfigMap.int(s)
        else { return (nil, "parameters the kernel cannot read") }
        return (KernelPath(kernel: kernel, asset: a, fee: fee, rule: .sma(fast: fast, slow: slow)), "")
    }

    /// An exact kernel for one point: one clean ticker, and the rule it runs.
    struct KernelPath {
        enum Rule {
            case sma(fast: Int, slow: Int)
            case signals
        }
        var kernel: SMACrossoverKernel
        var asset: Int
        var fee: Double
        var rule: Rule
    }
}
