/// One version of a company's profile, valid from a date until the next version.
public struct CompanyProfile: Sendable, Equatable {
    public var ticker: String
    public var validFrom: TradingDay
    public var profileVersionID: String
    public var sector: String
    public var industry: String
    /// Extra fields as a JSON object (fundamentals, true factor betas for synthetic data, ...).
    public var fieldsJSON: String
    public var source: SourceLocation?

    public init(
        ticker: String, validFrom: TradingDay, profileVersionID: String, sector: String, industry: String,
        fieldsJSON: String = "{}", source: SourceLocation? = nil
    ) {
        self.ticker = ticker
        self.validFrom = validFrom
        self.profileVersionID = profileVersionID
        self.sector = sector
        self.industry = industry
        self.fieldsJSON = fieldsJSON
        self.source = source
    }
}
