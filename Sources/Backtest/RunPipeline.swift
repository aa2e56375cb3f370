import Analytics
import Engine
import HindsightCore
import Services
import Signals

/// The one way a config is run: validate (registry, data, dates, universe, risk) → regimes → cash rate → engine →
/// metrics → rows. `backtest run`, every sweep point, the top-point re-runs and walk-forward all go through it, so
/// the same config gives the same numbers everywhere.
public struct RunPipeline: Sendable {
    public let inputs: MarketInputs
    /// Signal columns computed once and shared by every run of this pipeline (every point of a sweep).
    public let signalCache = SignalCache()
    /// Time spent computing signal columns (indicators and expressions), summed over the runs and their threads.
    public let signalSeconds = Locked(0.0)
    /// The regime service of a base config, shared by every config with its regime settings.
    private let shared: (settings: RunConfig.RegimeSettings, benchmark: String?, service: BacktestRegimeService)?
    /// The base config's sessions with its benchmark's returns and the data's `rf` over them, shared by every
    /// config with the same benchmark and sessions (every point of most sweeps).
    private let reference: (days: Range<Int>, benchmark: String?, returns: [Double]?, riskFree: [Double]?)?

    public init(inputs: MarketInputs, base: RunConfig? = nil) {
        self.inputs = inputs
        shared = base.map { ($0.regime, $0.benchmark, inputs.regimeService(for: $0)) }
        reference = base.map { b in
            let days = BacktestEngine.sessions(b, panel: inputs.panel)
            return (
                days, b.benchmark, RunMetrics.benchmarkReturns(b, inputs: inputs, days: days),
                RunMetrics.riskFree(inputs, days: days)
            )
        }
    }

    /// The benchmark's total returns and the data's `rf` over `days`.
    func referenceSeries(_ config: RunConfig, days: Range<Int>) -> (benchmark: [Double]?, riskFree: [Double]?) {
        if let r = reference, r.days == days {
            return (
                r.benchmark == config.benchmark
                    ? r.returns : RunMetrics.benchmarkReturns(config, inputs: inputs, days: days), r.riskFree
            )
        }
        return (
            RunMetrics.benchmarkReturns(config, inputs: inputs, days: days), RunMetrics.riskFree(inputs, days: days)
        )
    }

    /// Every check that can fail before the engine starts.
    public func validate(_ config: RunConfig) throws {
        try StrategyRegistry.validate(config)
        try inputs.validate(config)
    }

    public func regimes(for config: RunConfig) -> BacktestRegimeService {
        if let s = shared, s.settings == config.regime, s.benchmark == config.benchmark { return s.service }
        return inputs.regimeService(for: config)
    }

    /// What the engine reads for `config`: the shared data, its regimes and its cash-rate series.
    public func engineInputs(for config: RunConfig) -> EngineInputs {
        var cashRate: [Double]?
        if case .factor(let name) = config.portfolio.cashRate { cashRate = inputs.factors[name] }
        var engine = EngineInputs(
            panel: inputs.panel, technicals: inputs.technicals, profiles: inputs.profiles,
            regimes: regimes(for: config), cashRate: cashRate, signalCache: signalCache)
        engine.factorBetas = inputs.factorBetas
        engine.marks = inputs.dayMajorMarks
        if config.stops.isIntrabar { engine.bars = inputs.dayMajorBars }
        if config.execution.intraday != nil { engine.intraday = inputs.intraday }
        return engine
    }

