/// The market regime on one date.
public struct RegimeRecord: Sendable, Equatable {
    public var date: TradingDay
    public var regimeID: Int
    public var label: String
    public var source: SourceLocation?

    public init(date: TradingDay, regimeID: Int, label: String, source: SourceLocation? = nil) {
        self.date = date
        self.regimeID = regimeID
        self.label = label
        self.source = source
    }
}
