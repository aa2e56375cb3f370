/// One version of a sector's profile.
public struct SectorProfile: Sendable, Equatable {
    public var sector: String
    public var validFrom: TradingDay
    public var profileVersionID: String
    public var fieldsJSON: String
    public var source: SourceLocation?

    public init(
        sector: String, validFrom: TradingDay, profileVersionID: String, fieldsJSON: String = "{}",
        source: SourceLocation? = nil
    ) {
        self.sector = sector
        self.validFrom = validFrom
        self.profileVersionID = profileVersionID
        self.fieldsJSON = fieldsJSON
        self.source = source
    }
}
