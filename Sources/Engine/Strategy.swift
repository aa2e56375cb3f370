import HindsightCore
import MarketData
import Services
import Signals

/// Everything a strategy may read while it is set up: the run config, the panel, its technicals and the services.
public struct StrategyEnvironment {
    public let config: RunConfig
    public let panel: MarketPanel
    public let technicals: Technicals
    public let profiles: BacktestProfileService
    public let regimes: BacktestRegimeService
    public let universe: BacktestUniverseService
    /// Sessions of the run (panel day indices).
    public let sessions: Range<Int>
    /// Signal columns shared across the runs of a sweep (nil: computed for this run only).
    public let signalCache: SignalCache?
    /// A signals run's entry and exit columns, computed by the pipeline before the engine (nil: `make` computes).
    public let signals: SignalColumns?
    /// The panel's closes and bar flags day by day when the market has them (cross-sectional reads on one day then
    /// stay on one cache line); read them through `DayMajorMarks.Reader`, which falls back to the panel.
    public var marks: DayMajorMarks? = nil
}

/// What a strategy may write after each close.
public struct StrategyOutput {
    public var orders: [Order] = []
    public var decisions: [DecisionRecord] = []
    /// Per asset, each model's share of the current view (asset-major, `modelNames.count` per asset).
    public var modelShare: [Double] = []
}

/// The state of the book after a session's close, before that session's close fills.
public struct SessionView {
    public let day: Int
    public let regime: Int
    /// Equity at this close.
    public let equity: Double
    public let portfolio: Portfolio
}

/// A trading strategy: after every close it may emit orders. Implementations must not allocate per session.
public protocol Strategy {
    mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput)
}

/// How a strategy is registered: its `kind`, the keys it owns under `strategy:`, and its factory.
public protocol StrategyPlugin: SendableMetatype {
    static var kind: String { get }
    /// Keys allowed under `strategy:` besides `kind`.
    static var keys: [String] { get }
    /// Checks the strategy's own keys without data, so a bad config fails before any data is read.
    static func validate(_ strategy: ConfigNode) throws
    /// Builds the strategy for one run; data-dependent checks throw here.
    static func make(_ env: StrategyEnvironment) throws -> StrategySetup
    /// Whether the strategy's orders open positions (false for one that only reports, e.g. a signal logger):
    /// `stops:` on a strategy that cannot hold positions is refused.
    static var holdsPositions: Bool { get }
}

extension StrategyPlugin {
    public static var holdsPositions: Bool { true }
}

/// A built strategy and what the engine needs to know about it.
public struct StrategySetup {
    public var strategy: any Strategy
    /// Models for P&L attribution.
    public var modelNames: [String]
    /// Per-asset capital when each asset trades its own sleeve (all-in orders); nil to share all cash.
    public var sleeveCapital: Double?
    /// Whether cash may go negative (leverage or shorts).
    public var allowMargin: Bool
    /// An upper estimate of the orders the run will decide, 0 when unknown: the run's trade and decision logs
    /// reserve it once instead of growing by copies (on a 118-stock momentum sweep the growth was 8 % of the
    /// simulation).
    public var expectedOrders = 0

    public init(strategy: any Strategy, modelNames: [String], sleeveCapital: Double? = nil, allowMargin: Bool = false) {
        self.strategy = strategy
        self.modelNames = modelNames
        self.sleeveCapital = sleeveCapital
        self.allowMargin = allowMargin
    }
}
