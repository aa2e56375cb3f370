import HindsightCore
import MarketData

/// Point-in-time universes over a panel: a static list, every ticker, or top-N by trailing dollar volume.
/// A name is a member on a session only if it has a bar that session, so a ticker is never a member before it
/// lists or after it delists. Rule snapshots are rebuilt on the rule's schedule from data up to that session.
public final class BacktestUniverseService: UniverseService {
    public let universeID: String
    public let ruleJSON: String
    let panel: MarketPanel
    let technicals: Technicals
    let profiles: BacktestProfileService
    /// Per asset, whether a universe rule (or `all`) leaves it out: the benchmark, and names whose profile is not a
    /// tradable stock. A static list trades what it names.
    public let excluded: [Bool]
    /// Snapshots: first session index and member asset indices in rank order.
    public let snapshotDays: [Int]
    public let snapshotMembers: [[Int32]]

    public init(
        _ spec: RunConfig.Universe, panel: MarketPanel, technicals: Technicals, profiles: BacktestProfileService,
        sessions: Range<Int>, benchmark: String?
    ) {
        self.panel = panel
        self.technicals = technicals
        self.profiles = profiles
        let excluded = BacktestUniverseService.excluded(panel: panel, profiles: profiles, benchmark: benchmark)
        self.excluded = excluded
        var h = StableHasher()
        var days: [Int] = [], mem: [[Int32]] = []
        switch spec {
        case .tickers(let t):
            ruleJSON = JSONText.object([
                ("kind", JSONText.quote("static")),
                ("tickers", "[" + t.map(JSONText.quote).joined(separator: ",") + "]"),
            ])
            h.combine(ruleJSON)
            universeID = "static-" + h.hex
            if !sessions.isEmpty {
                days = [sessions.lowerBound]
                mem = [t.compactMap { panel.asset(ticker: $0).map(Int32.init) }]
            }
        case .all:
            ruleJSON = JSONText.object([("kind", JSONText.quote("all"))])
            h.combine(ruleJSON)
            universeID = "all-" + h.hex
            if !sessions.isEmpty {
                days = [sessions.lowerBound]
                mem = [(0..<panel.assetCount).filter { !excluded[$0] }.map(Int32.init)]
            }
        case .rule(let rule):
            ruleJSON = rule.json
            h.combine(ruleJSON)
            universeID = "rule-" + h.hex
            for d in sessions
            where rule.rebalance.isScheduled(day: d, start: sessions.lowerBound, calendar: panel.calendar) {
                days.append(d)
                mem.append(
                    BacktestUniverseService.rank(
                        rule, day: d, panel: panel, technicals: technicals, profiles: profiles, excluded: excluded))
            }
        }
        snapshotDays = days
        snapshotMembers = mem
    }

    /// The rule's ranked members on session `day`, from data up to and including it.
    public func members(_ rule: RunConfig.UniverseRule, day d: Int) -> [Int32] {
        BacktestUniverseService.rank(
            rule, day: d, panel: panel, technicals: technicals, profiles: profiles, excluded: excluded)
    }

    /// The assets universe rules leave out (see `excluded`).
    public static func excluded(panel: MarketPanel, profiles: BacktestProfileService?, benchmark: String?) -> [Bool] {
        var out = profiles?.untradable ?? [Bool](repeating: false, count: panel.assetCount)
        if let b = benchmark, let a = panel.asset(ticker: b) { out[a] = true }
        return out
    }

    /// The assets a run's strategy can trade, whether membership changes by rule, and the number of sleeves: the one
    /// place the strategies read a universe's candidates from.
    public static func candidates(_ universe: RunConfig.Universe, panel: MarketPanel, excluded: [Bool]) -> (
        assets: [Int32], ruleBased: Bool, sleeves: Int
    ) {
        let open = excluded.indices.filter { !excluded[$0] }.map(Int32.init)
        switch universe {
        case .tickers(let t):
            let a = t.compactMap { panel.asset(ticker: $0).map(Int32.init) }
            return (a, false, a.count)
        case .all: return (open, false, open.count)
        case .rule(let r): return (open, true, r.size)
        }
    }

