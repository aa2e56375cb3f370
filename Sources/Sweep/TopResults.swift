import Engine
import HindsightCore

/// The engine results of the best points seen so far while a sweep runs (at most `capacity`, best by rank value,
/// then by plan order, as the top points are chosen), so that the top points' details and their look-ahead check
/// reuse those runs instead of running them again (the 118-stock momentum sweep ran its top 10 twice: 0.1 s of CPU).
/// A result larger than its share of `byteBudget` is not kept: that point is run again, as before.
final class TopResults: Sendable {
    struct Entry: Sendable {
        var index: Int
        var rank: Double
        var result: BacktestResult
    }

    let capacity: Int
    let byteBudget: Int
    private let kept = Locked<[Entry]>([])

    init(capacity: Int, byteBudget: Int = 128 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    static func better(_ a: (index: Int, rank: Double), than b: (index: Int, rank: Double)) -> Bool {
        a.rank != b.rank ? a.rank > b.rank : a.index < b.index
    }

    /// Keeps `result` if point `index` is among the best `capacity` seen so far (a NaN rank is never a top point).
    func offer(index: Int, rank: Double, _ result: BacktestResult) {
        guard capacity > 0, rank.isFinite, Self.approximateBytes(result) <= byteBudget / capacity else { return }
        kept.withLock { entries in
            let entry = Entry(index: index, rank: rank, result: result)
            if entries.count < capacity {
                entries.append(entry)
                return
            }
            guard
                let worst = entries.indices.min(by: {
                    Self.better((entries[$1].index, entries[$1].rank), than: (entries[$0].index, entries[$0].rank))
                }), Self.better((index, rank), than: (entries[worst].index, entries[worst].rank))
            else { return }
            entries[worst] = entry
        }
    }

    /// The kept result of point `index`, if any.
    func result(index: Int) -> BacktestResult? {
        kept.withLock { entries in entries.first { $0.index == index }?.result }
    }

    /// The arrays a result holds, roughly (daily columns, fills, decisions, universe snapshots).
    static func approximateBytes(_ r: BacktestResult) -> Int {
        let days = r.dates.count
        let daily =
            days * (12 * 8 + r.sectorExposure.count / max(days, 1) * 8 + r.factorExposure.count / max(days, 1) * 8)
        let members = r.universe.reduce(0) { $0 + $1.members.count }
        return daily + r.trades.count * MemoryLayout<TradeRecord>.stride
            + r.decisions.count * MemoryLayout<DecisionRecord>.stride + members * 48
            + r.profileVersionIDs.reduce(0) { $0 + $1.count * 24 }
    }
}
