import MarketData

/// The panel's opens, highs and lows laid out day by day, the three of a cell side by side (`ohlc[(d · assets + a)
/// · 3 + 0, 1, 2]`), for the intrabar stop check: it reads the bar of every open position each session, and on the
/// asset-major panel those three reads missed the cache (70 % of the check, which was 19 % of a 300-point stop
/// grid's simulation on 20 stocks; with this copy 15 %, the simulation 5–10 % faster). Built once per market for
/// configs with intrabar stops (`MarketInputs.dayMajorBars`), 24 bytes a cell; the values are the panel's.
public final class DayMajorBars: Sendable {
    public let assets: Int
    public let days: Int
    public let ohlc: [Double]

    public init(panel: MarketPanel) {
        let nA = panel.assetCount, nD = panel.dayCount
        assets = nA
        days = nD
        ohlc = [Double](unsafeUninitializedCapacity: nA * nD * 3) { out, n in
            DayMajorMarks.forEachCell(assets: nA, days: nD) { a, d in
                let k = a * nD + d, j = (d * nA + a) * 3
                (out.baseAddress! + j).initialize(to: panel.open[k])
                (out.baseAddress! + j + 1).initialize(to: panel.high[k])
                (out.baseAddress! + j + 2).initialize(to: panel.low[k])
            }
            n = nA * nD * 3
        }
    }

    /// Whether this is a copy of a panel of `panel`'s shape.
    public func fits(_ panel: MarketPanel) -> Bool { assets == panel.assetCount && days == panel.dayCount }
}