    static func rank(
        _ rule: RunConfig.UniverseRule, day d: Int, panel: MarketPanel, technicals: Technicals,
        profiles: BacktestProfileService, excluded: [Bool]
    ) -> [Int32] {
        let allowed: Set<Int>? = rule.sectors.map { names in
            Set(names.compactMap { profiles.sectors.firstIndex(of: $0) })
        }
        var scored: [(Int32, Double)] = []
        for a in 0..<panel.assetCount where !excluded[a] {
            let k = a * panel.dayCount + d
            guard panel.valid[k], panel.close[k] >= rule.minPrice else { continue }
            guard technicals.history(asset: a, day: d) >= rule.minHistory else { continue }
            if let allowed, !allowed.contains(profiles.sectorIndex(asset: a, day: d)) { continue }
            let dv = technicals.averageDollarVolume(asset: a, day: d, window: rule.lookback)
            guard dv.isFinite else { continue }
            scored.append((Int32(a), dv))
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : panel.tickers[Int($0.0)] < panel.tickers[Int($1.0)] }
        return scored.prefix(rule.size).map(\.0)
    }

    public func buildUniverse(_ rule: RunConfig.UniverseRule, asOf: TradingDay) -> UniverseSnapshot {
        guard let d = sessionOnOrBefore(asOf) else {
            return UniverseSnapshot(universeID: universeID, asOf: asOf, ruleJSON: rule.json, members: [])
        }
        let m = members(rule, day: d)
        return UniverseSnapshot(
            universeID: universeID, asOf: asOf, ruleJSON: rule.json,
            members: m.enumerated().map { .init(ticker: panel.tickers[Int($1)], rank: $0 + 1) })
    }

    public func universe(on day: TradingDay) -> UniverseSnapshot? {
        guard let d = sessionOnOrBefore(day), let s = snapshotIndex(day: d) else { return nil }
        return snapshot(s)
    }

    func sessionOnOrBefore(_ day: TradingDay) -> Int? {
        let i = panel.calendar.indexOnOrAfter(day)
        if i < panel.dayCount, panel.calendar.day(at: i) == day { return i }
        return i > 0 ? i - 1 : nil
    }

    /// Index of the snapshot in force on session `day`.
    @inline(__always)
    public func snapshotIndex(day: Int) -> Int? {
        var lo = 0, hi = snapshotDays.count
        while lo < hi {
            let m = (lo + hi) / 2
            if snapshotDays[m] <= day { lo = m + 1 } else { hi = m }
        }
        return lo == 0 ? nil : lo - 1
    }

    /// Members with a bar on session `day`, written into `out` (cleared first; keeps its capacity).
    /// Whether asset `a` is a member on session `d` of `sessions` (every asset before them, so indicators warm
    /// up): the membership cross-sectional expressions rank within.
    public func membership(sessions: Range<Int>) -> @Sendable (Int, Int32) -> Bool {
        let nD = panel.dayCount
        var bits = [Bool](repeating: false, count: panel.assetCount * nD)
        var list: [Int32] = []
        for d in sessions {
            members(onDay: d, into: &list)
            for a in list { bits[Int(a) * nD + d] = true }
        }
        let first = sessions.lowerBound
        let frozen = bits
        return { a, d in Int(d) < first || frozen[a * nD + Int(d)] }
    }

    @inline(__always)
    public func members(onDay day: Int, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        guard let s = snapshotIndex(day: day) else { return }
        for a in snapshotMembers[s] where panel.valid[Int(a) * panel.dayCount + day] { out.append(a) }
    }

    public func snapshot(_ s: Int) -> UniverseSnapshot {
        UniverseSnapshot(
            universeID: universeID, asOf: panel.calendar.day(at: snapshotDays[s]), ruleJSON: ruleJSON,
            members: snapshotMembers[s].enumerated().map { .init(ticker: panel.tickers[Int($1)], rank: $0 + 1) })
    }

    public var snapshots: [UniverseSnapshot] { snapshotDays.indices.map(snapshot) }
}
