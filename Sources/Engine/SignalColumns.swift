/// A signals run's entry and exit columns, per asset it can trade, on that asset's own bars.
public struct SignalColumns: Sendable {
    public var assets: [Int32]
    /// Per asset, the session index of each of its bars.
    public var sessions: [[Int32]] = []
    /// Per asset and bar, 1 where the entry (exit) expression is true.
    public var entry: [[UInt8]] = []
    public var exit: [[UInt8]] = []
    /// Per asset and bar, 1 where the short entry (exit) expression is true; nil without short signals.
    public var shortEntry: [[UInt8]]?
    public var shortExit: [[UInt8]]?
    /// Per asset and bar, the entry weight, for sizes computed from an expression (nil otherwise).
    public var weight: [[Double]]?
    /// Per asset and bar, a priced entry's level (and a stop-limit's limit); nil for market entries.
    public var orderPrice: [[Double]]?
    public var orderLimit: [[Double]]?

    public init(assets: [Int32]) { self.assets = assets }
}
