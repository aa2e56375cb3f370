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
    final class Shared: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        private var finals: [(Int, Double)] = []
        private(set) var bars = 0.0
        private(set) var failure: Error?

        func add(_ f: [(Int, Double)], _ evals: Double) {
            lock.lock()
            finals += f
            bars += evals
            lock.unlock()
        }

        /// The final equities summed in plan order, so the checksum does not depend on how threads shared the work.
        func total() -> Double {
            lock.lock()
            defer { lock.unlock() }
            return finals.sorted { $0.0 < $1.0 }.reduce(0) { $0 + $1.1 }
        }
        func fail(_ e: Error) {
            lock.lock()
            failure = failure ?? e
            value = Int.max
            lock.unlock()
        }

        func take(below n: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < n else { return nil }
            value += 1
            return value - 1
        }
    }
}
