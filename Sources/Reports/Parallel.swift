import Dispatch

/// Runs two independent parts of a report at the same time.
enum Parallel {
    static func both<A, B>(_ a: () throws -> A, _ b: () throws -> B) throws -> (A, B) {
        let ra = Box<A>(), rb = Box<B>()
        try withoutActuallyEscaping(a) { a in
            try withoutActuallyEscaping(b) { b in
                nonisolated(unsafe) let fa = a, fb = b
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    if i == 0 { ra.value = Result { try fa() } } else { rb.value = Result { try fb() } }
                }
            }
        }
        return (try ra.value!.get(), try rb.value!.get())
    }

    /// One result written by one worker and read after both finished.
    final class Box<T>: @unchecked Sendable { var value: Result<T, Error>? }
}
