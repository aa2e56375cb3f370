import Benchmark
import HindsightCore
import Signals

/// Indicator kernels on one long series (1,000,000 bars, a random walk): bars per second is 1e6 / the time.
/// `Benchmarks/peers/indicators_vs_talib.py` times ta-lib on the same series shape, side by side.
let signalBenchmarks: @Sendable () -> Void = {
    var rng = Xoshiro256StarStar(seed: 5)
    var price = 100.0
    let close = (0..<1_000_000).map { _ in
        price *= 1 + 0.01 * (rng.uniform() - 0.5)
        return price
    }
    let cases: [(String, ([Double]) -> [Double])] = [
        ("sma(close, 20)", { Indicators.sma($0, 20) }),
        ("ema(close, 20)", { Indicators.ema($0, 20) }),
        ("rsi(close, 14)", { Indicators.rsi($0, 14) }),
    ]
    for (name, f) in cases {
        Benchmark(
            "Signals: \(name), 1,000,000 bars",
            configuration: .init(
                metrics: [.wallClock, .mallocCountTotal], maxIterations: 50,
                thresholds: [.wallClock: .init(relative: [.p50: 25])])
        ) { _ in
            blackHole(f(close))
        }
    }
}
