import HindsightCore
import Signals

/// A built-in scoring model and its parameters.
public enum AssessmentModel: Sendable, Equatable {
    /// adj[t − skip] / adj[t − lookback] − 1; direction = sign.
    case momentum(lookback: Int, skip: Int)
    /// z = (adj[t] − mean) / sd over `lookback`; score −z; long below −zEntry, short above +zEntry.
    case meanReversion(lookback: Int, zEntry: Double)
    /// adj[t] / SMA(window) − 1; direction = sign.
    case trend(window: Int)
    /// −annualised volatility over `lookback`; always long.
    case lowVolatility(lookback: Int)
    /// A signal expression's value (its `params` bound); direction = sign. The assessment engine computes its grid
    /// once per sweep (per universe and sessions), in the sweep's `SignalCache`.
    case expression(score: String, params: [String: Double])

    public var name: String {
        switch self {
        case .momentum: return "momentum"
        case .meanReversion: return "mean_reversion"
        case .trend: return "trend"
        case .lowVolatility: return "low_volatility"
        case .expression: return "expression"
        }
    }

    /// Sessions of history a score needs.
    public var warmup: Int {
        switch self {
        case .momentum(let l, _): return l + 1
        case .meanReversion(let l, _): return l
        case .trend(let w): return w
        case .lowVolatility(let l): return l + 1
        case .expression: return 0
        }
    }

    @inline(__always)
    func score(_ t: Technicals, asset a: Int, day d: Int) -> (score: Double, direction: Int8) {
        switch self {
        case .momentum(let l, let s):
            guard d >= l else { return (.nan, 0) }
            let v = t.price(asset: a, day: d - s) / t.price(asset: a, day: d - l) - 1
            return (v, v > 0 ? 1 : (v < 0 ? -1 : 0))
        case .meanReversion(let l, let zEntry):
            let m = t.sma(asset: a, day: d, window: l), sd = t.priceDeviation(asset: a, day: d, window: l)
            let z = sd > 0 ? (t.price(asset: a, day: d) - m) / sd : .nan
            return (-z, z < -zEntry ? 1 : (z > zEntry ? -1 : 0))
        case .trend(let w):
            let v = t.price(asset: a, day: d) / t.sma(asset: a, day: d, window: w) - 1
            return (v, v > 0 ? 1 : (v < 0 ? -1 : 0))
        case .lowVolatility(let l):
            let v = -t.volatility(asset: a, day: d, window: l) * 252.0.squareRoot()
            return (v, v.isFinite ? 1 : 0)
        case .expression:
            return (.nan, 0)  // read from the engine's precomputed columns
        }
    }

    public static let names = ["momentum", "mean_reversion", "trend", "low_volatility", "expression", "composite"]

    /// Keys a model mapping may hold (besides a composite's own).
    public static let keys = ["model", "lookback", "skip", "z_entry", "window", "score", "params"]

    /// Reads one model from a mapping with `model:` and its parameters (`extra` keys are allowed and ignored).
    public static func parse(_ node: ConfigNode, extra: [String] = []) throws -> AssessmentModel {
        let probe = try ConfigMap(
            node,
            allowed: keys + ["weight", "components", "regime_weights"] + extra)
        let name = try probe.choice("model", names) ?? "momentum"
        func positive(_ key: String, _ def: Int) throws -> Int {
            let v = try probe.int(key) ?? def
            if v < 1 { throw probe.node(key)!.error("\(key) must be ≥ 1 session, got \(v)") }
            return v
        }
        func only(_ keys: [String]) throws {
            _ = try ConfigMap(node, allowed: ["model"] + keys + extra)
        }
        switch name {
        case "momentum":
            try only(["lookback", "skip"])
            let l = try positive("lookback", 252), s = try probe.int("skip") ?? 21
            if s < 0 || s >= l {
                throw (probe.node("skip") ?? node).error("skip must be ≥ 0 and below lookback (\(l)), got \(s)")
            }
            return .momentum(lookback: l, skip: s)
        case "mean_reversion":
            try only(["lookback", "z_entry"])
            let l = try positive("lookback", 20)
            if l < 2 { throw probe.node("lookback")!.error("lookback must be ≥ 2 for a standard deviation") }
            let z = try probe.double("z_entry") ?? 1
            if z < 0 { throw probe.node("z_entry")!.error("z_entry must be ≥ 0, got \(z)") }
            return .meanReversion(lookback: l, zEntry: z)
        case "trend":
            try only(["window"])
            return .trend(window: try positive("window", 50))
        case "expression":
            try only(["score", "params"])
            var params: [String: Double] = [:]
            if let p = probe.node("params"), !p.isNull {
                guard case .mapping(let entries) = p.value else { throw p.error("`params` must map names to numbers") }
                for e in entries {
                    guard case .scalar(let text, _) = e.value.value, let v = Double(text), v.isFinite else {
                        throw e.value.error("parameter `\(e.key)` must be a number")
                    }
                    params[e.key] = v
                }
            }
            let scoreNode = try probe.require("score", "an expression, e.g. \"cs_zscore(roc(adj_close, 252))\"")
            guard case .scalar(let text, _) = scoreNode.value else {
                throw scoreNode.error("`score` must be an expression")
            }
            do {
                let p = try SignalProgram.compile(text, params: params)
                guard p.type == .number else {
                    throw scoreNode.error("`score` must be a number, not a condition", hint: "e.g. if(\(text), 1, -1)")
                }
            } catch let f as SignalProgram.Failure {
                throw scoreNode.error(f.rendered(text), hint: f.hint)
            }
            return .expression(score: text, params: params)
        case "low_volatility":
            try only(["lookback"])
            let l = try positive("lookback", 63)
            if l < 2 { throw probe.node("lookback")!.error("lookback must be ≥ 2 for a standard deviation") }
            return .lowVolatility(lookback: l)
        default:
            throw node.error(
                "`composite` cannot be nested inside a composite", hint: "list its parts under one `components:`")
        }
    }
}
