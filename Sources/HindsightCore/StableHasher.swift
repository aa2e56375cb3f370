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
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
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

extension StableHasher {
    /// Word-at-a-time mixing for large arrays (same result on every machine).
    public mutating func combine(words: UnsafeBufferPointer<UInt64>) {
        var h = value
        for w in words {
            h = (h ^ (w &* 0x9E37_79B9_7F4A_7C15))
            h = ((h << 31) | (h >> 33)) &* 0xC2B2_AE3D_27D4_EB4F
        }
        value = h
    }

    public mutating func combine(doubles: [Double]) {
        combine(doubles.count)
        doubles.withUnsafeBytes { raw in
            combine(words: raw.bindMemory(to: UInt64.self))
        }
    }
}
