import HindsightCore
import MarketData
import Services
import Signals

/// Entries and exits written as expressions (`kind: signals`). An entry is taken when its expression is true on a
/// bar and the asset is flat, an exit when its expression is true and the asset is held; when both are true on the
/// same bar neither is taken (vectorbt's default). Expressions run over each ticker's own bars, warmed up on the
/// history before `start`, and see bars ≤ t only. With `sleeves: equal` every ticker trades its own equal share of
/// the initial cash (vectorbt columns without cash sharing); with `shared` one pool, entries in ticker order.
public struct SignalsStrategy: Strategy, StrategyPlugin {
    public static let kind = "signals"
    public static let keys = ["params", "entry", "exit", "short_entry", "short_exit", "size", "sleeves", "order"]

    /// How an entry is placed: at the fill price of `execution.fill` (market), or as a limit, stop or stop-limit
    /// order priced by an expression at the signal's close and living `validFor` sessions from the next one.
    struct EntryOrder {
        var kind: Order.Trigger.Kind?
        var price: SignalProgram?
        var limit: SignalProgram?
        var validFor = 1
    }

    enum Size: Equatable {
        case allIn
        case percentEquity(Double)
        /// A fixed amount of cash per entry.
        case cash(Double)
        /// A weight per bar from an expression (inverse volatility, risk-based), capped at the sleeve's share.
        case column
    }

    struct Spec {
        var params: [String: Double]
        var entry: SignalProgram
        var exit: SignalProgram
        var shortEntry: SignalProgram?
        var shortExit: SignalProgram?
        /// The entry weight per bar, for the sizes that need one.
        var weight: SignalProgram?
        var size: Size
        var equalSleeves: Bool
        var order = EntryOrder()
    }

