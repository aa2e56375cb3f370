/// Everything one import or one synthetic market writes, applied to the store in one transaction.
public struct MarketDataset: Sendable {
    public var prices = PriceRows()
    public var corporateActions: [CorporateAction] = []
    public var regimes: [RegimeRecord] = []
    public var companyProfiles: [CompanyProfile] = []
    public var sectorProfiles: [SectorProfile] = []
    public var universes: [UniverseSnapshot] = []
    public var factorReturns: [FactorReturn] = []
    /// Free-form key/value facts about the dataset (for example the synth parameters).
    public var metadata: [(key: String, value: String)] = []

    public init() {}

    public var totalRows: Int {
        prices.count + corporateActions.count + regimes.count + companyProfiles.count + sectorProfiles.count
            + universes.reduce(universes.count) { $0 + $1.members.count } + factorReturns.count
    }
}
