import Analytics
import HindsightCore
import Testing

/// The regime bootstrap: blocks within regimes along a simulated regime chain.
struct RegimeBootstrapTests {
    /// A labelled history from a known three-state chain.
    static func chain(_ n: Int, seed: UInt64) -> [Int] {
        let p: [[Double]] = [[0.97, 0.02, 0.01], [0.05, 0.9, 0.05], [0.1, 0.2, 0.7]]
        var rng = Xoshiro256StarStar(seed: seed)
        var s = 0
        return (0..<n).map { _ in
            let u = rng.uniform()
            s = u < p[s][0] ? 0 : u < p[s][0] + p[s][1] ? 1 : 2
            return s * 10  // ids need not be 0..<k
        }
    }

    @Test func theTransitionMatrixIsTheHandCountOfConsecutiveLabels() {
        let r = RegimeBootstrap(labels: [0, 0, 1, 1, 1, 0, 2, 2], block: 5)
        #expect(r.states == [0, 1, 2])
        let third = 1.0 / 3
        #expect(r.estimated == [[third, third, third], [third, 2 * third, 0], [0, 0, 1]])
        #expect(r.transitions == r.estimated)
    }

    @Test func everyDrawnDayIsOfItsSimulatedRegimeAndTheChainFollowsTheMatrix() {
        let labels = Self.chain(100_000, seed: 3)
        let r = RegimeBootstrap(labels: labels, block: 8)
        var rng = Xoshiro256StarStar(seed: 11)
        let (indices, regimes) = r.path(rng: &rng)
        #expect(indices.count == labels.count)
        #expect(zip(indices, regimes).allSatisfy { labels[$0] == r.states[$1] })
        var counts = [[Double]](repeating: [0, 0, 0], count: 3)
        for t in 1..<regimes.count { counts[regimes[t - 1]][regimes[t]] += 1 }
        var worst = 0.0
        for i in 0..<3 {
            let n = counts[i].reduce(0, +)
            for j in 0..<3 { worst = max(worst, abs(counts[i][j] / n - r.transitions[i][j])) }
        }
        #expect(worst < 0.01, "worst transition frequency error \(worst)")
        // The path starts where history starts, and is reproducible from its seed.
        #expect(r.states[regimes[0]] == labels[0])
        var again = Xoshiro256StarStar(seed: 11)
        #expect(r.path(rng: &again).indices == indices)
    }

    @Test func withOneRegimeTheMeanBlockLengthIsTheParameter() {
        let r = RegimeBootstrap(labels: [Int](repeating: 4, count: 400_000), block: 12)
        var rng = Xoshiro256StarStar(seed: 5)
        let i = r.path(rng: &rng).indices
        var blocks = 1
        for t in 1..<i.count where i[t] != i[t - 1] + 1 { blocks += 1 }
        let mean = Double(i.count) / Double(blocks)
        #expect(abs(mean / 12 - 1) < 0.03, "mean block \(mean)")
    }

    @Test func stressMultipliesTheChanceOfEnteringARegimeAndKeepsRowsStochastic() {
        let labels = Self.chain(50_000, seed: 9)
        let plain = RegimeBootstrap(labels: labels, block: 5)
        let stressed = RegimeBootstrap(labels: labels, block: 5, stress: [20: 3])
        let j = plain.states.firstIndex(of: 20)!
        for i in 0..<3 {
            #expect(abs(stressed.transitions[i].reduce(0, +) - 1) < 1e-12)
            guard i != j else {
                #expect(stressed.transitions[i] == plain.transitions[i])
                continue
            }
            #expect(abs(stressed.transitions[i][j] - 3 * plain.transitions[i][j]) < 1e-15)
            // The rest of the row keeps its proportions.
            let others = (0..<3).filter { $0 != j }
            let a = others[0], b = others[1]
            #expect(
                abs(
                    stressed.transitions[i][a] / stressed.transitions[i][b] - plain.transitions[i][a]
                        / plain.transitions[i][b])
                    < 1e-12)
        }
        #expect(stressed.stationaryShares[j] > 2 * plain.stationaryShares[j])
        #expect(abs(stressed.stationaryShares.reduce(0, +) - 1) < 1e-12)
    }
}
