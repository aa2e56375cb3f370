/// What the engine booked per session and asset, recorded only when asked (`EngineInputs.recordPositions`), so
/// attribution and turnover are computed from the engine's own accounting instead of being reconstructed.
/// A row exists for every (session, asset) with a position or a P&L; rows are in session order.
public struct PositionLedger: Sendable, Equatable {
    /// Session offset in the run.
    public var session: [Int32] = []
    public var asset: [Int32] = []
    /// Change in the position's held value plus its cash flows that session: price moves, dividends, costs and
    /// borrow fees included (what `pnl_by_sector` sums).
    public var pnl: [Double] = []
    /// Held value at the close (signed: shorts are negative).
    public var value: [Double] = []
    /// Borrow fee charged on the position that session (≥ 0; part of `pnl`).
    public var borrowFee: [Double] = []
    /// Each assessment model's share of the position that session, `models` per row (empty with one model).
    public var modelShares: [Double] = []
    public var models: Int = 1
    /// Interest on cash per session (either sign).
    public var cashInterest: [Double] = []

    public init() {}

    public var count: Int { session.count }
}
