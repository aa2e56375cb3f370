/// One backtest, fully resolved from a run config file (defaults filled in, values checked for range).
/// Strategy-, assessment- and risk-specific keys stay as `strategy` nodes: their plug-ins read and validate them.
public struct RunConfig: Sendable {
    public enum DataSource: Sendable, Equatable {
        case database(path: String)
        case synthetic(assets: Int, start: TradingDay, end: TradingDay, seed: UInt64)
        /// A price file read straight into the panel (no database): prices only, no actions, profiles or factors.
        case csv(path: String, ticker: String?)
    }

    public enum Schedule: Sendable, Equatable, CustomStringConvertible {
        case daily, weekly, monthly
        case everySessions(Int)
        public var description: String {
            switch self {
            case .daily: return "daily"
            case .weekly: return "weekly"
            case .monthly: return "monthly"
            case .everySessions(let n): return "every \(n) sessions"
            }
        }
    }

    /// Top-N by trailing average dollar volume among names that pass the filters on the as-of date.
    public struct UniverseRule: Sendable, Equatable {
        public var size: Int
        public var lookback: Int
        public var minPrice: Double
        public var minHistory: Int
        public var sectors: [String]?
        public var rebalance: Schedule
        public init(
            size: Int, lookback: Int = 63, minPrice: Double = 0, minHistory: Int = 0, sectors: [String]? = nil,
            rebalance: Schedule = .monthly
        ) {
            self.size = size
            self.lookback = lookback
            self.minPrice = minPrice
            self.minHistory = minHistory
            self.sectors = sectors
            self.rebalance = rebalance
        }

        public var json: String {
            JSONText.object([
                ("kind", JSONText.quote("top_dollar_volume")), ("size", String(size)), ("lookback", String(lookback)),
                ("min_price", JSONText.number(minPrice)), ("min_history", String(minHistory)),
                ("sectors", sectors.map { "[" + $0.map(JSONText.quote).joined(separator: ",") + "]" } ?? "null"),
                ("rebalance", JSONText.quote(rebalance.description)),
            ])
        }
    }

    public enum Universe: Sendable, Equatable {
        case tickers([String])
        case rule(UniverseRule)
        /// Every ticker in the data.
        case all
    }

    public enum Fill: String, Sendable {
        case close
        case nextOpen = "next_open"
    }

    public enum Slippage: Sendable, Equatable {
        case none
        case fixedBps(Double)
        /// `fraction` × (high − low) per share, against the trade.
        case halfSpread(fraction: Double)
        /// `k` × σ × √(shares / volume), as a fraction of the price, against the trade: σ and volume are the
        /// day's intraday realised volatility and volume when the day has intraday bars, else the 21-day daily
        /// volatility and the daily bar's volume.
        case sqrtImpact(k: Double)
        /// `fraction` × the Corwin–Schultz spread estimate from highs and lows (consecutive intraday bars, or the
        /// fill day and the day before), as a fraction of the price, against the trade; 0.5 pays the half-spread.
        case corwinSchultz(fraction: Double)
    }

    /// Daily decisions filled on the next session's intraday bars, over a window of New York time.
    public struct IntradayFill: Sendable, Equatable {
        public enum Model: String, Sendable, CaseIterable {
            /// In proportion to each bar's volume, at the bar's typical price (high + low + close) / 3.
            case vwap
            /// Equal shares per bar, at the bar's typical price.
            case twap
            /// All at the window's first bar's open (the rest, past a participation limit, in later bars).
            case open
            /// All at the window's last bar's close, its closing bar.
            case close
        }
        public var model: Model
        /// Seconds after local midnight (New York): bars starting in [from, to) are the window.
        public var from: Int
        public var to: Int
        public init(model: Model, from: Int = 9 * 3600 + 1800, to: Int = 16 * 3600) {
            self.model = model
            self.from = from
            self.to = to
        }

        /// `HH:MM-HH:MM`.
        public var windowText: String {
            func hm(_ s: Int) -> String { String(UTCTime.clock(s).prefix(5)) }
            return hm(from) + "-" + hm(to)
        }
    }

