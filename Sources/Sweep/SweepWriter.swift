import Foundation
import HindsightCore
import Storage

/// The one writer of a sweep: collects finished points and commits them in batches (one transaction each, so a
/// point is stored whole or not at all), tracks progress and the best point so far.
actor SweepWriter {
    let store: HindsightDatabase
    let total: Int
    let batchSize: Int
    let progress: SweepProgress?
    var pending: [SweepPointRecord] = []
    private(set) var done = 0
    private(set) var failed = 0
    private(set) var invalid = 0
    private(set) var best: (value: Double, point: String)?
    /// A point's parameters for the progress line, by plan index.
    let label: @Sendable (Int) -> String
    /// Rank value of every ok point written by this process, by plan index.
    private(set) var ranks: [(index: Int, value: Double)] = []

    init(
        store: HindsightDatabase, total: Int, alreadyDone: Int, batchSize: Int, progress: SweepProgress?,
        label: @escaping @Sendable (Int) -> String
    ) {
        self.label = label
        self.store = store
        self.total = total
        self.done = alreadyDone
        self.committed = alreadyDone
        self.batchSize = batchSize
        self.progress = progress
    }

    func add(_ outputs: [(index: Int, output: PointExecutor.Output)]) throws {
        for (i, o) in outputs {
            pending.append(o.record)
            switch o.status {
            case .ok:
                ranks.append((i, o.rankValue))
                if o.rankValue.isFinite, best == nil || o.rankValue > best!.value {
                    best = (o.rankValue, label(i))
                }
            case .invalid: invalid += 1
            case .failed: failed += 1
            }
        }
        // Commit by size, or after 250 ms, so slow points are never held back long (a kill loses only the uncommitted).
        // Each commit rewrites the index pages its random point ids touched, so fewer, larger commits write less.
        if pending.count >= batchSize || Date().timeIntervalSince(lastFlush) >= 0.25 { try flush() }
    }

    private var lastFlush = Date()

    /// Runs `work` on the database thread before any batch handed over after it; its error is thrown by the next
    /// call, and no batch is written after it fails.
    func first(_ work: @escaping @Sendable () throws -> Void) {
        let io = self.io
        io.queue.async {
            guard io.error == nil else { return }
            do { try work() } catch { io.failure.withLock { $0 = $0 ?? error } }
        }
    }

    /// Hands the pending batch to the database thread (commits run off the cooperative pool, so the workers keep
    /// computing); a commit error is thrown by the next call.
    func flush(wait: Bool = false) throws {
        if let e = io.error { throw e }
        lastFlush = Date()
        if !pending.isEmpty {
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            let store = self.store, io = self.io, progress = self.progress, total = self.total, best = self.best
            committed += batch.count
            let doneNow = committed
            // Back-pressure: when cheap points outrun the database, the workers wait here instead of queueing
            // batches without bound (10^6 SMA points once queued 220,000 finished points, 600 MB, at 10,000/s).
            io.slots.wait()
            io.queue.async {
                defer { io.slots.signal() }
                guard io.error == nil else { return }
                do {
                    try store.saveSweepPoints(batch)
                    progress?.update(done: doneNow, total: total, best: best)
                } catch {
                    io.failure.withLock { $0 = $0 ?? error }
                }
            }
        }
        if wait {
            io.queue.sync {}
            if let e = io.error { throw e }
            done = committed
        }
    }

    /// The database thread and the first error it met (set on that thread, read by the actor: hence the lock).
    final class IO: Sendable {
        let queue = DispatchQueue(label: "hindsight.sweep.writer")
        /// Batches handed over and not yet committed: one being written, one waiting.
        let slots = DispatchSemaphore(value: 2)
        let failure = Locked<Error?>(nil)
        var error: Error? { failure.value }
    }
    let io = IO()
    private var committed = 0
}

/// Progress on stderr: done/total, runs/s, ETA and the best point; redrawn in place on a terminal, plain lines otherwise.
final class SweepProgress: Sendable {
    let start = Date()
    let startDone: Int
    let tty = isatty(2) != 0
    let quiet: Bool
    let metric: String
    let lowerIsBetter: Bool
    /// When the last line was drawn; the lock also keeps two lines from interleaving.
    private let last = Locked(Date.distantPast)

    init(startDone: Int, quiet: Bool, metric: String, lowerIsBetter: Bool) {
        self.startDone = startDone
        self.quiet = quiet
        self.metric = metric
        self.lowerIsBetter = lowerIsBetter
    }

    func update(done: Int, total: Int, best: (value: Double, point: String)?, final: Bool = false) {
        guard !quiet else { return }
        last.withLock { last in
            let now = Date()
            guard final || now.timeIntervalSince(last) >= (tty ? 0.2 : 5) else { return }
            last = now
            draw(now: now, done: done, total: total, best: best, final: final)
        }
    }

    private func draw(now: Date, done: Int, total: Int, best: (value: Double, point: String)?, final: Bool) {
        let elapsed = max(now.timeIntervalSince(start), 1e-9)
        let rate = Double(done - startDone) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : .nan
        let bestText =
            best.map { String(format: "best %@ %.4g (%@)", metric, lowerIsBetter ? -$0.value : $0.value, $0.point) }
            ?? "best -"
        let line = String(
            format: "%d/%d points, %.0f runs/s, ETA %@, %@", done, total, rate,
            eta.isFinite ? String(format: "%.0f s", eta) : "-", bestText)
        FileHandle.standardError.write(Data(((tty ? "\r\u{1B}[K" : "") + line + (tty && !final ? "" : "\n")).utf8))
    }
}
