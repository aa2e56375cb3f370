/// FNV-1a 64-bit over explicit bytes: stable across processes and machines, unlike `Hasher`.
public struct StableHasher: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    @inline(__always)
    public mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    public mutating func combine(_ v: UInt64) {
        var x = v
        for _ in 0..<8 { combine(byte: UInt8(truncatingIfNeeded: x)); x >>= 8 }
    }

    public mutating func combine(_ v: Int) { combine(UInt64(bitPattern: Int64(v))) }
    public mutating func combine(_ v: Double) { combine(v.bitPattern) }

    public mutating func combine(_ s: String) {
        for b in s.utf8 { combine(byte: b) }
        combine(byte: 0xff)
    }

    /// 16 lowercase hex digits.
    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
