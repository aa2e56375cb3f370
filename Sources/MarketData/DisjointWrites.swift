/// An uninitialised buffer that several threads fill at disjoint places (the file's parts read side by side, the
/// adjusted closes by asset ranges). Every write is checked against the buffer's bounds; that the places are
/// disjoint is the caller's promise.
struct DisjointWrites<Element>: @unchecked Sendable {
    private let base: UnsafeMutableBufferPointer<Element>

    init(_ base: UnsafeMutableBufferPointer<Element>) { self.base = base }

    /// Writes element `k`.
    subscript(k: Int) -> Element {
        get { base[k] }
        nonmutating set {
            precondition(k >= 0 && k < base.count, "a write outside the buffer")
            (base.baseAddress! + k).initialize(to: newValue)
        }
    }

    /// Where `count` elements from `k` are written by a call that takes a pointer (`pread`).
    func start(_ k: Int, count: Int) -> UnsafeMutablePointer<Element> {
        precondition(k >= 0 && count >= 0 && k + count <= base.count, "a write outside the buffer")
        return base.baseAddress! + k
    }
}
