/// A universe's membership as of a date, and the rule that produced it.
public struct UniverseSnapshot: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var ticker: String
        public var rank: Int
        public var source: SourceLocation?
        public init(ticker: String, rank: Int, source: SourceLocation? = nil) {
            self.ticker = ticker
            self.rank = rank
            self.source = source
        }
    }
    public var universeID: String
    public var asOf: TradingDay
    public var ruleJSON: String
    public var members: [Member]

    public init(universeID: String, asOf: TradingDay, ruleJSON: String, members: [Member]) {
        self.universeID = universeID
        self.asOf = asOf
        self.ruleJSON = ruleJSON
        self.members = members
    }
}
