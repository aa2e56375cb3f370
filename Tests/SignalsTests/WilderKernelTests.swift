import HindsightCore
import Signals
import Testing

/// The RSI and CMO kernel steps two bars at a time; its numbers must be those of one bar at a time.
struct WilderKernelTests {
    /// Wilder's averages one bar at a time, as TA-Lib writes them (with the kernel's avg·a + move·b form).
    static func reference(_ x: [Double], _ n: Int, cmo: Bool) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        guard x.count > n else { return out }
        var gain = 0.0, loss = 0.0
        for t in 1...n {
            let d = x[t] - x[t - 1]
            if d < 0 { loss -= d } else { gain += d }
        }
        let nd = Double(n), a = Double(n - 1) / nd, b = 1 / nd
        loss /= nd
        gain /= nd
        func value() -> Double {
            let s = gain + loss
            return -1e-14 < s && s < 1e-14 ? 0 : 100 * ((cmo ? gain - loss : gain) / s)
        }
        out[n] = value()
        for t in (n + 1)..<x.count {
            let d = x[t] - x[t - 1]
            loss = loss * a + max(-d, 0) * b
            gain = gain * a + max(d, 0) * b
            out[t] = value()
        }
        return out
    }

    @Test func twoBarsAStepGiveTheSameNumbersAsOneBarAtATime() {
        var rng = Xoshiro256StarStar(seed: 12)
        var p = [100.0]
        for _ in 1..<1_001 { p.append(p[p.count - 1] * (1 + 0.02 * rng.normal())) }
        // Flat stretches (a zero sum of moves) and both parities of the tail.
        p += [Double](repeating: p[p.count - 1], count: 30)
        for n in [1, 2, 14, 29] {
            for count in [n + 1, n + 2, n + 3, p.count - 1, p.count] {
                let x = Array(p.prefix(count))
                let rsi = Indicators.rsi(x, n), cmo = Indicators.cmo(x, n)
                let want = Self.reference(x, n, cmo: false), wantCMO = Self.reference(x, n, cmo: true)
                #expect(rsi.elementsEqual(want) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "rsi n=\(n) count=\(count)")
                #expect(cmo.elementsEqual(wantCMO) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "cmo n=\(n) count=\(count)")
            }
        }
    }
}
