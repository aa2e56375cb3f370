import Foundation
import HindsightCore

/// An exclusive claim on writing sweeps into one database, held for a process's life: a second `sweep run` on the
/// same database is told who holds it instead of failing on a constraint. The kernel drops the lock when the
/// holder exits, even on SIGKILL, so a killed sweep never leaves a stale lock behind.
public final class WriterLock {
    public let path: String
    private let fd: Int32

    /// Takes the lock beside `database` (`<database>.lock`), or throws naming the process that holds it.
    public init(database: String) throws {
        path = database + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw HindsightError(.io, "\(path): cannot create the lock file", cause: String(cString: strerror(errno)))
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, 32, 0)
            close(fd)
            let holder =
                n > 0
                ? String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                : "?"
            throw HindsightError(
                .duplicate,
                "\(database): another hindsight process (pid \(holder)) is writing sweeps into this database",
                cause: "wait for it to finish (then --resume adds nothing twice), or give this run its own --db")
        }
        let pid = Array("\(ProcessInfo.processInfo.processIdentifier)\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
