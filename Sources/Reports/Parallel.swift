/// Runs two independent parts of a report at the same time.
enum Parallel {
    static func both<A: Sendable, B: Sendable>(
        _ a: @escaping @Sendable () throws -> A, _ b: @escaping @Sendable () throws -> B
    ) async throws -> (A, B) {
        async let first = a()
        let second = try b()
        return (try await first, second)
    }
}
