import MarketData

extension DayMajorMarks {
    /// Where an asset's close and bar flag on a day are read: the day-major copy when the run has one that fits its
    /// panel, else the panel itself. The values are the same either way; only the layout differs.
    public struct Reader: Sendable {
        public let close: [Double]
        public let valid: [Bool]
        let assetStride: Int, dayStride: Int

        public init(panel: MarketPanel, marks: DayMajorMarks?) {
            if let m = marks, m.fits(panel) {
                (close, valid, assetStride, dayStride) = (m.close, m.valid, 1, m.assets)
            } else {
                (close, valid, assetStride, dayStride) = (panel.close, panel.valid, panel.dayCount, 1)
            }
        }

        /// The cell of `asset` on session `day` in `close` and `valid`.
        @inline(__always) public func index(asset: Int, day: Int) -> Int { asset * assetStride + day * dayStride }
    }
}
