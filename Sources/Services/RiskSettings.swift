import HindsightCore

/// The `strategy.risk` section.
public struct RiskSettings: Sendable, Equatable {
    public enum Selection: String, Sendable { case rank, signal }
    public enum Weighting: String, Sendable {
        case equal, score
        case inverseVolatility = "inverse_volatility"
    }

    public var longOnly = true
    public var topN: Int?
    public var maxWeight: Double?
    public var maxSectorWeight: Double?
    public var grossLeverage = 1.0
    public var netLeverage: Double?
    public var volTarget: Double?
    public var volLookback = 63
    public var regimeExposure: [String: Double] = [:]
    public var rebalanceBand = 0.0
    public var selection = Selection.rank
    public var weighting = Weighting.equal

    public init() {}

    static let keys = [
        "long_only", "top_n", "max_weight", "max_sector_weight", "gross_leverage", "net_leverage", "vol_target",
        "vol_lookback", "regime_exposure", "rebalance_band", "selection", "weighting",
    ]

    /// Reads and checks the section; inconsistent limits fail here, before the run starts.
    public static func parse(_ node: ConfigNode?) throws -> RiskSettings {
        var r = RiskSettings()
        guard let node else { return r }
        let m = try ConfigMap(node, allowed: keys)
        r.longOnly = try m.bool("long_only") ?? true
        if let n = try m.int("top_n") {
            if n < 1 { throw m.node("top_n")!.error("top_n must be ≥ 1, got \(n)") }
            r.topN = n
        }
        if let g = try m.double("gross_leverage") {
            if !(g > 0) { throw m.node("gross_leverage")!.error("gross_leverage must be > 0, got \(g)") }
            r.grossLeverage = g
        }
        if let n = try m.double("net_leverage") {
            if abs(n) > r.grossLeverage + 1e-12 {
                throw m.node("net_leverage")!.error(
                    "net_leverage \(n) exceeds gross_leverage \(r.grossLeverage) in size",
                    hint: "|net| ≤ gross always holds")
            }
            if r.longOnly, n < 0 {
                throw m.node("net_leverage")!.error(
                    "a long-only book cannot have negative net_leverage", hint: "set long_only: false")
            }
            r.netLeverage = n
        }
        if let w = try m.double("max_weight") {
            if !(w > 0) { throw m.node("max_weight")!.error("max_weight must be > 0, got \(w)") }
            if w > r.grossLeverage + 1e-12 {
                throw m.node("max_weight")!.error(
                    "max_weight \(w) is above gross_leverage \(r.grossLeverage)",
                    hint: "one name can never exceed the whole book; lower max_weight or raise gross_leverage")
            }
            r.maxWeight = w
        }
        if let w = try m.double("max_sector_weight") {
            if !(w > 0) { throw m.node("max_sector_weight")!.error("max_sector_weight must be > 0, got \(w)") }
            if let mw = r.maxWeight, w < mw {
                throw m.node("max_sector_weight")!.error(
                    "max_sector_weight \(w) is below max_weight \(mw)", hint: "a sector holds at least one name")
            }
            r.maxSectorWeight = w
        }
        if let v = try m.double("vol_target") {
            if !(v > 0) { throw m.node("vol_target")!.error("vol_target must be > 0 (annualised, e.g. 0.10)") }
            r.volTarget = v
        }
        if let l = try m.int("vol_lookback") {
            if l < 2 { throw m.node("vol_lookback")!.error("vol_lookback must be ≥ 2 sessions") }
            r.volLookback = l
        }
        if let e = m.node("regime_exposure") {
            guard case .mapping(let entries) = e.value else { throw e.error("expected `label: multiplier` lines") }
            for x in entries {
                let v = try ConfigMap.double(x.value)
                if v < 0 { throw x.value.error("an exposure multiplier must be ≥ 0, got \(v)") }
                // A multiplier scales the book inside its gross_leverage limit; above 1 it would borrow past it.
                if v > 1 {
                    throw x.value.error(
                        "regime_exposure \(x.key): \(v) would take the book above gross_leverage \(r.grossLeverage)",
                        hint:
                            "multipliers are in [0, 1]; to run larger in some regimes, raise gross_leverage and lower the others"
                    )
                }
                r.regimeExposure[x.key] = v
            }
        }
        if let b = try m.double("rebalance_band") {
            if b < 0 || b >= 1 { throw m.node("rebalance_band")!.error("rebalance_band must be in [0, 1), got \(b)") }
            r.rebalanceBand = b
        }
        if let s = try m.choice("selection", ["rank", "signal"]) { r.selection = Selection(rawValue: s)! }
        if let w = try m.choice("weighting", ["equal", "score", "inverse_volatility"]) {
            r.weighting = Weighting(rawValue: w)!
        }
        return r
    }

    /// Total long and short weight before caps: long-only books put all of gross (or net, if lower) long.
    public var sideBudgets: (long: Double, short: Double) {
        if longOnly { return (min(grossLeverage, netLeverage ?? grossLeverage), 0) }
        let net = netLeverage ?? 0
        return ((grossLeverage + net) / 2, (grossLeverage - net) / 2)
    }
}
