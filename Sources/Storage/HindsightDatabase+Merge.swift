import Foundation
import GRDB
import HindsightCore

/// What a merge did.
public struct MergeSummary: Sendable {
    public var sweeps: [String] = []
    public var runsCopied = 0
    public var duplicatesSkipped = 0
    /// Planned points without a run in any shard, by sweep.
    public var missing: [String: [String]] = [:]
}

extension HindsightDatabase {
    /// Merges shard databases into a new database at `into` (written to a temporary file, then renamed, so a failed
    /// merge leaves nothing). Every shard must hold the same sweeps with the same plan hash and data fingerprint;
    /// identical duplicate runs are skipped, conflicting ones refused.
    public static func merge(into: String, shards: [String]) throws -> MergeSummary {
        guard !shards.isEmpty else {
            throw HindsightError(
                .invalidArgument, "no shard databases given",
                cause: "list them: hindsight sweep merge --into out.sqlite shard-1.sqlite shard-2.sqlite ...")
        }
        for s in shards where !FileManager.default.fileExists(atPath: s) {
            throw HindsightError(.fileNotFound, "\(s): no such database", cause: "check the shard paths")
        }
        if FileManager.default.fileExists(atPath: into) {
            throw HindsightError(
                .invalidArgument, "\(into) already exists", cause: "merge into a new file (or delete it first)")
        }
        removeStaleMerges(of: into)
        // Every shard must hold the same sweeps: shards of different sweep files do not make one sweep.
        var expected: [String]?
        for s in shards {
            let ids = try HindsightDatabase.openExisting(path: s, readOnly: true).sweepIDs().sorted()
            if ids.isEmpty {
                throw HindsightError(
                    .invalidData, "\(s) holds no sweep; nothing was written",
                    cause: "merge the databases written by `hindsight sweep run --shard I/N`")
            }
            if let e = expected, e != ids {
                throw HindsightError(
                    .invalidData,
                    "\(s) holds sweep(s) \(ids.joined(separator: ", ")) but \(shards[0]) holds \(e.joined(separator: ", ")); nothing was written",
                    cause: "merge only the shards of one sweep file, run on the same data")
            }
            expected = ids
        }
        let tmp = into + ".merging-\(ProcessInfo.processInfo.processIdentifier)"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: tmp + suffix) } }
        var summary = MergeSummary()
        do {
            let out = try HindsightDatabase(path: tmp)
            var plans: [String: (hash: String, fingerprint: String?)] = [:]
            for (n, shard) in shards.enumerated() {
                let db = try HindsightDatabase.openExisting(path: shard, readOnly: true)
                for id in try db.sweepIDs() {
                    let s = try db.loadSweep(id: id)
                    if let known = plans[id], known.hash != s.planHash || known.fingerprint != s.dataFingerprint {
                        throw HindsightError(
                            .invalidData,
                            "\(shard): sweep \(id) has plan \(s.planHash) and data \(s.dataFingerprint ?? "-"), but an earlier shard has plan \(known.hash) and data \(known.fingerprint ?? "-")",
                            cause: "merge only shards of the same sweep file run on the same data")
                    }
                    plans[id] = (s.planHash, s.dataFingerprint)
                }
                try out.writer.writeWithoutTransaction { db in
                    try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [shard])
                    defer { try? db.execute(sql: "DETACH DATABASE shard") }
                    try db.inTransaction {
                        let conflicts = try String.fetchAll(
                            db,
                            sql: """
                                SELECT s.run_id FROM shard.backtest_runs s JOIN main.backtest_runs m ON m.run_id = s.run_id
                                WHERE s.status IS NOT m.status OR s.metrics_json IS NOT m.metrics_json OR s.config_hash IS NOT m.config_hash LIMIT 5
                                """)
                        if !conflicts.isEmpty {
                            throw HindsightError(
                                .duplicate,
                                "\(shard): runs \(conflicts.joined(separator: ", ")) are already merged with different results",
                                cause: "two shards ran the same point differently; re-run one of them")
                        }
                        let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM main.backtest_runs") ?? 0
                        let incoming = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM shard.backtest_runs") ?? 0
                        for table in [
                            "sweeps", "sweep_points", "backtest_runs", "backtest_trades", "backtest_round_trips",
                            "backtest_daily_equity", "sweep_returns", "sweep_equity",
                            "universe_snapshots", "universe_members", "regime_history", "backtest_attribution",
                            "backtest_turnover",
                            "backtest_scenarios", "backtest_scenario_summary",
                        ] {
                            // A shard written before a table existed has nothing to copy into it.
                            let present =
                                try Int.fetchOne(
                                    db,
                                    sql: "SELECT COUNT(*) FROM shard.sqlite_master WHERE type = 'table' AND name = ?",
                                    arguments: [table]) ?? 0
                            if present == 0 { continue }
                            try db.execute(sql: "INSERT OR IGNORE INTO main.\(table) SELECT * FROM shard.\(table)")
                        }
                        try db.execute(
                            sql: """
                                UPDATE main.sweep_points SET run_id = (SELECT r.run_id FROM main.backtest_runs r
                                    WHERE r.sweep_id = main.sweep_points.sweep_id AND r.point_id = main.sweep_points.point_id) WHERE run_id IS NULL
                                """)
                        let after = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM main.backtest_runs") ?? 0
                        summary.runsCopied += after - before
                        summary.duplicatesSkipped += incoming - (after - before)
                        return .commit
                    }
                }
                _ = n
            }
            summary.sweeps = plans.keys.sorted()
            for id in summary.sweeps {
                summary.missing[id] = try out.readWrapped { db in
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT p.point_id FROM sweep_points p LEFT JOIN backtest_runs r ON r.sweep_id = p.sweep_id AND r.point_id = p.point_id
                            WHERE p.sweep_id = ? AND r.run_id IS NULL ORDER BY p.rowid
                            """, arguments: [id])
                }
            }
            try out.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch let e as HindsightError {
            throw e
        } catch {
            throw HindsightError(.database, "cannot merge into \(into)", cause: HindsightDatabase.describe(error))
        }
        do {
            try FileManager.default.moveItem(atPath: tmp, toPath: into)
        } catch {
            throw HindsightError(
                .io, "\(into): cannot move the merged database into place", cause: error.localizedDescription)
        }
        return summary
    }
}

extension HindsightDatabase {
    /// Temporary databases left by a killed merge into `into` (`<into>.merging-<pid>` whose process is gone).
    static func removeStaleMerges(of into: String) {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: into).standardizedFileURL
        let parent = url.deletingLastPathComponent().path, prefix = url.lastPathComponent + ".merging-"
        for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            let digits = rest.prefix { $0.isNumber }
            guard let pid = Int32(digits), ["", "-wal", "-shm"].contains(String(rest.dropFirst(digits.count))),
                pid != ProcessInfo.processInfo.processIdentifier, kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? fm.removeItem(atPath: parent + "/" + name)
        }
    }
}
