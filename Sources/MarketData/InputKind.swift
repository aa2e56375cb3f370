import HindsightCore

/// The kinds of input file `hindsight data import` reads.
public enum InputKind: String, Sendable, CaseIterable {
    case prices
    case intraday
    case corporateActions = "corporate-actions"
    case regimes
    case profiles
    case sectorProfiles = "sector-profiles"
    case universe
    case factors

    public init(parsing text: String) throws {
        guard let k = InputKind(rawValue: text.lowercased()) else {
            let hint = InputKind.allCases.map(\.rawValue).min { a, b in editDistance(a, text) < editDistance(b, text) }!
            throw HindsightError(
                .invalidArgument,
                "unknown import kind '\(text)'; did you mean '\(hint)'? Expected one of: \(InputKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self = k
    }

    /// The header this kind expects, for help and error messages.
    public var expectedHeader: String {
        switch self {
        case .prices: return "date,ticker,open,high,low,close,volume (or stooq/yahoo/plain per-ticker files)"
        case .intraday:
            return
                "datetime,ticker,open,high,low,close,volume   (1-minute to 1-hour bars; datetime with a UTC offset, or --timezone)"
        case .corporateActions:
            return "ticker,date,kind,value   (kind: split | dividend; split value = new shares per old share)"
        case .regimes: return "date,regime_id,label"
        case .profiles: return "ticker,sector[,industry][,valid_from][,profile_version_id][,any other field...]"
        case .sectorProfiles: return "sector[,valid_from][,profile_version_id][,any other field...]"
        case .universe: return "universe_id,as_of_date,ticker[,rank]"
        case .factors: return "date,<factor1>,<factor2>,...  (fractions, or percent with --percent)"
        }
    }
}
