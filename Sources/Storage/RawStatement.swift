import GRDB
import GRDBSQLite
import HindsightCore

/// A prepared statement driven through the SQLite C API, for bulk inserts and scans where GRDB's per-row values cost too much.
struct RawStatement {
    private let statement: Statement
    let handle: OpaquePointer
    private let connection: OpaquePointer
    private var dayBuffer = [UInt8](repeating: 0, count: 10)

    // SQLITE_TRANSIENT: SQLite copies the bytes before the bind returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
    }

    @inline(__always) func bind(_ i: Int32, _ v: Double) { sqlite3_bind_double(handle, i, v) }
    @inline(__always) func bind(_ i: Int32, _ v: Int) { sqlite3_bind_int64(handle, i, Int64(v)) }
    @inline(__always) func bindNull(_ i: Int32) { sqlite3_bind_null(handle, i) }
    func bindBlob(_ i: Int32, _ b: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, i, b.baseAddress, Int32(b.count), RawStatement.transient)
    }
    @inline(__always) func isNull(_ col: Int32) -> Bool { sqlite3_column_type(handle, col) == SQLITE_NULL }

    func bind(_ i: Int32, _ s: String) {
        var s = s
        s.withUTF8 { b in
            _ = sqlite3_bind_text(
                handle, i, UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(b.count),
                RawStatement.transient)
        }
    }

    /// Binds a day as `YYYY-MM-DD` text without allocating.
    mutating func bind(_ i: Int32, day: TradingDay) {
        let (y, m, d) = day.components
        dayBuffer.withUnsafeMutableBufferPointer { b in
            b[0] = UInt8(48 + y / 1000 % 10)
            b[1] = UInt8(48 + y / 100 % 10)
            b[2] = UInt8(48 + y / 10 % 10)
            b[3] = UInt8(48 + y % 10)
            b[4] = 45
            b[5] = UInt8(48 + m / 10)
            b[6] = UInt8(48 + m % 10)
            b[7] = 45
            b[8] = UInt8(48 + d / 10)
            b[9] = UInt8(48 + d % 10)
            _ = sqlite3_bind_text(
                handle, i, UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self), 10,
                RawStatement.transient)
        }
    }

    /// Binds bytes that stay alive and unchanged until the next step (no copy).
    @inline(__always) func bindStatic(_ i: Int32, _ p: UnsafePointer<UInt8>, count: Int) {
        sqlite3_bind_text(handle, i, UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), Int32(count), nil)
    }

    /// Runs an INSERT/UPDATE to completion and resets; returns the SQLite result code on failure.
    @inline(__always) func run() -> Int32 {
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        return rc == SQLITE_DONE ? 0 : rc
    }

    /// Steps a query: true while there is a row.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw HindsightError(.database, "query failed", cause: lastError)
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    var lastError: String { String(cString: sqlite3_errmsg(connection)) }

    @inline(__always) func double(_ col: Int32) -> Double { sqlite3_column_double(handle, col) }
    @inline(__always) func int(_ col: Int32) -> Int { Int(sqlite3_column_int64(handle, col)) }

    func string(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(handle, col) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, col))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// A text column's UTF-8 bytes, valid until the next step (nil for NULL).
    func bytes(_ col: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard sqlite3_column_type(handle, col) != SQLITE_NULL else { return nil }
        let p = sqlite3_column_text(handle, col)
        let n = Int(sqlite3_column_bytes(handle, col))
        return UnsafeBufferPointer(start: p, count: n)
    }

    /// Parses a `YYYY-MM-DD` text column without allocating.
    func day(_ col: Int32) -> TradingDay? {
        guard let p = sqlite3_column_text(handle, col) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, col))
        return TradingDay(isoBytes: UnsafeBufferPointer(start: p, count: n))
    }

    static func isConstraint(_ rc: Int32) -> Bool { rc & 0xff == SQLITE_CONSTRAINT }
}
