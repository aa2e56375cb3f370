/// One per-run column the simulation loop writes by index and hands out as an array when the run ends.
///
/// Why not an array: an array written inside the daily loop pays a uniqueness check per write, a call that spills
/// every live register (measured on the SMA replay: 23% of a 14,751-point sweep before, 9% after). The pointer stays
/// inside this type; indices are checked in debug builds.
struct RunColumn<Element: BitwiseCopyable>: ~Copyable {
    private let base: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, repeating value: Element) {
        precondition(count >= 0)
        self.count = count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    deinit { base.deallocate() }

    @inline(__always) subscript(i: Int) -> Element {
        get {
            assert(i >= 0 && i < count, "RunColumn index \(i) out of 0..<\(count)")
            return base[i]
        }
        nonmutating set {
            assert(i >= 0 && i < count, "RunColumn index \(i) out of 0..<\(count)")
            base[i] = newValue
        }
    }

    /// A copy of the values.
    var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
