/// A split (ratio new shares per old share, e.g. 2 for a 2-for-1) or a cash dividend per share, effective on its ex-date.
public struct CorporateAction: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case split, dividend }
    public var ticker: String
    public var date: TradingDay
    public var kind: Kind
    public var value: Double
    public var source: SourceLocation?

    public init(ticker: String, date: TradingDay, kind: Kind, value: Double, source: SourceLocation? = nil) {
        self.ticker = ticker
        self.date = date
        self.kind = kind
        self.value = value
        self.source = source
    }
}