    /// Parses and compiles the strategy's keys; every error names the file, line and column, and for an expression
    /// the column inside it.
    static func spec(_ strategy: ConfigNode) throws -> Spec {
        let m = try ConfigMap(strategy, allowed: ["kind"] + keys)
        var params: [String: Double] = [:]
        if let p = m.node("params"), !p.isNull {
            guard case .mapping(let entries) = p.value else {
                throw p.error("`params` must be a mapping of names to numbers", hint: "e.g. {fast: 10, slow: 30}")
            }
            let reserved = Set(SignalSeries.allCases.map(\.rawValue) + ["and", "or", "not", "true", "false"])
            for e in entries {
                guard case .scalar(let text, _) = e.value.value, let v = Double(text), v.isFinite else {
                    throw e.value.error("parameter `\(e.key)` must be a number")
                }
                if reserved.contains(e.key) || SignalLibrary.function(named: e.key) != nil {
                    throw e.value.error(
                        "parameter name `\(e.key)` is taken by a series or function",
                        hint: "rename it, e.g. `\(e.key)_n`")
                }
                params[e.key] = v
            }
        }
        if m.has("short_entry") != m.has("short_exit") {
            let k = m.has("short_entry") ? "short_exit" : "short_entry"
            throw (m.node("short_entry") ?? m.node("short_exit")!).error(
                "short signals need both `short_entry` and `short_exit`", hint: "add `\(k)`")
        }
        func program(_ key: String) throws -> SignalProgram {
            let node = try m.require(key, "an expression, e.g. \"rsi(close, 14) < 30\"")
            guard case .scalar(let text, _) = node.value else {
                throw node.error("`\(key)` must be an expression in quotes")
            }
            do {
                let p = try SignalProgram.compile(text, params: params)
                guard p.type == .boolean else {
                    throw node.error(
                        "`\(key)` must be a condition, not a number", hint: "compare it, e.g. \"\(text) > 0\"")
                }
                return p
            } catch let f as SignalProgram.Failure {
                throw node.error(f.rendered(text), hint: f.hint)
            }
        }
        let entry = try program("entry"), exit = try program("exit")
        let shortEntry = m.has("short_entry") ? try program("short_entry") : nil
        let shortExit = m.has("short_exit") ? try program("short_exit") : nil
        var size = Size.allIn
        var weight: SignalProgram?
        if let s = m.node("size"), !s.isNull {
            let sm = try ConfigMap(s, allowed: ["kind", "value", "lookback", "target", "fraction", "stop"])
            let kind =
                try sm.choice("kind", ["all_in", "percent_equity", "cash", "inverse_volatility", "risk"]) ?? "all_in"
            let allowed: [String: [String]] = [
                "all_in": [], "percent_equity": ["value"], "cash": ["value"],
                "inverse_volatility": ["lookback", "target"], "risk": ["fraction", "stop"],
            ]
            for k in ["value", "lookback", "target", "fraction", "stop"] where sm.has(k) && !allowed[kind]!.contains(k)
            {
                throw sm.node(k)!.error(
                    "\(kind) takes no `\(k)`",
                    hint: allowed[kind]!.isEmpty
                        ? nil : "it takes " + allowed[kind]!.map { "`\($0)`" }.joined(separator: ", "))
            }
            func positive(_ key: String, _ example: String, max: Double = .infinity) throws -> Double {
                guard let v = try sm.double(key), v > 0, v <= max else {
                    throw (sm.node(key) ?? s).error(
                        "\(kind) needs `\(key)` > 0\(max.isFinite ? " and ≤ \(NumberText.shortest(max))" : "")",
                        hint: "e.g. {kind: \(kind), \(example)}")
                }
                return v
            }
            func compileWeight(_ text: String, _ node: ConfigNode) throws -> SignalProgram {
                do { return try SignalProgram.compile(text, params: params) } catch {
                    throw node.error(error.rendered(text), hint: error.hint)
                }
            }
            switch kind {
            case "percent_equity": size = .percentEquity(try positive("value", "value: 0.5", max: 1))
            case "cash": size = .cash(try positive("value", "value: 10000"))
            case "inverse_volatility":
                guard let lookback = try sm.int("lookback"), lookback >= 2 else {
                    throw (sm.node("lookback") ?? s).error(
                        "inverse_volatility needs `lookback` ≥ 2 bars",
                        hint: "e.g. {kind: inverse_volatility, lookback: 63, target: 0.15}")
                }
                let target = try positive("target", "lookback: 63, target: 0.15")
                size = .column
                weight = try compileWeight(
                    "\(NumberText.shortest(target)) / (rolling_std(returns, \(lookback)) * sqrt(252))", s)
            case "risk":
                let fraction = try positive("fraction", "fraction: 0.01, stop: \"2 * atr(14)\"", max: 1)
                let stopNode = try sm.require("stop", "an expression in price units, e.g. \"2 * atr(14)\"")
                guard case .scalar(let text, _) = stopNode.value else {
                    throw stopNode.error("`stop` must be an expression")
                }
                let stop = try compileWeight(text, stopNode)
                guard stop.type == .number else { throw stopNode.error("`stop` must be a number (a price distance)") }
                size = .column
                weight = try compileWeight("\(NumberText.shortest(fraction)) * close / (\(text))", stopNode)
            default: break
            }
        }
        let sleeves = try m.choice("sleeves", ["equal", "shared"]) ?? "equal"
        var spec = Spec(
            params: params, entry: entry, exit: exit, shortEntry: shortEntry, shortExit: shortExit, weight: weight,
            size: size, equalSleeves: sleeves == "equal")
        if let o = m.node("order"), !o.isNull { spec.order = try entryOrder(o, params: params) }
        return spec
    }

    static func entryOrder(_ node: ConfigNode, params: [String: Double]) throws -> EntryOrder {
        let om = try ConfigMap(node, allowed: ["type", "price", "limit", "valid_for"])
        let type = try om.choice("type", ["market", "limit", "stop", "stop_limit"]) ?? "market"
        var order = EntryOrder()
        if type == "market" {
            for k in ["price", "limit", "valid_for"] where om.has(k) {
                throw om.node(k)!.error(
                    "a market entry takes no `\(k)`", hint: "use type: limit, stop or stop_limit for a priced entry")
            }
            return order
        }
        order.kind = Order.Trigger.Kind(rawValue: type)!
        func price(_ key: String, _ example: String) throws -> SignalProgram {
            let n = try om.require(key, "an expression in price units, e.g. \"\(example)\"")
            guard case .scalar(let text, _) = n.value else { throw n.error("`order.\(key)` must be an expression") }
            let p: SignalProgram
            do { p = try SignalProgram.compile(text, params: params) } catch {
                throw n.error(error.rendered(text), hint: error.hint)
            }
            guard p.type == .number else {
                throw n.error(
                    "`order.\(key)` must be a price (a number), not a condition", hint: "e.g. \"\(example)\"")
            }
            return p
        }
        order.price = try price("price", type == "limit" ? "close * 0.98" : "highest(high, 20)")
        if type == "stop_limit" {
            order.limit = try price("limit", "highest(high, 20) * 1.01")
        } else if let l = om.node("limit") {
            throw l.error("a \(type) order takes no `limit`", hint: "use type: stop_limit for a stop with a limit")
        }
        if let v = om.node("valid_for") {
            let n = try ConfigMap.int(v)
            guard n >= 1 else {
                throw v.error(
                    "`order.valid_for` must be ≥ 1 session, got \(n)", hint: "1 lives for the next session only")
            }
            order.validFor = n
        }
        return order
    }

