import Foundation
import GRDB
import HindsightCore

/// The one owner of a Hindsight SQLite database: its connection pool, its migrator and every query.
public final class HindsightDatabase: Sendable {
    public let path: String
    let writer: any DatabaseWriter

    /// Opens (creating if needed) and migrates a database file in WAL mode.
    public init(path: String, migrate: Bool = true) throws {
        self.path = path
        try HindsightDatabase.preflight(path)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw HindsightError(.io, "\(path): cannot create the folder \(dir)", cause: "\(error)")
            }
        }
        // Switching a new file to WAL takes an exclusive lock that the busy timeout does not cover: when another
        // process is creating the same database at this moment, wait for it briefly.
        var attempt = 0
        while true {
            do {
                writer = try DatabasePool(path: path, configuration: HindsightDatabase.configuration())
                break
            } catch {
                attempt += 1
                if attempt >= 20 {
                    throw HindsightError(
                        .database, "\(path): cannot open the database", cause: HindsightDatabase.describe(error))
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        try checkAndMigrate(migrate: migrate)
    }

    /// An in-memory database, for tests.
    public init(inMemory: Void = ()) throws {
        self.path = ":memory:"
        writer = try DatabaseQueue(configuration: HindsightDatabase.configuration())
        try checkAndMigrate(migrate: true)
    }

    /// Opens a database read-only: nothing is created, migrated or written (an input read by a run or a merge).
    init(readOnlyPath path: String, mapped: Bool = false) throws {
        self.path = path
        try HindsightDatabase.preflight(path)
        var config = HindsightDatabase.configuration(mapped: mapped)
        config.readonly = true
        do {
            writer = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw HindsightError(
                .database, "\(path): cannot open the database to read", cause: HindsightDatabase.describe(error))
        }
        try checkAndMigrate(migrate: false)
    }

    /// Opens an existing database without creating it; `readOnly` for inputs whose results go elsewhere.
    /// `mapped`: read through a memory map (an input's prices; see `configuration`).
    public static func openExisting(path: String, readOnly: Bool = false, mapped: Bool = false) throws
        -> HindsightDatabase
    {
        guard FileManager.default.fileExists(atPath: path) else {
            throw HindsightError(
                .fileNotFound, "\(path): no such database",
                cause: "create it with `hindsight data init --db \(path)` or `hindsight data synth --db \(path)`")
        }
        return readOnly
            ? try HindsightDatabase(readOnlyPath: path, mapped: mapped) : try HindsightDatabase(path: path)
    }

    /// Checks, without writing anything, that `path` is absent, empty, or a Hindsight database: a folder, a file
    /// that is not SQLite, or another application's SQLite file is refused before it is opened for writing.
    static func preflight(_ path: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { return }
        if isDir.boolValue {
            throw HindsightError(
                .invalidArgument, "\(path) is a folder, not a database file",
                cause: "give a file path, e.g. \(path)/hindsight.sqlite")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HindsightError(.io, "\(path): cannot read the file", cause: "check its permissions")
        }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        if header.isEmpty { return }
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw HindsightError(
                .invalidData,
                "\(path) is not a SQLite database (its first bytes are not the SQLite header); nothing was changed",
                cause: "give the path of a Hindsight database, or a new file name")
        }
        var config = Configuration()
        config.readonly = true
        let names: [String], migrations: [String]
        do {
            let q = try DatabaseQueue(path: path, configuration: config)
            (names, migrations) = try q.read { db in
                let t = try String.fetchAll(
                    db,
                    sql:
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
                let m =
                    t.contains("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
                return (t, m)
            }
        } catch {
            // A WAL database in a read-only place may not open this way; the real open reports what is wrong.
            return
        }
        if names.isEmpty { return }
        if !migrations.contains("v1-initial") {
            let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
            throw HindsightError(
                .invalidData,
                "\(path) is another application's SQLite database (tables: \(shown)); nothing was changed",
                cause: "give Hindsight its own database file (a new path is created)")
        }
    }

    static func configuration(mapped: Bool = false) -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A new file gets 8 KiB pages (an existing one keeps its own): a run's row (metrics, config, about 2.7
            // KB) fills a 4 KiB page alone, so a 100,000-point sweep took 478 MB and 1.6 s of system time; 347 MB,
            // 1.1 s with 8 KiB pages. 16 KiB gave 343 MB but an empty database of 40 tables would take 640 KB.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA page_size = 8192") }
            // Large imports keep dirty pages in memory until commit instead of spilling them mid-transaction. Readers
            // scan once (a report's passes, a merge's source): 8 MB each, or a pool of readers holds 64 MB apiece
            // (about 400 MB of a 100,000-point report's peak, the scaling study).
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // An input read through a memory map, not one pread per page: 60k price rows of a 360-ticker database
            // in 10 ms instead of 18. Only inputs: mapped pages count in the process's RSS, and a report scanning a
            // 10^6-point sweep's 2.9 GB database through its pool's readers showed 1.4 GB (357 MB of it its own).
            if mapped, db.configuration.readonly { try db.execute(sql: "PRAGMA mmap_size = 1073741824") }
        }
        return config
    }

    private func checkAndMigrate(migrate: Bool) throws {
        let migrator = HindsightDatabase.migrator
        do {
            let superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                let known = try writer.read { db in try migrator.appliedIdentifiers(db) }
                throw HindsightError(
                    .schemaTooNew,
                    "\(path): the database was made by a newer Hindsight (its schema has migrations this build does not know; this build knows up to '\(HindsightDatabase.latestMigration)', applied: \(HindsightDatabase.inVersionOrder(known).last ?? "none"))",
                    cause: "upgrade hindsight, or use a database made by this version")
            }
            if migrate {
                // Two processes opening a new database together can both try the first migration; the loser's
                // statements fail on tables the winner just made. Once the winner commits, a retry finds nothing to do.
                var attempt = 0
                while true {
                    do {
                        try migrator.migrate(writer)
                        break
                    } catch {
                        attempt += 1
                        if attempt >= 5 { throw error }
                        Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
                    }
                }
            }
        } catch let e as HindsightError {
            throw e
        } catch {
            throw HindsightError(
                .database, "\(path): cannot read or migrate the database", cause: HindsightDatabase.describe(error))
        }
    }

    /// Migration identifiers applied to this database.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in HindsightDatabase.inVersionOrder(try HindsightDatabase.migrator.appliedIdentifiers(db))
        }
    }

    /// Migration names in version order (`v9-…` before `v10-…`).
    static func inVersionOrder(_ names: some Sequence<String>) -> [String] {
        func version(_ s: String) -> Int { Int(s.dropFirst().prefix { $0.isNumber }) ?? Int.max }
        return names.sorted { (version($0), $0) < (version($1), $1) }
    }

    /// Names of all user tables.
    public func tableNames() throws -> [String] {
        try writer.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name"
            )
        }
    }

    /// Row count of a known table.
    public func count(table: String) throws -> Int {
        guard HindsightDatabase.allTables.contains(table) else {
            throw HindsightError(.invalidArgument, "unknown table '\(table)'")
        }
        return try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e)" }
        return "\(error)"
    }
}

extension HindsightDatabase {
    /// WAL pages after which a commit copies the WAL into the database file (SQLite's default is 1,000). Sweeps
    /// raise it while they write: each copy rewrites the hot index pages and syncs the file, so fewer copies cost less.
    public func setAutoCheckpoint(pages: Int) throws {
        try writeWrapped("set the WAL checkpoint interval") { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)")
        }
    }

    /// Starts copying the WAL into the database file in the background (readers go on reading) and returns a
    /// function that waits for it. A failed copy loses nothing: the WAL stays valid and the next close retries.
    public func startCheckpoint() -> () -> Void {
        guard let pool = writer as? DatabasePool else { return {} }
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            _ = try? pool.writeWithoutTransaction { db in
                try db.checkpoint(.passive)
                // The writer's 64 MB page cache is not needed while the report reads.
                try db.execute(sql: "PRAGMA shrink_memory")
            }
        }
        return { group.wait() }
    }
}
