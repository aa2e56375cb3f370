/// Fills orders against the market (the live contract); in a backtest, the market simulator.
public protocol ExecutionService {
    associatedtype OrderType
    /// Accepts the orders decided after the close of session `day`.
    mutating func submit(_ orders: [OrderType], day: Int)
}
