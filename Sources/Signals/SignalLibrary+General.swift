extension SignalLibrary {
    /// Lag `k` of `x` (NaN for the first k bars).
    static func lagged(_ x: [Double], _ k: Int) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        if k < x.count { for t in k..<x.count { out[t] = x[t - k] } }
        return out
    }

    /// A rolling reduction over the last n bars (NaN until n bars, or where the window holds a NaN).
    static func rolling(_ x: [Double], _ n: Int, _ f: (ArraySlice<Double>) -> Double) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        guard n >= 1, x.count >= n else { return out }
        for t in (n - 1)..<x.count {
            let w = x[(t - n + 1)...t]
            out[t] = w.contains(where: \.isNaN) ? .nan : f(w)
        }
        return out
    }

    /// Sample mean and standard deviation (n − 1, as pandas' rolling std) of a window.
    static func meanStd(_ w: ArraySlice<Double>) -> (Double, Double) {
        let n = Double(w.count)
        let m = w.reduce(0, +) / n
        guard w.count > 1 else { return (m, .nan) }
        let v = w.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
        return (m, v.squareRoot())
    }

    @inline(__always) static func bool(_ b: Bool) -> Double { b ? 1 : 0 }

    static let general: [SignalFunction] = [
        SignalFunction(
            name: "crossover", arguments: [.number, .number], result: .boolean,
            summary: "a crosses above b: a > b now and a ≤ b on the bar before", lookback: { _ in 1 }
        ) { s, _, _ in
            let a = s[0], b = s[1]
            var out = [Double](repeating: 0, count: a.count)
            for t in 1..<max(1, a.count) { out[t] = bool(a[t] > b[t] && a[t - 1] <= b[t - 1]) }
            return out
        },
        SignalFunction(
            name: "crossunder", arguments: [.number, .number], result: .boolean,
            summary: "a crosses below b: a < b now and a ≥ b on the bar before", lookback: { _ in 1 }
        ) { s, _, _ in
            let a = s[0], b = s[1]
            var out = [Double](repeating: 0, count: a.count)
            for t in 1..<max(1, a.count) { out[t] = bool(a[t] < b[t] && a[t - 1] >= b[t - 1]) }
            return out
        },
        SignalFunction(
            name: "shift", arguments: [.number, .lag], summary: "the value k bars ago (k ≥ 0)", lookback: { Int($0[0]) }
        ) { s, c, _ in lagged(s[0], Int(c[0])) },
        SignalFunction(
            name: "delta", arguments: [.number, .lag], summary: "x − x[k bars ago]", lookback: { Int($0[0]) }
        ) { s, c, _ in
            zip(s[0], lagged(s[0], Int(c[0]))).map { $0 - $1 }
        },
        SignalFunction(
            name: "pct_change", arguments: [.number, .lag], summary: "x / x[k bars ago] − 1", lookback: { Int($0[0]) }
        ) { s, c, _ in
            zip(s[0], lagged(s[0], Int(c[0]))).map { $0 / $1 - 1 }
        },
        SignalFunction(
            name: "rolling_mean", arguments: [.number, .window], summary: "mean of the last n bars",
            lookback: { Int($0[0]) - 1 }
        ) { s, c, _ in rolling(s[0], Int(c[0])) { $0.reduce(0, +) / Double($0.count) } },
        SignalFunction(
            name: "rolling_sum", arguments: [.number, .window], summary: "sum of the last n bars",
            lookback: { Int($0[0]) - 1 }
        ) { s, c, _ in rolling(s[0], Int(c[0])) { $0.reduce(0, +) } },
        SignalFunction(
            name: "rolling_std", arguments: [.number, .window],
            summary: "sample standard deviation (n − 1) of the last n bars", lookback: { Int($0[0]) - 1 }
        ) { s, c, _ in rolling(s[0], Int(c[0])) { meanStd($0).1 } },
        SignalFunction(
            name: "rolling_min", arguments: [.number, .window], summary: "minimum of the last n bars",
            lookback: { Int($0[0]) - 1 }
        ) { s, c, _ in rolling(s[0], Int(c[0])) { $0.min()! } },
        SignalFunction(
            name: "rolling_max", arguments: [.number, .window], summary: "maximum of the last n bars",
            lookback: { Int($0[0]) - 1 }
        ) { s, c, _ in rolling(s[0], Int(c[0])) { $0.max()! } },
        SignalFunction(
            name: "zscore", arguments: [.number, .window],
            summary: "(x − rolling mean) / rolling sample std over n bars", lookback: { Int($0[0]) - 1 }
        ) { s, c, _ in
            rolling(s[0], Int(c[0])) { w in
                let (m, sd) = meanStd(w)
                return (w.last! - m) / sd
            }
        },
        SignalFunction(
            name: "bars_since", arguments: [.boolean], summary: "bars since the condition was last true (0 on that bar)"
        ) { s, _, _ in
            var out = [Double](repeating: .nan, count: s[0].count)
            var last = -1
            for t in 0..<s[0].count {
                if s[0][t] != 0 { last = t }
                if last >= 0 { out[t] = Double(t - last) }
            }
            return out
        },
        SignalFunction(
            name: "if", arguments: [.boolean, .number, .number], summary: "a where the condition holds, else b"
        ) { s, _, _ in
            var out = s[2]
            for t in 0..<out.count where s[0][t] != 0 { out[t] = s[1][t] }
            return out
        },
        SignalFunction(name: "abs", arguments: [.number], summary: "absolute value") { s, _, _ in
            map(s[0]) { Swift.abs($0) }
        },
        SignalFunction(name: "log", arguments: [.number], summary: "natural logarithm") { s, _, _ in
            map(s[0]) { libmLog($0) }
        },
        SignalFunction(name: "exp", arguments: [.number], summary: "exponential") { s, _, _ in map(s[0]) { libmExp($0) }
        },
        SignalFunction(name: "sqrt", arguments: [.number], summary: "square root") { s, _, _ in
            map(s[0]) { $0.squareRoot() }
        },
        SignalFunction(
            name: "min", arguments: [.number, .number], summary: "the smaller of a and b (NaN if either is)"
        ) { s, _, _ in zip(s[0], s[1]).map { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) } },
        SignalFunction(name: "max", arguments: [.number, .number], summary: "the larger of a and b (NaN if either is)")
        { s, _, _ in zip(s[0], s[1]).map { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) } },
    ]
}
