import HindsightCore
import TimeMachine

/// Daily prices for a fixed set of assets over a calendar, stored column-wise and asset-major
/// (`index = asset * dayCount + day`), immutable and shared read-only by concurrent runs.
public struct MarketPanel: Sendable {
    public let tickers: [String]
    public let calendar: TradingCalendar
    public let assetCount: Int
    public let dayCount: Int
    /// Raw (unadjusted) prices as traded; NaN where there is no bar.
    public let open: [Double]
    public let high: [Double]
    public let low: [Double]
    public let close: [Double]
    public let volume: [Double]
    /// True where the asset has a bar on that session.
    public let valid: [Bool]
    /// New shares per old share on the ex-date; 1 elsewhere.
    public let splitRatio: [Double]
    /// Cash dividend per (post-split) share on the ex-date; 0 elsewhere.
    public let dividend: [Double]
    /// Total-return adjusted close: splits and dividends (reinvested at the ex-date close) folded in, scaled so the
    /// first valid value equals the first raw close (forward adjustment). Each value depends only on bars up to its
    /// own, so the data cut at any date gives the same numbers bit for bit (a back-adjusted series, scaled to the
    /// last close, would move every past value when a later dividend arrives). NaN where there is no bar.
    public let adjustedClose: [Double]
    /// Stable hash of every field, the tickers and the sessions.
    public let fingerprint: String
    /// Input rows dropped because their date is not a session of the calendar.
    public let rowsOutsideCalendar: Int

    @inline(__always) public func index(asset: Int, day: Int) -> Int { asset * dayCount + day }

    /// Row of an asset, for slicing a field: `close[panel.range(asset:)]`.
    public func range(asset: Int) -> Range<Int> { asset * dayCount..<(asset + 1) * dayCount }

    public func asset(ticker: String) -> Int? { tickers.firstIndex(of: ticker) }

    /// Builds a panel from price rows and corporate actions; tickers default to all in `rows`, sorted.
    public init(
        rows: PriceRows, actions: [CorporateAction] = [], calendar: TradingCalendar, tickers wanted: [String]? = nil
    ) throws {
        let tickers = wanted ?? rows.tickers.sorted()
        var assetOf = [String: Int]()
        for (i, t) in tickers.enumerated() {
            if assetOf[t] != nil { throw HindsightError(.invalidArgument, "ticker \(t) is listed twice") }
            assetOf[t] = i
        }
        let rowAsset: [Int] = rows.tickers.map { assetOf[$0] ?? -1 }
        let nA = tickers.count, nD = calendar.count
        let size = nA * nD
        var open = [Double](repeating: .nan, count: size), high = open, low = open, close = open, volume = open
        var valid = [Bool](repeating: false, count: size)
        var outside = 0
        for r in 0..<rows.count {
            let a = rowAsset[Int(rows.tickerIndex[r])]
            if a < 0 { continue }
            guard let d = calendar.index(of: rows.dates[r]) else {
                outside += 1
                continue
            }
            let k = a * nD + d
            open[k] = rows.open[r]
            high[k] = rows.high[r]
            low[k] = rows.low[r]
            close[k] = rows.close[r]
            volume[k] = rows.volume[r]
            valid[k] = true
        }
        var split = [Double](repeating: 1, count: size)
        var dividend = [Double](repeating: 0, count: size)
        for act in actions {
            guard let a = assetOf[act.ticker] else { continue }
            let d = calendar.indexOnOrAfter(act.date)
            guard d < nD else { continue }
            switch act.kind {
            case .split: split[a * nD + d] *= act.value
            case .dividend: dividend[a * nD + d] += act.value
            }
        }
        var adjusted = [Double](repeating: .nan, count: size)
        for a in 0..<nA {
            // Total-return index per first share, in units of the first raw close.
            var index = Double.nan, prevClose = Double.nan
            var pendingSplit = 1.0, pendingDividend = 0.0
            for d in 0..<nD {
                let k = a * nD + d
                pendingSplit *= split[k]
                pendingDividend = pendingDividend * split[k] + dividend[k]
                guard valid[k] else { continue }
                if prevClose.isFinite {
                    index *= pendingSplit * (close[k] + pendingDividend) / prevClose
                } else {
                    index = close[k]
                }
                pendingSplit = 1
                pendingDividend = 0
                adjusted[k] = index
                prevClose = close[k]
            }
        }
        var h = StableHasher()
        for t in tickers { h.combine(t) }
        for s in calendar.sessions { h.combine(Int(s.daysSinceEpoch)) }
        for field in [open, high, low, close, volume, split, dividend] { h.combine(doubles: field) }
        self.tickers = tickers
        self.calendar = calendar
        self.assetCount = nA
        self.dayCount = nD
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.valid = valid
        self.splitRatio = split
        self.dividend = dividend
        self.adjustedClose = adjusted
        self.fingerprint = h.hex
        self.rowsOutsideCalendar = outside
    }

    /// The bar of an asset on a session, or nil on a gap.
    public func bar(asset: Int, day: Int) -> Bar? {
        let k = index(asset: asset, day: day)
        guard valid[k] else { return nil }
        return Bar(open: open[k], high: high[k], low: low[k], close: close[k], volume: volume[k])
    }

    /// Bytes the panel's cells need: eight Doubles and one Bool per (asset, day).
    public var byteCount: Int { assetCount * dayCount * (8 * MemoryLayout<Double>.stride + MemoryLayout<Bool>.stride) }

    /// Bytes its arrays have allocated (capacities), to check the panel holds no slack beyond its cells.
    public var allocatedByteCount: Int {
        [open, high, low, close, volume, splitRatio, dividend, adjustedClose].reduce(0) {
            $0 + $1.capacity * MemoryLayout<Double>.stride
        }
            + valid.capacity * MemoryLayout<Bool>.stride
    }
}
