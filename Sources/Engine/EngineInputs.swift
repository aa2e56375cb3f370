import MarketData
import Services
import Signals

/// Everything a run reads besides its config, as one required value: no caller can leave a part out (sweeps once
/// ran without the cash-rate series and disagreed with `backtest run`).
public struct EngineInputs: Sendable {
    public let panel: MarketPanel
    public let technicals: Technicals
    public let profiles: BacktestProfileService
    public let regimes: BacktestRegimeService
    /// Per-session cash rate when `portfolio.cash_rate` names a factor series; nil for an annual rate or none.
    public let cashRate: [Double]?
    /// Signal columns shared by the runs of one pipeline (every point of a sweep); nil computes them afresh.
    public let signalCache: SignalCache?
    /// A signals run's columns, computed before the engine runs.
    public var signals: SignalColumns?
    /// Profile betas on the data's factors, for the factor exposure at each close; nil when the data has no factor.
    public var factorBetas: FactorBetas?
    /// Intraday bars for `execution.fill: {model: ...}` configs; nil otherwise (fills then use the daily rules).
    public var intraday: IntradayPanel?
    /// The market's closes and bar flags day by day (`MarketInputs.dayMajorMarks`); nil reads the panel (same values).
    public var marks: DayMajorMarks?
    /// The market's opens, highs and lows day by day (`MarketInputs.dayMajorBars`), for intrabar stops; nil reads
    /// the panel (same values).
    public var bars: DayMajorBars?
    /// Record the run's `PositionLedger` (for attribution); off for sweep points, whose hot loop stays as it was.
    public var recordPositions = false

    public init(
        panel: MarketPanel, technicals: Technicals, profiles: BacktestProfileService, regimes: BacktestRegimeService,
        cashRate: [Double]?, signalCache: SignalCache? = nil, signals: SignalColumns? = nil
    ) {
        self.panel = panel
        self.technicals = technicals
        self.profiles = profiles
        self.regimes = regimes
        self.cashRate = cashRate
        self.signalCache = signalCache
        self.signals = signals
    }
}
