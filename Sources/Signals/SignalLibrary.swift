import HindsightCore

/// Every function an expression can call: the built-ins below, and what plug-ins register (one place for both).
public enum SignalLibrary {
    private static let registry = Locked<[String: SignalFunction]>(
        Dictionary(uniqueKeysWithValues: builtins.map { ($0.name, $0) }))

    /// Adds (or replaces) a function; call it before any expression is compiled.
    public static func register(_ f: SignalFunction) {
        registry.withLock { $0[f.name] = f }
        SignalProgram.forgetCompiled()
    }

    public static func function(named name: String) -> SignalFunction? { registry.withLock { $0[name] } }

    /// Every callable name: the catalog and the cross-sectional functions.
    public static var names: [String] { (registry.withLock { Array($0.keys) } + Compiler.crossSectionNames).sorted() }

    static func int(_ v: Double) -> Int { Int(v) }

    static func window(
        _ name: String, _ summary: String, _ f: @escaping @Sendable ([Double], Int) -> [Double],
        lookback: @escaping @Sendable (Int) -> Int
    ) -> SignalFunction {
        SignalFunction(
            name: name, arguments: [.number, .window], summary: summary, lookback: { lookback(int($0[0])) }
        ) { s, c, _ in f(s[0], int(c[0])) }
    }

    static func bars(
        _ name: String, _ args: [SignalFunction.Argument], _ summary: String,
        lookback: @escaping @Sendable ([Double]) -> Int, _ f: @escaping @Sendable (AssetBars, [Double]) -> [Double]
    ) -> SignalFunction {
        SignalFunction(name: name, arguments: args, summary: summary, lookback: lookback) { _, c, b in f(b, c) }
    }

    static func map(_ x: [Double], _ f: (Double) -> Double) -> [Double] { x.map { $0.isNaN ? .nan : f($0) } }

