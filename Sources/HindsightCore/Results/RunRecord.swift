/// One row of `backtest_runs`.
public struct RunRecord: Sendable, Equatable {
    public enum Status: String, Sendable { case ok, invalid, failed }

    public var runID: String
    public var strategyID: String
    public var configJSON: String
    public var configHash: String
    public var dataFingerprint: String?
    public var seed: UInt64
    public var codeVersion: String
    public var startDate: TradingDay?
    public var endDate: TradingDay?
    public var universeID: String?
    public var metricsJSON: String?
    public var status: Status
    public var error: String?
    public var sweepID: String?
    public var pointID: String?
    /// ISO-8601 UTC time the run was recorded (set by the caller: the engine reads no clock).
    public var createdAt: String
    /// How the run was computed and the sweep's own bookkeeping (`engine` path, walk-forward in-sample values):
    /// kept out of `metricsJSON`, which is the same for a config however it is run.
    public var notesJSON: String?
    /// `backtest run`'s further analysis (tail, Cramér, factor regression, rolling and calendar tables).
    public var analysisJSON: String?

    public init(
        runID: String, strategyID: String, configJSON: String, configHash: String, dataFingerprint: String?,
        seed: UInt64,
        codeVersion: String, startDate: TradingDay?, endDate: TradingDay?, universeID: String?, metricsJSON: String?,
        status: Status, error: String?, sweepID: String? = nil, pointID: String? = nil, createdAt: String,
        notesJSON: String? = nil, analysisJSON: String? = nil
    ) {
        self.runID = runID
        self.strategyID = strategyID
        self.configJSON = configJSON
        self.configHash = configHash
        self.dataFingerprint = dataFingerprint
        self.seed = seed
        self.codeVersion = codeVersion
        self.startDate = startDate
        self.endDate = endDate
        self.universeID = universeID
        self.metricsJSON = metricsJSON
        self.status = status
        self.error = error
        self.sweepID = sweepID
        self.pointID = pointID
        self.createdAt = createdAt
        self.notesJSON = notesJSON
        self.analysisJSON = analysisJSON
    }
}

/// One row of `backtest_trades`.
public struct TradeRow: Sendable, Equatable {
    public var tradeID: Int
    public var date: TradingDay
    public var ticker: String
    /// `buy` or `sell`.
    public var direction: String
    /// Shares, always positive.
    public var size: Double
    public var price: Double
    public var commission: Double
    public var slippage: Double
    public var regimeID: Int?
    public var universeID: String?
    public var profileVersionID: String?
    public var decisionMetadataJSON: String

    public init(
        tradeID: Int, date: TradingDay, ticker: String, direction: String, size: Double, price: Double,
        commission: Double,
        slippage: Double, regimeID: Int?, universeID: String?, profileVersionID: String?, decisionMetadataJSON: String
    ) {
        self.tradeID = tradeID
        self.date = date
        self.ticker = ticker
        self.direction = direction
        self.size = size
        self.price = price
        self.commission = commission
        self.slippage = slippage
        self.regimeID = regimeID
        self.universeID = universeID
        self.profileVersionID = profileVersionID
        self.decisionMetadataJSON = decisionMetadataJSON
    }
}

/// One row of `backtest_daily_equity`.
public struct EquityRow: Sendable, Equatable {
    public var date: TradingDay
    public var equity: Double
    public var drawdown: Double
    public var exposureJSON: String
    public init(date: TradingDay, equity: Double, drawdown: Double, exposureJSON: String) {
        self.date = date
        self.equity = equity
        self.drawdown = drawdown
        self.exposureJSON = exposureJSON
    }
}

/// A stored run read back: its row, its trades and its daily equity.
public struct BacktestResults: Sendable {
    public var run: RunRecord
    public var trades: [TradeRow]
    public var equity: [EquityRow]
    public init(run: RunRecord, trades: [TradeRow], equity: [EquityRow]) {
        self.run = run
        self.trades = trades
        self.equity = equity
    }
}

/// The version recorded with every run.
public enum HindsightVersion {
    public static let current = "0.4.0"
}
