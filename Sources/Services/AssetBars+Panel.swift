import MarketData
import Signals

extension AssetBars {
    /// One asset's bars from a panel (the sessions where it has one, in order), and each bar's session index.
    public init(panel: MarketPanel, asset a: Int) {
        let nD = panel.dayCount
        var days: [Int32] = []
        days.reserveCapacity(nD)
        for d in 0..<nD where panel.valid[a * nD + d] { days.append(Int32(d)) }
        func column(_ x: [Double]) -> [Double] { days.map { x[a * nD + Int($0)] } }
        self.init(
            open: column(panel.open), high: column(panel.high), low: column(panel.low), close: column(panel.close),
            volume: column(panel.volume), adjClose: column(panel.adjustedClose))
        sessions = days
    }
}
