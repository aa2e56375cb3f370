import HindsightCore

/// Everything one run produced, in memory; storage writes it afterwards.
public struct BacktestResult: Sendable {
    /// Sessions of the run.
    public var dates: [TradingDay]
    public var equity: [Double]
    public var cash: [Double]
    public var drawdown: [Double]
    /// Per session, as fractions of equity: gross, net, long, short; plus names held and turnover (traded value / equity).
    public var gross: [Double]
    public var net: [Double]
    public var long: [Double]
    public var short: [Double]
    public var names: [Int32]
    public var turnover: [Double]
    /// Net exposure per session and sector (session-major, `sectors.count` per session; the last sector is "unknown").
    public var sectorExposure: [Double]
    public var sectors: [String]
    public var regimeOfDay: [Int32]
    public var regimeLabels: [Int: String]
    public var trades: [TradeRecord]
    public var decisions: [DecisionRecord]
    public var gaps: [GapEvent]
    public var tickers: [String]
    /// Session index of the run's first day in the panel (trade and gap days are panel indices).
    public var firstSession: Int
    /// P&L attribution: by sector (plus "cash" for interest), by assessment model and by regime label.
    public var pnlBySector: [(String, Double)]
    public var pnlByModel: [(String, Double)]
    public var modelNames: [String]
    public var pnlByRegime: [(String, Double)]
    public var totalCommission: Double
    public var totalSlippage: Double
    /// Profile version ids per (asset, version position), for the trade log.
    public var profileVersionIDs: [[String]]
    /// The universe snapshots the run used.
    public var universe: [UniverseSnapshot]
    public var universeID: String
    /// Bars on which a stop and the target both lay inside the range (the intrabar policy decided the exit).
    public var ambiguousBars: Int = 0
    /// Intraday execution: sessions on which a fill or a stop or limit check had no intraday bars and used the
    /// daily rules.
    public var daysWithoutIntraday: Int = 0
    /// The intraday fill window (`HH:MM-HH:MM` New York time, with the model), for the trade log.
    public var intradayWindow: String?
    /// Per session, from the previous close to this one: interest on cash (either sign) and borrow fees charged
    /// (≥ 0). Empty when the run accrued neither (the kernels).
    public var cashInterest: [Double] = []
    public var borrowFees: [Double] = []
    /// Per session and factor (session-major, `factorNames.count` per session): Σ held value × the profile's beta
    /// at the close, when `EngineInputs.factorBetas` is given; empty otherwise.
    public var factorExposure: [Double] = []
    public var factorNames: [String] = []
    /// False when some held asset's profile had no betas (factor attribution is then returns-based).
    public var factorBetasComplete = true
    /// Per-session, per-asset bookings, when the run was asked to record them.
    public var ledger: PositionLedger?

    public var finalEquity: Double { equity.last ?? .nan }

    /// Daily simple returns of equity; the first is against the initial cash.
    public func returns(initialCash: Double) -> [Double] {
        var out = [Double](repeating: 0, count: equity.count)
        var prev = initialCash
        for (i, e) in equity.enumerated() {
            out[i] = prev != 0 ? e / prev - 1 : 0
            prev = e
        }
        return out
    }
}
