/// An instruction from a strategy to the market simulator, decided after a session's close.
public struct Order: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Hold `weight` × decision-day equity, in shares at the fill price.
        case targetWeight(Double)
        /// Spend all available cash (or the asset's sleeve) on the asset.
        case allIn
        /// Close the whole position.
        case closeOut
        /// A fixed number of shares (signed); used for carried partial fills.
        case quantity(Double)
    }

    public var asset: Int32
    public var kind: Kind
    /// Index into the run's decision log, or −1.
    public var decision: Int32
    public var decisionDay: Int32
    public var decisionEquity: Double
    /// True for the carried remainder of a partial fill.
    public var carried: Bool
    /// A limit, stop or stop-limit condition; nil for a market order.
    public var trigger: Trigger?

    /// The condition of a limit, stop or stop-limit entry, and the sessions it lives.
    public struct Trigger: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            case limit, stop
            case stopLimit = "stop_limit"
        }
        public var kind: Kind
        /// The limit price (limit) or the trigger price (stop, stop-limit).
        public var level: Double
        /// The limit of a stop-limit order (NaN otherwise).
        public var limit: Double
        /// The last session the order may fill on.
        public var lastDay: Int32

        public init(kind: Kind, level: Double, limit: Double = .nan, lastDay: Int32) {
            self.kind = kind
            self.level = level
            self.limit = limit
            self.lastDay = lastDay
        }

        /// The fill price on a bar, or nil. A limit buy fills at the open if the bar opens at or below the limit,
        /// else at the limit if the low reaches it; a stop buy fills at the open if it opens at or above the
        /// stop, else at the stop if the high reaches it; a stop-limit buy is a stop buy that fills only at or
        /// below its limit (at the limit when it opened beyond the stop and the low comes back to the limit).
        /// Sells mirror.
        public func fillPrice(buy: Bool, open o: Double, high h: Double, low l: Double) -> Double? {
            func limitFill(_ p: Double) -> Double? {
                if buy ? o <= p : o >= p { return o }
                return (buy ? l <= p : h >= p) ? p : nil
            }
            func stopFill(_ p: Double) -> Double? {
                if buy ? o >= p : o <= p { return o }
                return (buy ? h >= p : l <= p) ? p : nil
            }
            switch kind {
            case .limit: return limitFill(level)
            case .stop: return stopFill(level)
            case .stopLimit:
                guard let p = stopFill(level) else { return nil }
                if buy ? p <= limit : p >= limit { return p }
                // Triggered at the open beyond the limit: only a return to the limit fills (the open came first).
                if p == o, buy ? l <= limit : h >= limit { return limit }
                return nil
            }
        }
    }

    public init(
        asset: Int32, kind: Kind, decision: Int32 = -1, decisionDay: Int32, decisionEquity: Double,
        carried: Bool = false, trigger: Trigger? = nil
    ) {
        self.asset = asset
        self.kind = kind
        self.decision = decision
        self.decisionDay = decisionDay
        self.decisionEquity = decisionEquity
        self.carried = carried
        self.trigger = trigger
    }
}

/// One fill, with what was asked for when it was only partly filled.
public struct TradeRecord: Sendable, Equatable {
    public var day: Int32
    public var asset: Int32
    /// Signed shares: > 0 buy, < 0 sell.
    public var quantity: Double
    /// Execution price after slippage.
    public var price: Double
    public var commission: Double
    /// Slippage cost in cash: |quantity| × |price − reference price|.
    public var slippage: Double
    public var decision: Int32
    /// Shares requested by this order (equal to `quantity` unless partly filled or trimmed to cash).
    public var requested: Double
    public var flags: UInt8
    /// A stop's `StopRules.ExitReason` raw value for the exits stops make; 0 for orders.
    public var reason: UInt8 = 0
    /// Intraday fills: the intraday bars the order filled over, and the first and last of them (bar starts, UTC
    /// seconds); 0 for a fill on a daily bar.
    public var intradayBars: Int32 = 0
    public var firstBar: Int64 = 0
    public var lastBar: Int64 = 0

    public init(
        day: Int32, asset: Int32, quantity: Double, price: Double, commission: Double, slippage: Double,
        decision: Int32, requested: Double, flags: UInt8, reason: UInt8 = 0
    ) {
        self.day = day
        self.asset = asset
        self.quantity = quantity
        self.price = price
        self.commission = commission
        self.slippage = slippage
        self.decision = decision
        self.requested = requested
        self.flags = flags
        self.reason = reason
    }

    public static let partial: UInt8 = 1
    public static let carriedRemainder: UInt8 = 2
    public static let cancelledRemainder: UInt8 = 4
    public static let trimmedToCash: UInt8 = 8
    public static let fromCarry: UInt8 = 16
    public static let dividendReinvestment: UInt8 = 32
    /// A stop exit or limit/stop entry filled where an intraday bar first touched its level.
    public static let intradayTouch: UInt8 = 64
}

/// A session on which an order or a mark could not use a bar because the asset had none.
public struct GapEvent: Sendable, Equatable {
    public var day: Int32
    public var asset: Int32
    /// True when an order was skipped; false when only the mark used the last known close.
    public var orderSkipped: Bool

    public init(day: Int32, asset: Int32, orderSkipped: Bool) {
        self.day = day
        self.asset = asset
        self.orderSkipped = orderSkipped
    }
}

/// One decision kept for the trade log and attribution.
public struct DecisionRecord: Sendable, Equatable {
    public var day: Int32
    public var asset: Int32
    public var direction: Int8
    public var score: Double
    public var confidence: Double
    public var targetWeight: Double
    public var regime: Int32
    public var profileVersion: Int32
    /// The target before the risk layer's limits and scalings (`max_weight`, `max_sector_weight`, `vol_target`,
    /// regime exposure); the target itself when the strategy has none.
    public var unlimitedWeight: Double
    /// Equity at the decision's close before that close's fills (stamped by the engine; NaN until then).
    public var equity: Double = .nan

    public init(
        day: Int32, asset: Int32, direction: Int8, score: Double, confidence: Double, targetWeight: Double,
        regime: Int32, profileVersion: Int32, unlimitedWeight: Double? = nil
    ) {
        self.day = day
        self.asset = asset
        self.direction = direction
        self.score = score
        self.confidence = confidence
        self.targetWeight = targetWeight
        self.regime = regime
        self.profileVersion = profileVersion
        self.unlimitedWeight = unlimitedWeight ?? targetWeight
    }
}
