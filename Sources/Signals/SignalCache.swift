import HindsightCore

/// Columns computed for a sweep, shared by every point that needs them: keyed by a bound node's canonical text and
/// the asset, bounded in bytes (the oldest half is dropped when full).
public final class SignalCache: Sendable {
    private struct State {
        var bars: [Int: AssetBars] = [:]
        var values: [String: [Double]] = [:]
        var order: [String] = []
        var bytes = 0
        var hits = 0
        var misses = 0
    }
    private let state = Locked(State())
    public let capacityBytes: Int

    /// 512 MiB by default: about 28,000 columns of 10 years of daily bars.
    public init(capacityBytes: Int = 512 << 20) { self.capacityBytes = capacityBytes }

    static func key(_ node: String, _ asset: Int) -> String { "\(asset)|\(node)" }

    /// An asset's bars, built once (they are the same for every point of a sweep).
    public func bars(asset: Int, make: () -> AssetBars) -> AssetBars {
        if let b = state.withLock({ $0.bars[asset] }) { return b }
        let b = make()
        state.withLock { $0.bars[asset] = $0.bars[asset] ?? b }
        return b
    }

    public func value(key: String, asset: Int) -> [Double]? {
        state.withLock { s in
            let v = s.values[SignalCache.key(key, asset)]
            if v == nil { s.misses += 1 } else { s.hits += 1 }
            return v
        }
    }

    public func store(key: String, asset: Int, _ v: [Double]) {
        let size = v.count * 8 + key.utf8.count + 64
        guard size <= capacityBytes else { return }
        state.withLock { s in
            let k = SignalCache.key(key, asset)
            guard s.values[k] == nil else { return }
            if s.bytes + size > capacityBytes {
                let drop = s.order.count / 2 + 1
                for old in s.order.prefix(drop) {
                    if let c = s.values.removeValue(forKey: old) { s.bytes -= c.count * 8 + old.utf8.count + 64 }
                }
                s.order.removeFirst(min(drop, s.order.count))
            }
            s.values[k] = v
            s.order.append(k)
            s.bytes += size
        }
    }

    /// Lookups answered from the cache and computed afresh, since it was made.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }
}