    /// Whether entries are market orders (the one-ticker kernel fills nothing else).
    public static func hasMarketEntries(_ strategy: ConfigNode) -> Bool {
        guard let o = strategy.child("order"), !o.isNull else { return true }
        guard let t = o.child("type"), case .scalar(let text, _) = t.value else { return true }
        return text == "market"
    }

    public static func validate(_ strategy: ConfigNode) throws { _ = try spec(strategy) }

    /// Refuses expressions that need more bars before their first value than the longest ticker history
    /// (`longest` bars): run time, and `sweep plan` with the database's bar counts.
    public static func checkHistory(_ strategy: ConfigNode, longest: Int) throws {
        let s = try spec(strategy)
        let programs =
            [("entry", s.entry), ("exit", s.exit)]
            + [("short_entry", s.shortEntry), ("short_exit", s.shortExit)].compactMap { k, p in p.map { (k, $0) } }
        for (key, p) in programs where p.lookback >= longest {
            let node = strategy.child(key) ?? strategy
            throw node.error(
                "`\(key)` needs \(p.lookback + 1) bars before its first value, but no ticker has more than \(longest)",
                hint: "shorten the windows, or use more history (indicators warm up on the bars before `start`)")
        }
    }

    /// Whether a (valid) strategy sizes entries all-in, the rule the one-ticker kernel runs.
    public static func isAllIn(_ strategy: ConfigNode) -> Bool {
        if let s = strategy.child("short_entry"), !s.isNull { return false }
        guard let s = strategy.child("size"), !s.isNull else { return true }
        guard let k = s.child("kind"), case .scalar(let text, _) = k.value else { return true }
        return text == "all_in"
    }

    let columns: SignalColumns
    let universe: BacktestUniverseService
    let ruleBased: Bool
    let size: Size
    let order: EntryOrder
    let weight: Double
    /// The sleeve's share of equity a column weight is capped at (and scaled by, in equal sleeves).
    let share: Double
    var members: [Int32] = []
    var isMember: [Int32]
    /// The run's first session and its count: `cells` and `barOf` hold one row per run session.
    let first: Int, span: Int
    /// Per run session and universe asset, day-major (`i · assets + j`): 1 when the asset has a bar, then 2 entry,
    /// 4 exit, 8 short entry, 16 short exit. Read from the columns' per-asset lists behind a cursor, each session's
    /// step missed the cache on every asset (a third of this strategy's time on 20 stocks); one row a session is
    /// one or two cache lines.
    let cells: [UInt8]
    /// The bar's position in the asset's columns, for the columns read only on an entry (weight, order price and
    /// limit); empty when there are none.
    let barOf: [Int32]

    static let hasBar: UInt8 = 1, entersLong: UInt8 = 2, exitsLong: UInt8 = 4, entersShort: UInt8 = 8,
        exitsShort: UInt8 = 16

