/// The `stops:` key of a run config: exits checked on every bar's open, high and low for any strategy's positions.
///
/// Rules (vectorbt 1.2.0's `from_signals` with open/high/low given): a position's stops are set when it opens (or
/// reverses), from the price the entry filled at before slippage, and kept while it is resized; they are checked
/// from the bar after the entry fill; a bar that opens beyond a stop exits at the open, otherwise at the stop price
/// when the low (high, for shorts) reaches it; the trailing reference starts at the entry price and takes each
/// bar's high (low) after that bar's check. A time stop exits at the close of the N-th bar after the entry bar.
public struct StopRules: Sendable, Equatable {
    /// Which exit fills when a stop and the target both lie inside one bar and the open is beyond neither.
    public enum Intrabar: String, Sendable, Equatable {
        /// The stop first (the default: the worse outcome).
        case pessimistic
        /// The target first.
        case optimistic
    }

    public var stopLoss: Double?
    public var takeProfit: Double?
    public var trailingStop: Double?
    /// k × ATR(n) from the entry price, fixed at the entry bar.
    public var atrStop: (n: Int, k: Double)?
    public var timeStop: Int?
    public var intrabar: Intrabar = .pessimistic

    public init() {}

    public static func == (a: StopRules, b: StopRules) -> Bool {
        a.stopLoss == b.stopLoss && a.takeProfit == b.takeProfit && a.trailingStop == b.trailingStop
            && a.atrStop?.n == b.atrStop?.n && a.atrStop?.k == b.atrStop?.k && a.timeStop == b.timeStop
            && a.intrabar == b.intrabar
    }

    /// True when any stop is set.
    public var isActive: Bool {
        stopLoss != nil || takeProfit != nil || trailingStop != nil || atrStop != nil || timeStop != nil
    }

    /// True when a stop other than the time stop is set (those need the bar's open, high and low).
    public var isIntrabar: Bool { stopLoss != nil || takeProfit != nil || trailingStop != nil || atrStop != nil }

    /// Why a position was closed (stored in round trips).
    public enum ExitReason: UInt8, Sendable, CaseIterable {
        case signal = 0
        case stopLoss, takeProfit, trailingStop, atrStop, timeStop, endOfRun, delisting
        public var name: String {
            switch self {
            case .signal: return "signal"
            case .stopLoss: return "stop_loss"
            case .takeProfit: return "take_profit"
            case .trailingStop: return "trailing_stop"
            case .atrStop: return "atr_stop"
            case .timeStop: return "time_stop"
            case .endOfRun: return "end_of_run"
            case .delisting: return "delisting"
            }
        }
    }
}

extension StopRules {
    static let keys = ["stop_loss", "take_profit", "trailing_stop", "atr_stop", "time_stop", "intrabar"]

    /// Reads `stops:`; every fraction must lie in (0, 1), windows and bar counts must be ≥ 1.
    public static func parse(_ node: ConfigNode) throws -> StopRules {
        var s = StopRules()
        if node.isNull { return s }
        let m = try ConfigMap(node, allowed: keys)
        func fraction(_ key: String, _ what: String) throws -> Double? {
            guard let n = m.node(key), !n.isNull else { return nil }
            let v = try ConfigMap.double(n)
            guard v > 0, v < 1 else {
                throw n.error(
                    "stops.\(key) must lie strictly between 0 and 1 (a fraction \(what)), got \(ConfigMap.show(n))",
                    hint: "write 0.05 for 5%; remove the key for none")
            }
            return v
        }
        s.stopLoss = try fraction("stop_loss", "below the entry price")
        s.takeProfit = try fraction("take_profit", "above the entry price")
        s.trailingStop = try fraction("trailing_stop", "below the highest high since entry")
        if let n = m.node("atr_stop"), !n.isNull {
            let am = try ConfigMap(n, allowed: ["n", "k"])
            let window = try am.require("n", "the ATR window, e.g. 14")
            let mult = try am.require("k", "the multiple of ATR, e.g. 3")
            let w = try ConfigMap.int(window), k = try ConfigMap.double(mult)
            if w < 1 { throw window.error("stops.atr_stop.n must be ≥ 1, got \(w)") }
            if !(k > 0) || !k.isFinite {
                throw mult.error("stops.atr_stop.k must be a positive number, got \(ConfigMap.show(mult))")
            }
            s.atrStop = (w, k)
        }
        if let n = m.node("time_stop"), !n.isNull {
            let v = try ConfigMap.int(n)
            if v < 1 {
                throw n.error("stops.time_stop must be ≥ 1 bar, got \(v)", hint: "the exit is at the close of bar N")
            }
            s.timeStop = v
        }
        if let i = try m.choice("intrabar", ["pessimistic", "optimistic"]) { s.intrabar = Intrabar(rawValue: i)! }
        return s
    }
}
