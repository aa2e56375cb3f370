import HindsightCore

/// The price file layouts `data import prices` understands.
public enum PriceFormat: String, Sendable, CaseIterable {
    /// `date,ticker,open,high,low,close,volume` in any column order.
    case long
    /// stooq per-ticker `Date,Open,High,Low,Close,Volume,OpenInt` (or `<TICKER>,<PER>,<DATE>,...`).
    case stooq
    /// yahoo per-ticker `Date,Open,High,Low,Close,Adj Close,Volume`.
    case yahoo
    /// plain per-ticker `Date,Open,High,Low,Close,Volume`.
    case plain

    public init(parsing text: String) throws {
        guard let f = PriceFormat(rawValue: text.lowercased()) else {
            throw HindsightError(
                .invalidArgument, "unknown price format '\(text)'; expected one of: long, stooq, yahoo, plain")
        }
        self = f
    }

    /// Whether the ticker comes from the file name (or `--ticker`) rather than a column.
    public var isPerTicker: Bool { self != .long }

    /// Detects the layout from normalised header names.
    public static func detect(header: [String]) -> PriceFormat? {
        let h = Set(header.map(normalize))
        if h.contains("ticker") || h.contains("symbol") { return h.contains("date") ? .long : nil }
        guard h.isSuperset(of: ["date", "open", "high", "low", "close"]) else { return nil }
        if h.contains("openint") { return .stooq }
        if h.contains("adjclose") { return .yahoo }
        return .plain
    }

    /// Lowercases and strips spaces, underscores and stooq's angle brackets.
    static func normalize(_ s: String) -> String {
        String(s.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// The ticker implied by a per-ticker file name: `aapl.us.txt` → `AAPL`, `goog-2004-2013.csv` → `GOOG`.
    public static func ticker(fromFileName path: String) -> String {
        var name = Substring(path.split(separator: "/").last ?? Substring(path))
        for ext in [".gz", ".csv", ".txt", ".us"] where name.lowercased().hasSuffix(ext) {
            name = name.dropLast(ext.count)
        }
        if name.lowercased().hasSuffix(".us") { name = name.dropLast(3) }
        var parts = name.split(separator: "-", omittingEmptySubsequences: false)
        while parts.count > 1, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber) { parts.removeLast() }
        return parts.joined(separator: "-").uppercased()
    }
}