    /// `cells` and `barOf` for the sessions `run` of `columns`.
    static func cells(_ columns: SignalColumns, run: Range<Int>) -> (cells: [UInt8], barOf: [Int32]) {
        let n = columns.assets.count
        var cells = [UInt8](repeating: 0, count: n * run.count)
        let indexed = columns.weight != nil || columns.orderPrice != nil || columns.orderLimit != nil
        var barOf = [Int32](repeating: 0, count: indexed ? n * run.count : 0)
        let lo = Int32(run.lowerBound), hi = Int32(run.upperBound)
        cells.withUnsafeMutableBufferPointer { out in
            for j in 0..<n {
                let sessions = columns.sessions[j], entry = columns.entry[j], exit = columns.exit[j]
                let shortEntry = columns.shortEntry?[j], shortExit = columns.shortExit?[j]
                // The asset's first bar in the run (its sessions ascend).
                var c = 0, top = sessions.count
                while c < top {
                    let m = (c + top) / 2
                    if sessions[m] < lo { c = m + 1 } else { top = m }
                }
                while c < sessions.count, sessions[c] < hi {
                    let k = Int(sessions[c] - lo) * n + j
                    var f = hasBar | (entry[c] != 0 ? entersLong : 0) | (exit[c] != 0 ? exitsLong : 0)
                    if let shortEntry, shortEntry[c] == 1 { f |= entersShort }
                    if let shortExit, shortExit[c] == 1 { f |= exitsShort }
                    out[k] = f
                    if indexed { barOf[k] = Int32(c) }
                    c += 1
                }
            }
        }
        return (cells, barOf)
    }

    /// The run's entry and exit columns for each asset it can trade. `RunPipeline` calls this before the engine
    /// (and times it; the engine reads no clock); the columns' indicator nodes come from and go to `cache`.
    public static func columns(
        _ config: RunConfig, panel: MarketPanel, profiles: BacktestProfileService?, universe: BacktestUniverseService?,
        sessions: Range<Int>, cache: SignalCache?
    ) throws -> SignalColumns {
        let s = try spec(config.strategy)
        let excluded =
            universe?.excluded
            ?? BacktestUniverseService.excluded(panel: panel, profiles: profiles, benchmark: config.benchmark)
        let (assets, ruleBased, _) = BacktestUniverseService.candidates(
            config.universe, panel: panel, excluded: excluded)
        var out = SignalColumns(assets: assets)
        let bars = assets.map { a in
            cache?.bars(asset: Int(a)) { AssetBars(panel: panel, asset: Int(a)) }
                ?? AssetBars(panel: panel, asset: Int(a))
        }
        let longest = bars.map(\.count).max() ?? 0
        // Cross-sectional parts run across the assets the run can trade, within sectors as of each session.
        let group: ((Int, Int32) -> Int)? = profiles.map { p in
            { i, d in p.sectorIndex(asset: Int(assets[i]), day: Int(d)) }
        }
        let ids = assets.map(Int.init)
        // A rule universe's cross-section on a run session is that session's members (before `start`, every
        // ticker, so indicators warm up).
        var member: ((Int, Int32) -> Bool)?
        if ruleBased, let universe {
            let isMember = universe.membership(sessions: sessions)
            member = { i, d in isMember(Int(assets[i]), d) }
        }
        let entry = s.entry.evaluate(universe: bars, assets: ids, group: group, member: member, cache: cache)
        let exit = s.exit.evaluate(universe: bars, assets: ids, group: group, member: member, cache: cache)
        if let w = s.weight {
            out.weight = w.evaluate(universe: bars, assets: ids, group: group, member: member, cache: cache)
        }
        if let p = s.order.price {
            out.orderPrice = p.evaluate(universe: bars, assets: ids, group: group, member: member, cache: cache)
        }
        if let l = s.order.limit {
            out.orderLimit = l.evaluate(universe: bars, assets: ids, group: group, member: member, cache: cache)
        }
        if let se = s.shortEntry, let sx = s.shortExit {
            let e = se.evaluate(universe: bars, assets: ids, group: group, member: member, cache: cache)
            let x = sx.evaluate(universe: bars, assets: ids, group: group, member: member, cache: cache)
            out.shortEntry = e.map { $0.map { $0 != 0 ? 1 : 0 } }
            out.shortExit = x.map { $0.map { $0 != 0 ? 1 : 0 } }
        }
        for i in assets.indices {
            out.sessions.append(bars[i].sessions)
            out.entry.append(entry[i].map { $0 != 0 ? 1 : 0 })
            out.exit.append(exit[i].map { $0 != 0 ? 1 : 0 })
        }
        try checkHistory(config.strategy, longest: longest)
        return out
    }

