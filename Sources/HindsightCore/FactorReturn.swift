/// One factor's return on one date, as a fraction.
public struct FactorReturn: Sendable, Equatable {
    public var date: TradingDay
    public var factor: String
    public var value: Double
    public var source: SourceLocation?

    public init(date: TradingDay, factor: String, value: Double, source: SourceLocation? = nil) {
        self.date = date
        self.factor = factor
        self.value = value
        self.source = source
    }
}
