/// Cash and positions (long and short) with average cost and realised P&L, marked at the last known close.
/// Raw (as-traded) prices: splits scale the share count, cash dividends are paid to longs and charged to shorts.
public struct Portfolio: Sendable {
    public internal(set) var cash: Double
    public internal(set) var shares: [Double]
    public internal(set) var averageCost: [Double]
    public internal(set) var realizedPnL: [Double]
    /// Last valid raw close per asset (NaN before its first bar).
    public internal(set) var lastPrice: [Double]
    /// Cumulative cash paid into (+) or out of (−) the portfolio because of each asset: trades, costs, dividends, borrow fees.
    public internal(set) var cashFlow: [Double]
    /// Dividend cash waiting to be reinvested at today's close (reinvest mode).
    var pendingReinvest: [Double]

    public init(cash: Double, assets: Int) {
        self.cash = cash
        shares = [Double](repeating: 0, count: assets)
        averageCost = shares
        realizedPnL = shares
        cashFlow = shares
        pendingReinvest = shares
        lastPrice = [Double](repeating: .nan, count: assets)
    }

    /// Market value of one position at its last price.
    @inline(__always) public func value(_ a: Int) -> Double { shares[a] == 0 ? 0 : shares[a] * lastPrice[a] }

    /// What one position adds to equity: its shares at the last price plus dividends waiting to be reinvested.
    @inline(__always) func heldValue(_ a: Int) -> Double {
        shares[a] == 0 ? 0 : shares[a] * lastPrice[a] + pendingReinvest[a]
    }

    /// Cash plus every position at its last price.
    public var equity: Double {
        var e = cash
        for a in shares.indices where shares[a] != 0 { e += heldValue(a) }
        return e
    }

    /// Unrealised P&L of one position against its average cost.
    public func unrealizedPnL(_ a: Int) -> Double { shares[a] == 0 ? 0 : shares[a] * (lastPrice[a] - averageCost[a]) }

    /// Applies a fill: `quantity` signed shares (buy > 0) at `price`, paying `commission` from cash.
    mutating func fill(asset a: Int, quantity q: Double, price p: Double, commission: Double) {
        let old = shares[a]
        let new = old + q
        if old == 0 || (old > 0) == (q > 0) {
            // Opening or adding: blend the average cost.
            averageCost[a] = new == 0 ? 0 : (old * averageCost[a] + q * p) / new
        } else {
            // Reducing, closing or flipping: realise the closed part; a flip opens the rest at p.
            let closed = min(abs(q), abs(old)) * (old > 0 ? 1 : -1)
            realizedPnL[a] += closed * (p - averageCost[a])
            if abs(q) > abs(old) { averageCost[a] = p } else if new == 0 { averageCost[a] = 0 }
        }
        // Snap dust from float round-off to zero, so flat means flat.
        shares[a] = abs(new) < 1e-9 * max(1, abs(old)) ? 0 : new
        let cost = q * p
        cash -= cost + commission
        cashFlow[a] -= cost + commission
        if lastPrice[a].isNaN { lastPrice[a] = p }
    }

    /// Splits (ratio new per old) and cash dividends on their ex-date, before the session trades.
    mutating func applyCorporateAction(asset a: Int, split: Double, dividend: Double, reinvest: Bool) {
        if split != 1 {
            shares[a] *= split
            averageCost[a] /= split
            lastPrice[a] /= split
        }
        if dividend != 0, shares[a] != 0 {
            let amount = shares[a] * dividend
            if reinvest && shares[a] > 0 {
                pendingReinvest[a] += amount
            } else {
                cash += amount
                cashFlow[a] += amount
            }
        }
    }

    /// Buys shares with reinvested dividends at the close, without costs.
    mutating func reinvestDividend(asset a: Int, close: Double) {
        let amount = pendingReinvest[a]
        guard amount != 0 else { return }
        pendingReinvest[a] = 0
        let q = amount / close
        averageCost[a] = (shares[a] * averageCost[a] + amount) / (shares[a] + q)
        shares[a] += q
    }

    /// Interest on cash (either sign) and the borrow fee on shorts for one session.
    mutating func accrue(cashRate: Double, borrowRate: Double) {
        if cashRate != 0 { cash += cash * cashRate }
        if borrowRate != 0 {
            for a in shares.indices where shares[a] < 0 {
                let fee = -shares[a] * lastPrice[a] * borrowRate
                cash -= fee
                cashFlow[a] -= fee
            }
        }
    }

    /// Marks `assets` at session `d`'s closes and returns the equity at that close (cash, then each held asset's
    /// value in `assets`' order, as `equity` sums); a held asset without a bar keeps its last price and is listed
    /// in `gaps`. Through buffer pointers: writing the array element by element paid a uniqueness check per asset
    /// (about a tenth of a 118-stock momentum sweep's session loop).
    mutating func mark(
        _ assets: [Int32], prices px: DayMajorMarks.Reader, day d: Int, gaps: inout [GapEvent]
    ) -> Double {
        var e = cash
        let shares = shares, pending = pendingReinvest
        lastPrice.withUnsafeMutableBufferPointer { last in
            shares.withUnsafeBufferPointer { held in
                px.close.withUnsafeBufferPointer { close in
                    px.valid.withUnsafeBufferPointer { valid in
                        for a32 in assets {
                            let a = Int(a32), k = px.index(asset: a, day: d)
                            if valid[k] {
                                last[a] = close[k]
                            } else if held[a] != 0 {
                                gaps.append(GapEvent(day: Int32(d), asset: a32, orderSkipped: false))
                            }
                            if held[a] != 0 { e += held[a] * last[a] + pending[a] }
                        }
                    }
                }
            }
        }
        return e
    }
}