    public static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        let s = try spec(env.config.strategy)
        let panel = env.panel
        let (assets, ruleBased, sleeves) = BacktestUniverseService.candidates(
            env.config.universe, panel: panel, excluded: env.universe.excluded)
        let columns: SignalColumns
        if let given = env.signals, given.assets == assets {
            columns = given
        } else {
            columns = try SignalsStrategy.columns(
                env.config, panel: panel, profiles: env.profiles, universe: env.universe, sessions: env.sessions,
                cache: env.signalCache)
        }
        let cells = SignalsStrategy.cells(columns, run: env.sessions)
        let strategy = SignalsStrategy(
            columns: columns, universe: env.universe, ruleBased: ruleBased, size: s.size, order: s.order,
            weight: {
                if case .percentEquity(let v) = s.size { return s.equalSleeves ? v / Double(max(1, sleeves)) : v }
                return 1
            }(), share: s.equalSleeves ? 1 / Double(max(1, sleeves)) : 1,
            isMember: [Int32](repeating: -1, count: panel.assetCount),
            first: env.sessions.lowerBound, span: env.sessions.count,
            cells: cells.cells, barOf: cells.barOf)
        let sleeve = s.equalSleeves && sleeves > 1 ? env.config.initialCash / Double(sleeves) : nil
        // Covering a short that moved against the book can need more cash than the book holds.
        return StrategySetup(
            strategy: strategy, modelNames: ["signals"], sleeveCapital: sleeve, allowMargin: s.shortEntry != nil)
    }

    public mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {
        let d = view.day
        if ruleBased {
            universe.members(onDay: d, into: &members)
            for a in members { isMember[Int(a)] = Int32(d) }
        }
        let i = d - first, n = columns.assets.count
        guard i >= 0, i < span else { return }
        for j in 0..<n {
            let f = cells[i * n + j]
            guard f & Self.hasBar != 0 else { continue }
            let a32 = columns.assets[j], a = Int(a32)
            let c = barOf.isEmpty ? 0 : Int(barOf[i * n + j])
            let enter = f & Self.entersLong != 0, leave = f & Self.exitsLong != 0
            let enterShort = f & Self.entersShort != 0, leaveShort = f & Self.exitsShort != 0
            let held = view.portfolio.shares[a]
            var kind: Order.Kind?
            var direction: Int8 = 0
            if held == 0, !ruleBased || isMember[a] == Int32(d) {
                // From flat, a long or a short entry whose own exit is quiet and whose opposite entry is too.
                let long = enter && !leave && !enterShort, short = enterShort && !leaveShort && !enter
                if long || short {
                    let w: Double?
                    switch size {
                    case .allIn: w = long ? nil : share
                    case .percentEquity: w = weight
                    case .cash(let v): w = view.equity > 0 ? min(v / view.equity, 1) : nil
                    case .column:
                        // The bar's weight (e.g. target volatility / realised volatility), capped at a full sleeve.
                        let x = columns.weight?[j][c] ?? .nan
                        w = x.isFinite && x > 0 ? min(x, 1) * share : nil
                    }
                    if long {
                        kind = size == .allIn ? .allIn : w.map { .targetWeight($0) }
                        direction = 1
                    } else if let w {
                        kind = .targetWeight(-w)
                        direction = -1
                    }
                }
            } else if held > 0, leave, !enter {
                kind = .closeOut
            } else if held < 0, leaveShort, !enterShort {
                kind = .closeOut
            }
            guard let kind else { continue }
            var trigger: Order.Trigger?
            if direction != 0, let t = order.kind {
                // A priced entry: its level at this close, or no order while the price has no value.
                let level = columns.orderPrice?[j][c] ?? .nan
                let limit = columns.orderLimit?[j][c] ?? .nan
                guard level.isFinite, level > 0, t != .stopLimit || (limit.isFinite && limit > 0) else { continue }
                trigger = Order.Trigger(kind: t, level: level, limit: limit, lastDay: Int32(d + order.validFor))
            }
            out.decisions.append(
                DecisionRecord(
                    day: Int32(d), asset: a32, direction: direction, score: Double(direction), confidence: 1,
                    targetWeight: Double(direction) * weight, regime: Int32(view.regime), profileVersion: -1))
            out.orders.append(
                Order(
                    asset: a32, kind: kind, decision: Int32(out.decisions.count - 1), decisionDay: Int32(d),
                    decisionEquity: view.equity, trigger: trigger))
        }
    }
}
