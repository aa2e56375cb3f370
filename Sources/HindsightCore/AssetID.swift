/// Index of an asset inside a `MarketPanel`; tickers never reach the inner loop.
public struct AssetID: Hashable, Comparable, Sendable {
    public var index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public static func < (l: AssetID, r: AssetID) -> Bool { l.index < r.index }
}
