/// One row of `backtest_attribution`: a key's P&L in one dimension and period, its mean share of equity, and its
/// contribution to the period's return (P&L over the equity at the period's start).
public struct AttributionRow: Sendable, Equatable {
    public var dimension: String
    public var key: String
    public var period: String
    public var pnl: Double
    public var exposure: Double
    public var contribution: Double

    public init(dimension: String, key: String, period: String, pnl: Double, exposure: Double, contribution: Double) {
        self.dimension = dimension
        self.key = key
        self.period = period
        self.pnl = pnl
        self.exposure = exposure
        self.contribution = contribution
    }
}
