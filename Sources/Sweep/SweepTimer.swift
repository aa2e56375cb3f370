import Engine
import Foundation
import HindsightCore

/// Times a sweep's simulation alone (no metrics, no storage), so its speed can be compared with other tools'.
public enum SweepTimer {
    /// One timed pass over every point.
    public struct Pass: Sendable {
        public var seconds: Double
        public var points: Int
        /// Σ over points of sessions × universe names: what one simulated bar of one name costs.
        public var barEvaluations: Double
        /// Σ final equity, so the work cannot be optimised away (and identical across passes).
        public var checksum: Double
    }

    /// Simulates every point on `jobs` threads, each taking the next point as it finishes one.
    public static func simulate(context: SweepContext, jobs: Int) throws -> Pass {
        let points = context.plan.points
        let executor = PointExecutor(context: context, createdAt: "")
        let configs = try points.map { try context.config(for: $0) }
        let shared = Shared()
        let clock = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: max(1, jobs)) { _ in
            var finals: [(Int, Double)] = [], evals = 0.0
            while let i = shared.take(below: configs.count) {
                do {
                    let c = configs[i]
                    let (result, _, _) = try executor.simulate(
                        c, keep: .init(returns: false, equity: false, trades: false))
                    finals.append((i, result.equity.last ?? 0))
                    evals += Double(result.equity.count) * Double(context.universeSize(c))
                } catch {
                    shared.fail(error)
                    return
                }
            }
            shared.add(finals, evals)
        }
        let elapsed = ContinuousClock.now - clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let failure = shared.failure { throw failure }
        return Pass(seconds: seconds, points: configs.count, barEvaluations: shared.bars, checksum: shared.total())
    }

    /// The next point to take and the workers' totals, behind one lock.
    final class Shared: Sendable {
        private struct State {
            var next = 0
            var finals: [(Int, Double)] = []
            var bars = 0.0
            var failure: Error?
        }
        private let state = Locked(State())

        var bars: Double { state.value.bars }
        var failure: Error? { state.value.failure }

        func add(_ f: [(Int, Double)], _ evals: Double) {
            state.withLock {
                $0.finals += f
                $0.bars += evals
            }
        }

        /// The final equities summed in plan order, so the checksum does not depend on how threads shared the work.
        func total() -> Double { state.value.finals.sorted { $0.0 < $1.0 }.reduce(0) { $0 + $1.1 } }

        func fail(_ e: Error) {
            state.withLock {
                $0.failure = $0.failure ?? e
                $0.next = Int.max
            }
        }

        func take(below n: Int) -> Int? {
            state.withLock { s -> Int? in
                guard s.next < n else { return nil }
                s.next += 1
                return s.next - 1
            }
        }
    }
}
