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
    /// Rank value of every ok point written by this process, by plan index.
    private(set) var ranks: [(index: Int, value: Double)] = []

    init(store: HindsightDatabase, total: Int, alreadyDone: Int, batchSize: Int, progress: SweepProgress?) {
        self.store = store
        self.total = total
        self.done = alreadyDone
        self.batchSize = batchSize
        self.progress = progress
    }

    func add(_ outputs: [(index: Int, output: PointExecutor.Output)]) throws {
        for (i, o) in outputs {
            pending.append(o.record.value)
            switch o.status {
            case .ok:
                ranks.append((i, o.rankValue))
                if o.rankValue.isFinite, best == nil || o.rankValue > best!.value { best = (o.rankValue, o.record.value.run.pointID ?? "") }
            case .invalid: invalid += 1
            case .failed: failed += 1
            }
        }
        if pending.count >= batchSize { try flush() }
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        try store.saveSweepPoints(pending)
        done += pending.count
        pending.removeAll(keepingCapacity: true)
        progress?.update(done: done, total: total, best: best)
    }
}

/// Progress on stderr: done/total, runs/s, ETA and the best point; redrawn in place on a terminal, plain lines otherwise.
final class SweepProgress: @unchecked Sendable {
    let start = Date()
    let startDone: Int
    let tty = isatty(2) != 0
    let quiet: Bool
    let metric: String
    let lowerIsBetter: Bool
    var last = Date.distantPast
    let lock = NSLock()

    init(startDone: Int, quiet: Bool, metric: String, lowerIsBetter: Bool) {
        self.startDone = startDone; self.quiet = quiet; self.metric = metric; self.lowerIsBetter = lowerIsBetter
    }

    func update(done: Int, total: Int, best: (value: Double, point: String)?, final: Bool = false) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard final || now.timeIntervalSince(last) >= (tty ? 0.2 : 5) else { return }
        last = now
        let elapsed = max(now.timeIntervalSince(start), 1e-9)
        let rate = Double(done - startDone) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : .nan
        let bestText = best.map { String(format: "best %@ %.4g (%@)", metric, lowerIsBetter ? -$0.value : $0.value, $0.point) } ?? "best -"
        let line = String(format: "%d/%d points, %.0f runs/s, ETA %@, %@", done, total, rate, eta.isFinite ? String(format: "%.0f s", eta) : "-", bestText)
        FileHandle.standardError.write(Data(((tty ? "\r\u{1B}[K" : "") + line + (tty && !final ? "" : "\n")).utf8))
    }
}
