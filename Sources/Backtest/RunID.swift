import Foundation
import HindsightCore

/// A stored run's id.
public struct RunID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A fresh id: the config hash plus the time and process, so re-running a config records a new run.
    static func make(configHash: String) -> RunID {
        var h = StableHasher()
        h.combine(configHash)
        h.combine(Int(Date().timeIntervalSince1970 * 1e9))
        h.combine(Int(ProcessInfo.processInfo.processIdentifier))
        h.combine(
            counter.withLock { n in
                n += 1
                return n
            })
        return RunID("run-" + h.hex)
    }

    private static let counter = Locked(0)
}

/// A run that was recorded but did not complete: `status` is invalid (bad config or data) or failed (run-time error).
public struct RunError: Error, CustomStringConvertible, Sendable {
    public var runID: RunID?
    public var status: RunRecord.Status
    public var error: HindsightError
    public var code: HindsightError.Code { error.code }
    public var message: String { error.message }
    public var cause: String? { error.cause }
    public var description: String { error.description }
}
