import HindsightCore
import MarketData

/// Company and sector profiles as of a date (the live contract). Never returns a version that starts after `asOf`.
public protocol ProfileService: Sendable {
    func companyProfile(ticker: String, asOf: TradingDay) -> CompanyProfile?
    func sectorProfile(sector: String, asOf: TradingDay) -> SectorProfile?
}
