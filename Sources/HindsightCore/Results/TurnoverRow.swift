/// One row of `backtest_turnover`: one component's traded value in one period, and over the period's mean equity.
public struct TurnoverRow: Sendable, Equatable {
    public var period: String
    public var component: String
    public var tradedValue: Double
    public var turnover: Double

    public init(period: String, component: String, tradedValue: Double, turnover: Double) {
        self.period = period
        self.component = component
        self.tradedValue = tradedValue
        self.turnover = turnover
    }
}