    /// Dates of `config` that the data does not cover, as warnings: the run silently starts at the first session
    /// with data, or holds its book past the last one.
    public func dateWarnings(_ config: RunConfig) -> [String] {
        let panel = inputs.panel
        guard let first = panel.calendar.first else { return [] }
        var out: [String] = []
        if config.start < first {
            out.append("start \(config.start) is before the data's first session \(first): the run starts on \(first)")
        }
        var d = panel.dayCount - 1
        while d >= 0, !(0..<panel.assetCount).contains(where: { panel.valid[$0 * panel.dayCount + d] }) { d -= 1 }
        if d >= 0 {
            let last = panel.calendar.day(at: d)
            if config.end > last, panel.calendar.indexOnOrAfter(last.adding(days: 1)) < panel.dayCount {
                out.append(
                    "end \(config.end) is after the data's last bar \(last): sessions after it have no prices (positions are held at the last close)"
                )
            }
        }
        if let w = config.execution.intraday {
            // Say which path fills run on, and why some do not use intraday bars.
            let days = BacktestEngine.sessions(config, panel: panel)
            if let ip = inputs.intraday {
                // The names the run trades (a ticker universe's, else all), not the regime or benchmark series.
                var traded = Array(0..<panel.assetCount)
                if case .tickers(let names) = config.universe { traded = names.compactMap(panel.asset(ticker:)) }
                let bare = traded.filter { a in days.allSatisfy { ip.bars(asset: a, day: $0).isEmpty } }
                if bare.count == traded.count {
                    out.append(
                        "execution.fill \(w.model.rawValue): the data has no intraday bars between \(config.start) and \(config.end); every fill uses the daily rules (counted in days_without_intraday)"
                    )
                } else if !bare.isEmpty {
                    let names = bare.prefix(5).map { panel.tickers[$0] }.joined(separator: ", ")
                    out.append(
                        "execution.fill \(w.model.rawValue): no intraday bars for \(bare.count) ticker(s) (\(names)\(bare.count > 5 ? ", ..." : "")); their fills use the daily rules (counted in days_without_intraday)"
                    )
                }
            } else {
                out.append(
                    "execution.fill \(w.model.rawValue): \(inputs.sourceDescription) has no intraday bars; every fill uses the daily rules (import them with `hindsight data import intraday`)"
                )
            }
        }
        return out
    }

    /// A signals config's entry and exit columns, computed here, outside the engine (which reads no clock), and
    /// timed into `signalSeconds`.
    public func signalColumns(_ config: RunConfig) throws -> SignalColumns {
        let start = ContinuousClock.now
        defer {
            let d = ContinuousClock.now - start
            signalSeconds.withLock { $0 += Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        }
        let sessions = BacktestEngine.sessions(config, panel: inputs.panel)
        var universe: BacktestUniverseService?
        if case .rule = config.universe {
            universe = BacktestUniverseService(
                config.universe, panel: inputs.panel, technicals: inputs.technicals, profiles: inputs.profiles,
                sessions: sessions, benchmark: config.benchmark)
        }
        return try SignalsStrategy.columns(
            config, panel: inputs.panel, profiles: inputs.profiles, universe: universe, sessions: sessions,
            cache: signalCache)
    }

    /// Runs the engine (call `validate` first).
    public func simulate(_ config: RunConfig, positions: Bool = false) throws -> BacktestResult {
        var engine = engineInputs(for: config)
        engine.recordPositions = positions
        if config.strategyKind == SignalsStrategy.kind { engine.signals = try signalColumns(config) }
        let r = try BacktestEngine.run(config, inputs: engine)
        try checkFinite(r.equity, firstSession: r.firstSession)
        return r
    }

    /// A run whose equity overflows fails with the day it happened, instead of storing numbers that are not numbers.
    public func checkFinite(_ equity: [Double], firstSession: Int) throws {
        guard let i = equity.firstIndex(where: { !$0.isFinite }) else { return }
        let day = inputs.panel.calendar.day(at: firstSession + i)
        throw HindsightError(
            .invalidData, "equity became \(equity[i]) on \(day) (initial cash or prices too large for floating point)",
            cause: "use a realistic initial_cash and check the prices near \(day)")
    }

    /// The run's `metrics_json`, the same for every caller (pairs in key order, and the text).
    public func storedMetrics(_ result: BacktestResult, config: RunConfig) -> (pairs: [(String, String)], text: String)
    {
        let series = referenceSeries(config, days: result.firstSession..<(result.firstSession + result.dates.count))
        return RunMetrics.stored(
            result, config: config, regimes: regimes(for: config), benchmark: series.benchmark,
            riskFree: series.riskFree, panel: inputs.panel, factors: inputs.factors)
    }

    /// `backtest run`'s analysis beside the stored metrics.
    public func analysis(_ result: BacktestResult, config: RunConfig, storedKeys: Set<String>) throws -> JSONValue {
        let series = referenceSeries(config, days: result.firstSession..<(result.firstSession + result.dates.count))
        return try RunMetrics.analysis(
            result, config: config, inputs: inputs, benchmark: series.benchmark, riskFree: series.riskFree,
            storedKeys: storedKeys)
    }

    /// Where the P&L came from (empty unless the run recorded its positions).
    public func attribution(_ result: BacktestResult, config: RunConfig) -> RunAttribution {
        RunAttribution(result: result, config: config, inputs: inputs)
    }

    /// The trade and daily-equity rows of a result.
    public func rows(_ result: BacktestResult, config: RunConfig) -> RunRows {
        RunRows(result: result, inputs: inputs, regimes: regimes(for: config))
    }
}
