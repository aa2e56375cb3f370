import MarketData

/// The panel's closes and bar flags laid out day by day (cell `d · assets + a`). The engine marks every active asset
/// at each close; in the panel's asset-major layout each of those reads fell on another cache line, and on 118
/// stocks the two loads were a third of the momentum loop's time. Built once per market (`MarketInputs`), shared by
/// every run on it; read through `Reader`, which falls back to the panel.
public final class DayMajorMarks: Sendable {
    public let assets: Int
    public let days: Int
    public let close: [Double]
    public let valid: [Bool]

    public init(panel: MarketPanel) {
        let nA = panel.assetCount, nD = panel.dayCount
        assets = nA
        days = nD
        func transpose<T>(_ x: [T]) -> [T] {
            [T](unsafeUninitializedCapacity: nA * nD) { out, n in
                x.withUnsafeBufferPointer { src in
                    DayMajorMarks.forEachCell(assets: nA, days: nD) { a, d in
                        (out.baseAddress! + (d * nA + a)).initialize(to: src[a * nD + d])
                    }
                }
                n = nA * nD
            }
        }
        close = transpose(panel.close)
        valid = transpose(panel.valid)
    }

    /// Every (asset, day) cell, in tiles of 64 × 64, so a transpose keeps both its reads and its writes within a few
    /// cache lines.
    @inline(__always)
    static func forEachCell(assets nA: Int, days nD: Int, _ body: (Int, Int) -> Void) {
        let tile = 64
        for a0 in Swift.stride(from: 0, to: nA, by: tile) {
            for d0 in Swift.stride(from: 0, to: nD, by: tile) {
                for a in a0..<min(a0 + tile, nA) {
                    for d in d0..<min(d0 + tile, nD) { body(a, d) }
                }
            }
        }
    }

    /// Whether this is a copy of a panel of `panel`'s shape (every run gets the copy of its own market).
    public func fits(_ panel: MarketPanel) -> Bool { assets == panel.assetCount && days == panel.dayCount }
}
