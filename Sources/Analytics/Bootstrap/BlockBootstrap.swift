import HindsightCore

/// Resampling of a time series' positions in blocks, so serial dependence (volatility clustering) survives:
/// the stationary bootstrap (Politis and Romano 1994: geometric block lengths with mean `block`, wrapping at the
/// end) and the circular block bootstrap (fixed blocks of `block` positions, wrapping). Applied to whole days of a
/// panel, the same positions keep every asset's day together, so cross-sectional correlation survives too.
/// Seeded with `Xoshiro256StarStar`: the same seed gives the same paths on every machine.
public struct BlockBootstrap: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case stationary
        case circular
    }

    public let kind: Kind
    /// Mean block length (stationary) or block length (circular, rounded, at least 1).
    public let block: Double

    public init(kind: Kind, block: Double) {
        self.kind = kind
        self.block = max(block, 1)
    }

    /// The optimal block length of `x` for `kind` (Politis–White).
    public static func automatic(_ kind: Kind, for x: [Double]) -> BlockBootstrap {
        let b = Metrics.optimalBlockLength(x)
        let v = kind == .stationary ? b.stationary : b.circular
        return BlockBootstrap(kind: kind, block: v.isFinite ? v : 1)
    }

    /// `n` positions in `0..<n` for one resampled path.
    public func indices(count n: Int, rng: inout Xoshiro256StarStar) -> [Int] {
        guard n > 0 else { return [] }
        var out = [Int](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in forEachIndex(count: n, rng: &rng) { t, i in o[t] = i } }
        return out
    }

    /// The positions of one resampled path, handed to `body` (path position, source position) in order, with the
    /// same draws as `indices`: a bootstrap that folds each path as it goes needs no position array.
    @inline(__always)
    public func forEachIndex(count n: Int, rng: inout Xoshiro256StarStar, _ body: (Int, Int) -> Void) {
        guard n > 0 else { return }
        switch kind {
        case .stationary:
            let p = 1 / block
            var i = rng.int(below: n)
            body(0, i)
            for t in 1..<max(n, 1) {
                i = rng.uniform() < p ? rng.int(below: n) : (i + 1 == n ? 0 : i + 1)
                body(t, i)
            }
        case .circular:
            let length = max(1, Int(block.rounded()))
            var t = 0
            while t < n {
                var i = rng.int(below: n)
                for _ in 0..<min(length, n - t) {
                    body(t, i)
                    t += 1
                    i = i + 1 == n ? 0 : i + 1
                }
            }
        }
    }
}
