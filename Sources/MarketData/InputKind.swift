import HindsightCore

/// The kinds of input file `hindsight data import` reads.
public enum InputKind: String, Sendable, CaseIterable {
    case prices
    case corporateActions = "corporate-actions"
    case regimes
    case profiles
    case sectorProfiles = "sector-profiles"
    case universe
    case factors

    public init(parsing text: String) throws {
        guard let k = InputKind(rawValue: text.lowercased()) else {
            let hint = InputKind.allCases.map(\.rawValue).min { a, b in editDistance(a, text) < editDistance(b, text) }!
            throw HindsightError(.invalidArgument,
                "unknown import kind '\(text)'; did you mean '\(hint)'? Expected one of: \(InputKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = k
    }

    /// The header this kind expects, for help and error messages.
    public var expectedHeader: String {
        switch self {
        case .prices: return "date,ticker,open,high,low,close,volume (or stooq/yahoo/plain per-ticker files)"
        case .corporateActions: return "ticker,date,kind,value   (kind: split | dividend; split value = new shares per old share)"
        case .regimes: return "date,regime_id,label"
        case .profiles: return "ticker,sector[,industry][,valid_from][,profile_version_id][,any other field...]"
        case .sectorProfiles: return "sector[,valid_from][,profile_version_id][,any other field...]"
        case .universe: return "universe_id,as_of_date,ticker[,rank]"
        case .factors: return "date,<factor1>,<factor2>,...  (fractions, or percent with --percent)"
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
