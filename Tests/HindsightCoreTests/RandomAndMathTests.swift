import Foundation
import Testing

@testable import HindsightCore

@Suite struct RandomAndMathTests {
    @Test func xoshiroStreamMatchesIndependentPythonReference() throws {
        let url = Bundle.module.url(forResource: "Fixtures/xoshiro256starstar", withExtension: "json")!
        let fixture = try JSONDecoder().decode([String: [String]].self, from: Data(contentsOf: url))
        #expect(fixture.count == 4)
        for (seed, expected) in fixture {
            var rng = Xoshiro256StarStar(seed: UInt64(seed)!)
            let got = (0..<expected.count).map { _ in String(rng.next()) }
            #expect(got == expected, "seed \(seed)")
        }
    }

    @Test func uniformIntegersAreInRangeAndRoughlyFlat() {
        var rng = Xoshiro256StarStar(seed: 9)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[rng.int(below: 7)] += 1 }
        for c in counts { #expect(abs(c - 10_000) < 400) }
    }

    @Test func normalsHaveUnitMomentsAndStudentTHasUnitVarianceWithFatTails() {
        var rng = Xoshiro256StarStar(seed: 3)
        let n = 200_000
        var s1 = 0.0, s2 = 0.0, t2 = 0.0, t4 = 0.0
        for _ in 0..<n {
            let z = rng.normal()
            s1 += z
            s2 += z * z
            let t = rng.studentT(dof: 5)
            t2 += t * t
            t4 += t * t * t * t
        }
        #expect(abs(s1 / Double(n)) < 0.01)
        #expect(abs(s2 / Double(n) - 1) < 0.01)
        #expect(abs(t2 / Double(n) - 1) < 0.03)
        // Student-t(5) has kurtosis 9, far above the normal's 3.
        #expect(t4 / Double(n) > 5)
    }

    @Test func portableLogAndExpAgreeWithLibmToTwoUlps() {
        var rng = Xoshiro256StarStar(seed: 11)
        for _ in 0..<20_000 {
            let x = Foundation.exp(40 * rng.uniform() - 20)
            let l = PortableMath.log(x)
            #expect(abs(l - Foundation.log(x)) <= 2 * max(abs(l).ulp, Double.leastNormalMagnitude), "log \(x)")
            let y = 60 * rng.uniform() - 30
            let e = PortableMath.exp(y)
            #expect(abs(e - Foundation.exp(y)) <= 2 * e.ulp, "exp \(y)")
        }
        #expect(PortableMath.log(1) == 0)
        #expect(PortableMath.log(-1).isNaN)
        #expect(PortableMath.log(0) == -.infinity)
    }

    @Test func stableHasherIsFnv1aOnBytes() {
        var h = StableHasher()
        h.combine(byte: UInt8(ascii: "a"))
        #expect(h.value == 0xaf63_dc4c_8601_ec8c)  // published FNV-1a 64 test vector for "a"
        var a = StableHasher(), b = StableHasher()
        a.combine(doubles: [1, 2, 3])
        b.combine(doubles: [1, 2, 3.0000000001])
        #expect(a.hex != b.hex)
        #expect(a.hex.count == 16)
    }
}