    public enum Commission: Sendable, Equatable {
        case none
        case bps(Double)
        case perShare(Double, minimum: Double)
        case fixed(Double)

        /// The commission as a fraction of traded value, when it is one (none or bps).
        public var rate: Double? {
            switch self {
            case .none: return 0
            case .bps(let b): return b / 10_000
            default: return nil
            }
        }
    }

    public enum PartialFills: String, Sendable { case carry, cancel }

    public struct Execution: Sendable, Equatable {
        public var fill: Fill = .close
        /// Set by `fill: {model: ...}`: orders fill on intraday bars (decided at the previous close, as `next_open`).
        public var intraday: IntradayFill?
        public var slippage: Slippage = .none
        public var commission: Commission = .none
        public var maxParticipation: Double?
        public var partialFills: PartialFills = .carry
        public init() {}
    }

    public enum CashRate: Sendable, Equatable {
        case none
        /// A constant annual rate, accrued per session as rate / 252.
        case annual(Double)
        /// A factor series from `factor_returns` (per-session fraction), e.g. `rf`.
        case factor(String)
    }

    public enum Dividends: String, Sendable { case cash, reinvest }

    public struct PortfolioSettings: Sendable, Equatable {
        public var borrowFeeBps: Double = 0
        public var cashRate: CashRate = .none
        public var dividends: Dividends = .cash
        public init() {}
    }

    public enum RegimeSource: String, Sendable { case auto, data, builtin }

    /// The built-in classifier: trend = close vs its `trendWindow` SMA, volatility = `volWindow`-day realised vol vs `volThreshold`.
    public struct RegimeSettings: Sendable, Equatable {
        public var source: RegimeSource = .auto
        public var ticker: String?
        public var trendWindow = 200
        public var volWindow = 21
        public var volThreshold = 0.20
        public init() {}
    }

    public var name: String
    public var data: DataSource
    /// `NYSE`, `weekdays` or `data`.
    public var calendar: String
    public var start: TradingDay
    public var end: TradingDay
    public var initialCash: Double
    public var fractionalShares: Bool
    public var universe: Universe
    public var strategyKind: String
    /// The whole `strategy:` mapping (its plug-in reads the keys it owns).
    public var strategy: ConfigNode
    public var execution: Execution
    public var portfolio: PortfolioSettings
    public var regime: RegimeSettings
    /// Stop-loss, take-profit, trailing, ATR and time stops on every position (`stops:`).
    public var stops: StopRules
    public var benchmark: String?
    public var seed: UInt64
    /// The document this config was read from.
    public var source: ConfigNode

    public init(
        name: String, data: DataSource, calendar: String, start: TradingDay, end: TradingDay, initialCash: Double,
        fractionalShares: Bool, universe: Universe, strategyKind: String, strategy: ConfigNode, execution: Execution,
        portfolio: PortfolioSettings, regime: RegimeSettings, stops: StopRules = StopRules(), benchmark: String?,
        seed: UInt64, source: ConfigNode
    ) {
        self.name = name
        self.data = data
        self.calendar = calendar
        self.start = start
        self.end = end
        self.initialCash = initialCash
        self.fractionalShares = fractionalShares
        self.universe = universe
        self.strategyKind = strategyKind
        self.strategy = strategy
        self.execution = execution
        self.portfolio = portfolio
        self.regime = regime
        self.stops = stops
        self.benchmark = benchmark
        self.seed = seed
        self.source = source
    }

    /// Tickers the config names explicitly (static universe, benchmark, regime ticker).
    public var namedTickers: [String] {
        var out: [String] = []
        if case .tickers(let t) = universe { out += t }
        if let b = benchmark { out.append(b) }
        if let r = regime.ticker { out.append(r) }
        return out
    }

    /// The config as canonical JSON (keys sorted); its hash is the run's config hash.
    public var canonicalJSON: String { source.canonicalJSON }

    public var configHash: String {
        var h = StableHasher()
        h.combine(canonicalJSON)
        return h.hex
    }
}
