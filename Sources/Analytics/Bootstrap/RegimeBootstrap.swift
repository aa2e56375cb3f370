import HindsightCore

/// A block bootstrap within regimes: a regime path is simulated from the transition matrix estimated on the
/// history's own regime labels, and each day of the path draws a source day of its simulated regime, continuing the
/// current block (the next source day) with probability 1 − 1/`block` while that day is still in the same regime,
/// else starting a new block at a uniformly drawn day of the regime. So calm and crisis days keep their own
/// clustering and cross-section, and the mix of regimes varies from path to path as the chain allows.
/// `stress` multiplies the chance of entering a regime (from every other regime), the rest of each row scaled so
/// it still sums to 1.
public struct RegimeBootstrap: Sendable, Equatable {
    /// Regime of each source position.
    public let labels: [Int]
    /// The distinct regimes, ascending; rows and columns of the matrices follow this order.
    public let states: [Int]
    /// Transition probabilities estimated from consecutive labels (a regime never left stays put).
    public let estimated: [[Double]]
    /// The matrix paths are simulated from (the estimate with `stress` applied).
    public let transitions: [[Double]]
    public let block: Double
    let positions: [[Int]]

    public init(labels: [Int], block: Double, stress: [Int: Double] = [:]) {
        precondition(!labels.isEmpty)
        self.labels = labels
        let states = Array(Set(labels)).sorted()
        self.states = states
        self.block = max(block, 1)
        let index = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1, $0) })
        let k = states.count
        var counts = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for t in 1..<max(labels.count, 1) { counts[index[labels[t - 1]]!][index[labels[t]]!] += 1 }
        var p = counts
        for i in 0..<k {
            let n = counts[i].reduce(0, +)
            for j in 0..<k { p[i][j] = n > 0 ? counts[i][j] / n : (i == j ? 1 : 0) }
        }
        estimated = p
        var q = p
        for (state, factor) in stress {
            guard let j = index[state], factor != 1 else { continue }
            for i in 0..<k where i != j {
                let entering = min(1, q[i][j] * factor), rest = 1 - q[i][j]
                for c in 0..<k where c != j { q[i][c] = rest > 0 ? q[i][c] * (1 - entering) / rest : 0 }
                q[i][j] = entering
            }
        }
        transitions = q
        var positions = [[Int]](repeating: [], count: k)
        for (t, l) in labels.enumerated() { positions[index[l]!].append(t) }
        self.positions = positions
    }

    /// One path of `labels.count` positions, and the simulated regime of each (as an index into `states`). The chain
    /// starts in the history's first regime.
    public func path(rng: inout Xoshiro256StarStar) -> (indices: [Int], regimes: [Int]) {
        let n = labels.count, k = states.count
        let index = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1, $0) })
        var out = [Int](repeating: 0, count: n), regimes = [Int](repeating: 0, count: n)
        var s = index[labels[0]]!
        var i = positions[s][rng.int(below: positions[s].count)]
        let p = 1 / block
        for t in 0..<n {
            if t > 0 {
                let previous = s
                let u = rng.uniform()
                var acc = 0.0
                s = k - 1
                for j in 0..<k {
                    acc += transitions[previous][j]
                    if u < acc {
                        s = j
                        break
                    }
                }
                // Continue the block only inside the regime; a regime change always starts a new block.
                let cont = rng.uniform() >= p
                if s == previous, cont, i + 1 < n, labels[i + 1] == states[s] {
                    i += 1
                } else {
                    i = positions[s][rng.int(below: positions[s].count)]
                }
            }
            out[t] = i
            regimes[t] = s
        }
        return (out, regimes)
    }

    /// The stationary distribution of `transitions` (power iteration from the history's regime shares).
    public var stationaryShares: [Double] {
        let k = states.count
        var v = positions.map { Double($0.count) / Double(labels.count) }
        for _ in 0..<10_000 {
            var w = [Double](repeating: 0, count: k)
            for i in 0..<k { for j in 0..<k { w[j] += v[i] * transitions[i][j] } }
            let change = zip(v, w).map { abs($0 - $1) }.max() ?? 0
            v = w
            if change < 1e-15 { break }
        }
        return v
    }
}
