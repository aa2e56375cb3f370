import Synchronization

/// A value shared between threads, read and changed only under its lock: the one lock type of the codebase.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with the value locked; what it returns leaves the lock.
    public func withLock<R: Sendable>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { value in try body(&value) }
    }

    /// A copy of the current value.
    public var value: Value { mutex.withLock { $0 } }
}
