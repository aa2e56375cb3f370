import Analytics
import HindsightCore
import MarketData

/// The backtest implementation over the versioned profile tables, with an index-based fast path for the engine.
public final class BacktestProfileService: ProfileService {
    /// Sector names; index `sectors.count` is "unknown".
    public let sectors: [String]
    let company: [String: [CompanyProfile]]
    let sector: [String: [SectorProfile]]
    /// Per asset, its versions' first session index (ascending), sector index and version position.
    let assetVersionStart: [[Int]]
    public let assetVersionSector: [[Int32]]
    public let assetVersions: [[CompanyProfile]]
    /// Per asset, whether a profile version marks it as not a tradable stock (`kind: index|etf` or
    /// `tradable: false`); universe rules skip such names.
    public let untradable: [Bool]

    public init(companies: [CompanyProfile], sectors sectorProfiles: [SectorProfile], panel: MarketPanel) {
        var byTicker = [String: [CompanyProfile]]()
        for p in companies { byTicker[p.ticker, default: []].append(p) }
        for k in byTicker.keys { byTicker[k]!.sort { $0.validFrom < $1.validFrom } }
        var bySector = [String: [SectorProfile]]()
        for p in sectorProfiles { bySector[p.sector, default: []].append(p) }
        for k in bySector.keys { bySector[k]!.sort { $0.validFrom < $1.validFrom } }
        let names = Array(Set(companies.map(\.sector))).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        var starts: [[Int]] = [], secs: [[Int32]] = [], versions: [[CompanyProfile]] = []
        for t in panel.tickers {
            let v = byTicker[t] ?? []
            versions.append(v)
            // A version valid from a non-session date takes effect on the next session.
            starts.append(v.map { panel.calendar.indexOnOrAfter($0.validFrom) })
            secs.append(v.map { index[$0.sector]! })
        }
        self.sectors = names
        self.company = byTicker
        self.sector = bySector
        self.assetVersionStart = starts
        self.assetVersionSector = secs
        self.assetVersions = versions
        self.untradable = versions.map { $0.contains(where: BacktestProfileService.isUntradable) }
    }

    /// Every company and sector profile version held (for a copy of the inputs cut at a date).
    public var companyProfiles: [CompanyProfile] { company.keys.sorted().flatMap { company[$0]! } }
    public var sectorProfiles: [SectorProfile] { sector.keys.sorted().flatMap { sector[$0]! } }

    /// Kinds of instrument a universe rule never picks.
    public static let untradableKinds: Set<String> = ["index", "etf"]

    static func isUntradable(_ p: CompanyProfile) -> Bool {
        guard p.fieldsJSON != "{}", let fields = try? JSONValue.parse(p.fieldsJSON) else { return false }
        if case .string(let k) = fields["kind"], untradableKinds.contains(k.lowercased()) { return true }
        switch fields["tradable"] {
        case .bool(false), .integer(0): return true
        case .number(let v): return v == 0
        case .string(let v): return ["false", "no", "0"].contains(v.lowercased())
        default: return false
        }
    }

    public func companyProfile(ticker: String, asOf: TradingDay) -> CompanyProfile? {
        guard let v = company[ticker] else { return nil }
        return BacktestProfileService.latest(v, asOf: asOf, date: \.validFrom)
    }

    public func sectorProfile(sector name: String, asOf: TradingDay) -> SectorProfile? {
        guard let v = sector[name] else { return nil }
        return BacktestProfileService.latest(v, asOf: asOf, date: \.validFrom)
    }

    static func latest<T>(_ v: [T], asOf: TradingDay, date: KeyPath<T, TradingDay>) -> T? {
        var lo = 0, hi = v.count
        while lo < hi {
            let m = (lo + hi) / 2
            if v[m][keyPath: date] <= asOf { lo = m + 1 } else { hi = m }
        }
        return lo == 0 ? nil : v[lo - 1]
    }

    /// Position of the asset's profile version in force on session `day`, or -1 before its first version.
    @inline(__always)
    public func versionIndex(asset: Int, day: Int) -> Int {
        let s = assetVersionStart[asset]
        var lo = 0, hi = s.count
        while lo < hi {
            let m = (lo + hi) / 2
            if s[m] <= day { lo = m + 1 } else { hi = m }
        }
        return lo - 1
    }

    /// Sector index in force on session `day` (`sectors.count` when unknown).
    @inline(__always)
    public func sectorIndex(asset: Int, day: Int) -> Int {
        let v = versionIndex(asset: asset, day: day)
        return v < 0 ? sectors.count : Int(assetVersionSector[asset][v])
    }

    /// The sector index in force on session `day` and the session from which it may differ (the asset's next version
    /// start, `Int.max` after its last), so a loop walking sessions forward asks once per version.
    public func sectorSpan(asset: Int, day: Int) -> (sector: Int, until: Int) {
        let v = versionIndex(asset: asset, day: day), starts = assetVersionStart[asset]
        return (v < 0 ? sectors.count : Int(assetVersionSector[asset][v]), v + 1 < starts.count ? starts[v + 1] : .max)
    }

    /// The profile version id in force on session `day`.
    public func versionID(asset: Int, day: Int) -> String? {
        let v = versionIndex(asset: asset, day: day)
        return v < 0 ? nil : assetVersions[asset][v].profileVersionID
    }

    /// Sector name for an index (including "unknown").
    public func sectorName(_ i: Int) -> String { i < sectors.count ? sectors[i] : "unknown" }
}