    static let builtins: [SignalFunction] = {
        typealias I = Indicators
        var f: [SignalFunction] = [
            window("sma", "simple moving average", I.sma, lookback: { $0 - 1 }),
            window("ema", "exponential moving average, SMA-seeded", I.ema, lookback: { $0 - 1 }),
            window("wma", "weighted moving average", I.wma, lookback: { $0 - 1 }),
            window("dema", "double exponential moving average", I.dema, lookback: { 2 * ($0 - 1) }),
            window("tema", "triple exponential moving average", I.tema, lookback: { 3 * ($0 - 1) }),
            window("trima", "triangular moving average", I.trima, lookback: { $0 - 1 }),
            window("kama", "Kaufman adaptive moving average", I.kama, lookback: { $0 }),
            window("rsi", "relative strength index (Wilder)", I.rsi, lookback: { $0 }),
            window("cmo", "Chande momentum oscillator", I.cmo, lookback: { $0 }),
            window("roc", "rate of change, percent", I.roc, lookback: { $0 }),
            window("mom", "momentum: x − x[n bars ago]", I.mom, lookback: { $0 }),
            window("stddev", "population standard deviation (TA-Lib)", { I.stddev($0, $1) }, lookback: { $0 - 1 }),
            window("linearreg_slope", "slope of the least-squares line", I.linearRegressionSlope, lookback: { $0 - 1 }),
            window("highest", "highest value over n bars", I.highest, lookback: { $0 - 1 }),
            window("lowest", "lowest value over n bars", I.lowest, lookback: { $0 - 1 }),
        ]
        let macdLook: @Sendable ([Double]) -> Int = { c in max(int(c[0]), int(c[1])) + int(c[2]) - 2 }
        f += [
            SignalFunction(
                name: "macd", arguments: [.number, .window, .window, .window], summary: "MACD line", lookback: macdLook
            ) { s, c, _ in I.macd(s[0], fast: int(c[0]), slow: int(c[1]), signal: int(c[2])).macd },
            SignalFunction(
                name: "macd_signal", arguments: [.number, .window, .window, .window], summary: "MACD signal line",
                lookback: macdLook
            ) { s, c, _ in I.macd(s[0], fast: int(c[0]), slow: int(c[1]), signal: int(c[2])).signal },
            SignalFunction(
                name: "macd_hist", arguments: [.number, .window, .window, .window], summary: "MACD histogram",
                lookback: macdLook
            ) { s, c, _ in I.macd(s[0], fast: int(c[0]), slow: int(c[1]), signal: int(c[2])).histogram },
            SignalFunction(
                name: "bbands_upper", arguments: [.number, .window, .constant],
                summary: "upper Bollinger band (SMA + k·σ)", lookback: { int($0[0]) - 1 }
            ) { s, c, _ in I.bbands(s[0], int(c[0]), up: c[1], down: c[1]).upper },
            SignalFunction(
                name: "bbands_middle", arguments: [.number, .window, .constant], summary: "middle Bollinger band (SMA)",
                lookback: { int($0[0]) - 1 }
            ) { s, c, _ in I.bbands(s[0], int(c[0]), up: c[1], down: c[1]).middle },
            SignalFunction(
                name: "bbands_lower", arguments: [.number, .window, .constant],
                summary: "lower Bollinger band (SMA − k·σ)", lookback: { int($0[0]) - 1 }
            ) { s, c, _ in I.bbands(s[0], int(c[0]), up: c[1], down: c[1]).lower },
            bars("atr", [.window], "average true range", lookback: { int($0[0]) }) { b, c in
                I.atr(high: b.high, low: b.low, close: b.close, int(c[0]))
            },
            bars("natr", [.window], "ATR as a percent of the close", lookback: { int($0[0]) }) { b, c in
                I.natr(high: b.high, low: b.low, close: b.close, int(c[0]))
            },
            bars("trange", [], "true range", lookback: { _ in 1 }) { b, _ in
                I.trange(high: b.high, low: b.low, close: b.close)
            },
            bars("adx", [.window], "average directional index", lookback: { 2 * int($0[0]) - 1 }) { b, c in
                I.directional(high: b.high, low: b.low, close: b.close, int(c[0])).adx
            },
            bars("plus_di", [.window], "plus directional indicator", lookback: { int($0[0]) }) { b, c in
                I.directional(high: b.high, low: b.low, close: b.close, int(c[0])).plusDI
            },
            bars("minus_di", [.window], "minus directional indicator", lookback: { int($0[0]) }) { b, c in
                I.directional(high: b.high, low: b.low, close: b.close, int(c[0])).minusDI
            },
            bars("cci", [.window], "commodity channel index", lookback: { int($0[0]) - 1 }) { b, c in
                I.cci(high: b.high, low: b.low, close: b.close, int(c[0]))
            },
            bars(
                "stoch_k", [.window, .window, .window], "stochastic slow %K (k, slow k, slow d)",
                lookback: { int($0[0]) + int($0[1]) + int($0[2]) - 3 }
            ) { b, c in
                I.stoch(high: b.high, low: b.low, close: b.close, k: int(c[0]), slowK: int(c[1]), slowD: int(c[2])).k
            },
            bars(
                "stoch_d", [.window, .window, .window], "stochastic slow %D (k, slow k, slow d)",
                lookback: { int($0[0]) + int($0[1]) + int($0[2]) - 3 }
            ) { b, c in
                I.stoch(high: b.high, low: b.low, close: b.close, k: int(c[0]), slowK: int(c[1]), slowD: int(c[2])).d
            },
            bars("willr", [.window], "Williams %R", lookback: { int($0[0]) - 1 }) { b, c in
                I.willr(high: b.high, low: b.low, close: b.close, int(c[0]))
            },
            bars("ultosc", [.window, .window, .window], "ultimate oscillator", lookback: { int($0.max()!) }) { b, c in
                I.ultosc(high: b.high, low: b.low, close: b.close, int(c[0]), int(c[1]), int(c[2]))
            },
            bars("mfi", [.window], "money flow index", lookback: { int($0[0]) }) { b, c in
                I.mfi(high: b.high, low: b.low, close: b.close, volume: b.volume, int(c[0]))
            },
            bars("obv", [], "on-balance volume", lookback: { _ in 0 }) { b, _ in I.obv(close: b.close, volume: b.volume)
            },
            bars("ad", [], "Chaikin accumulation/distribution", lookback: { _ in 0 }) { b, _ in
                I.ad(high: b.high, low: b.low, close: b.close, volume: b.volume)
            },
            bars("aroon_up", [.window], "Aroon up", lookback: { int($0[0]) }) { b, c in
                I.aroon(high: b.high, low: b.low, int(c[0])).up
            },
            bars("aroon_down", [.window], "Aroon down", lookback: { int($0[0]) }) { b, c in
                I.aroon(high: b.high, low: b.low, int(c[0])).down
            },
            bars("sar", [.constant, .constant], "parabolic SAR (acceleration, maximum)", lookback: { _ in 1 }) { b, c in
                I.sar(high: b.high, low: b.low, acceleration: c[0], maximum: c[1])
            },
        ]
        f += SignalLibrary.general
        return f
    }()
}
