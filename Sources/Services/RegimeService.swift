import HindsightCore

/// The market regime on a date (the live contract).
public protocol RegimeService: Sendable {
    func regime(on day: TradingDay) -> RegimeRecord?
}
