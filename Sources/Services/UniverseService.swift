import HindsightCore

/// Which names may be traded, as of a date (the live contract).
public protocol UniverseService: Sendable {
    /// Builds the snapshot a rule gives on `asOf`, using data up to and including that date only.
    func buildUniverse(_ rule: RunConfig.UniverseRule, asOf: TradingDay) -> UniverseSnapshot
    /// The snapshot in force on a date (the latest one built on or before it).
    func universe(on day: TradingDay) -> UniverseSnapshot?
}
