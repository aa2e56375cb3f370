/// P&L by regime over a run's sessions. The current regime's total lives in a local until the regime changes, so
/// a session pays no dictionary hashing. The engine and the SMA kernel's replay both use it, in the same order,
/// so their totals are equal bit for bit.
struct RegimePnL {
    private var totals: [Int: Double] = [:]
    private var open = Int.min, openPnL = 0.0

    @inline(__always)
    mutating func add(_ pnl: Double, regime: Int) {
        if regime != open {
            if open != Int.min { totals[open] = openPnL }
            open = regime
            openPnL = totals[regime] ?? 0
        }
        openPnL += pnl
    }

    /// The totals by regime id (the open regime's included).
    func finished() -> [Int: Double] {
        var out = totals
        if open != Int.min { out[open] = openPnL }
        return out
    }
}
