/// One row of `backtest_round_trips`: a position from entry to exit (see `RoundTrip` in the engine).
public struct RoundTripRow: Sendable, Equatable {
    public var tripID: Int
    public var ticker: String
    /// `long` or `short`.
    public var direction: String
    public var entryDate: TradingDay
    public var exitDate: TradingDay
    public var quantity: Double
    public var entryPrice: Double
    public var exitPrice: Double
    public var pnl: Double
    public var ret: Double
    public var barsHeld: Int
    public var mae: Double
    public var mfe: Double
    /// signal, stop_loss, take_profit, trailing_stop, atr_stop, time_stop, end_of_run or delisting.
    public var exitReason: String
    /// `backtest_trades.trade_id` of the first entry fill and of the exit fill (nil while open).
    public var entryTradeID: Int
    public var exitTradeID: Int?

    public init(
        tripID: Int, ticker: String, direction: String, entryDate: TradingDay, exitDate: TradingDay,
        quantity: Double, entryPrice: Double, exitPrice: Double, pnl: Double, ret: Double, barsHeld: Int,
        mae: Double, mfe: Double, exitReason: String, entryTradeID: Int, exitTradeID: Int?
    ) {
        self.tripID = tripID
        self.ticker = ticker
        self.direction = direction
        self.entryDate = entryDate
        self.exitDate = exitDate
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.exitPrice = exitPrice
        self.pnl = pnl
        self.ret = ret
        self.barsHeld = barsHeld
        self.mae = mae
        self.mfe = mfe
        self.exitReason = exitReason
        self.entryTradeID = entryTradeID
        self.exitTradeID = exitTradeID
    }
}
