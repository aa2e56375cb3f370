/// xoshiro256** seeded through splitmix64: the same seed gives the same stream on every machine.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    // Inlinable so a bootstrap's per-draw calls inline across modules (the report's stationary-bootstrap indices
    // spent a third of their time in the calls and in `int(below:)`'s division by a loop-invariant bound).
    @usableFromInline var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix()
        s1 = splitmix()
        s2 = splitmix()
        s3 = splitmix()
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in 0..<n (n > 0), by rejection so it is unbiased and portable.
    @inlinable @inline(__always)
    public mutating func int(below n: Int) -> Int {
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let v = next()
            if v < limit { return Int(v % bound) }
        }
    }

    /// Standard normal by Marsaglia's polar method, using only portable arithmetic.
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                return u * (-2 * PortableMath.log(s) / s).squareRoot()
            }
        }
    }

    /// Student-t with integer `dof` > 2, scaled to unit variance.
    public mutating func studentT(dof: Int) -> Double {
        let z = normal()
        var chi = 0.0
        for _ in 0..<dof {
            let n = normal()
            chi += n * n
        }
        let t = z / (chi / Double(dof)).squareRoot()
        return t / (Double(dof) / Double(dof - 2)).squareRoot()
    }
}
