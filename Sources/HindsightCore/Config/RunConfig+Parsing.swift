extension RunConfig {
    static let topKeys = [
        "name", "data", "calendar", "start", "end", "initial_cash", "fractional_shares", "universe",
        "strategy", "execution", "portfolio", "regime", "stops", "benchmark", "seed",
    ]

    /// Reads a run config document; checks every key and the values' ranges (data-dependent checks come later).
    /// `strategyKinds` lists the registered strategy plug-ins.
    public static func parse(_ root: ConfigNode, strategyKinds: [String]) throws -> RunConfig {
        let m = try ConfigMap(root, allowed: topKeys)
        let name = try m.string("name") ?? "backtest"
        let data = try parseData(
            m.require(
                "data",
                "db: path/to/hindsight.sqlite, csv: prices.csv, or synthetic: {assets: 200, start: ..., end: ..., seed: 7}"
            ))
        let calendar =
            try m.choice("calendar", ["NYSE", "nyse", "XNYS", "weekdays", "data"]).map {
                $0.lowercased() == "weekdays" ? "weekdays" : ($0 == "data" ? "data" : "NYSE")
            } ?? "NYSE"
        guard let start = try m.day("start") else {
            throw root.error("missing key `start`", hint: "add `start: YYYY-MM-DD`")
        }
        guard let end = try m.day("end") else { throw root.error("missing key `end`", hint: "add `end: YYYY-MM-DD`") }
        if start > end {
            throw m.node("start")!.error("start \(start) is after end \(end)", hint: "swap them, or move `end` later")
        }
        let cash = try m.double("initial_cash") ?? 10_000
        if !(cash > 0) { throw m.node("initial_cash")!.error("initial_cash must be positive, got \(cash)") }
        if !(cash <= 1e15) {
            throw m.node("initial_cash")!.error(
                "initial_cash \(cash) is absurdly large (limit 1e15)",
                hint: "results scale with it; 1000000 works as well")
        }
        let fractional = try m.bool("fractional_shares") ?? false
        let universe = try m.node("universe").map(parseUniverse) ?? .all
        let strategyNode = try m.require("strategy", "kind: one of \(strategyKinds.joined(separator: ", "))")
        guard case .mapping(let entries) = strategyNode.value else {
            throw strategyNode.error("expected a mapping with `kind:`")
        }
        guard let kindEntry = entries.first(where: { $0.key == "kind" }) else {
            throw strategyNode.error("missing key `kind`", hint: "one of: \(strategyKinds.joined(separator: ", "))")
        }
        let kind = try ConfigMap.string(kindEntry.value)
        guard strategyKinds.contains(kind) else {
            let hint = closestMatch(to: kind, in: strategyKinds).map { "did you mean `\($0)`? " } ?? ""
            throw kindEntry.value.error(
                "unknown strategy '\(kind)'",
                hint: "\(hint)registered strategies: \(strategyKinds.joined(separator: ", "))")
        }
        let execution = try m.node("execution").map(parseExecution) ?? Execution()
        let portfolio = try m.node("portfolio").map(parsePortfolio) ?? PortfolioSettings()
        let regime = try m.node("regime").map(parseRegime) ?? RegimeSettings()
        let stops = try m.node("stops").map(StopRules.parse) ?? StopRules()
        let benchmark = try m.string("benchmark")
        let seed = try m.int("seed") ?? 0
        if seed < 0 { throw m.node("seed")!.error("seed must be ≥ 0") }
        return RunConfig(
            name: name, data: data, calendar: calendar, start: start, end: end, initialCash: cash,
            fractionalShares: fractional, universe: universe, strategyKind: kind, strategy: strategyNode,
            execution: execution, portfolio: portfolio, regime: regime, stops: stops, benchmark: benchmark,
            seed: UInt64(seed), source: root)
    }

    /// A path written in a config file, relative to that file's folder (as a sweep's `base:` file is), so a config
    /// means the same data from whatever folder it is run.
    public static func resolve(_ path: String, from node: ConfigNode) -> String {
        guard !path.hasPrefix("/"), !path.hasPrefix("~") else { return path }
        let folder = node.mark.file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(
            separator: "/")
        guard !folder.isEmpty, node.mark.file.contains("/") else { return path }
        return folder + "/" + path
    }

    static func parseData(_ node: ConfigNode) throws -> DataSource {
        let m = try ConfigMap(node, allowed: ["db", "synthetic", "csv", "ticker"])
        if [m.has("db"), m.has("synthetic"), m.has("csv")].filter({ $0 }).count > 1 {
            throw node.error("give one data source: `db`, `synthetic` or `csv`")
        }
        if m.has("ticker") && !m.has("csv") {
            throw m.node("ticker")!.error("`ticker` goes with `csv` (a one-ticker price file)")
        }
        if let db = try m.string("db") { return .database(path: resolve(db, from: m.node("db")!)) }
        if let csv = try m.string("csv") {
            return .csv(path: resolve(csv, from: m.node("csv")!), ticker: try m.string("ticker")?.uppercased())
        }
        guard let s = m.node("synthetic") else {
            throw node.error(
                "no data source",
                hint:
                    "add `db: path/to/hindsight.sqlite`, `csv: path/to/prices.csv` or `synthetic: {assets: 200, start: 2010-01-04, end: 2019-12-31, seed: 7}`"
            )
        }
        let sm = try ConfigMap(s, allowed: ["assets", "start", "end", "seed"])
        let assets = try sm.int("assets") ?? 200
        if assets < 2 || assets > 20_000 { throw s.error("assets must be between 2 and 20000, got \(assets)") }
        let start = try sm.day("start") ?? TradingDay(year: 2012, month: 1, day: 3)!
        let end = try sm.day("end") ?? TradingDay(year: 2021, month: 12, day: 31)!
        if start >= end { throw s.error("synthetic start \(start) must be before end \(end)") }
        let seed = try sm.int("seed") ?? 42
        if seed < 0 { throw sm.node("seed")!.error("seed must be ≥ 0") }
        return .synthetic(assets: assets, start: start, end: end, seed: UInt64(seed))
    }

    static func parseUniverse(_ node: ConfigNode) throws -> Universe {
        let m = try ConfigMap(node, allowed: ["tickers", "rule", "all"])
        if let t = try m.stringList("tickers") {
            if m.has("rule") { throw node.error("give either `tickers` or `rule`, not both") }
            if t.isEmpty {
                throw m.node("tickers")!.error(
                    "the ticker list is empty", hint: "name at least one ticker, or use a rule")
            }
            var seen = Set<String>()
            for x in t where !seen.insert(x).inserted { throw m.node("tickers")!.error("ticker \(x) is listed twice") }
            return .tickers(t)
        }
        if let r = m.node("rule") { return .rule(try parseRule(r)) }
        if try m.bool("all") == true { return .all }
        throw node.error(
            "no universe given",
            hint: "add `tickers: [A, B]`, `rule: {kind: top_dollar_volume, size: 100}` or `all: true`")
    }

    static func parseRule(_ node: ConfigNode) throws -> UniverseRule {
        let m = try ConfigMap(
            node, allowed: ["kind", "size", "lookback", "min_price", "min_history", "sectors", "rebalance"])
        _ = try m.choice("kind", ["top_dollar_volume"])
        guard let size = try m.int("size") else {
            throw node.error("missing key `size`", hint: "how many names, e.g. `size: 100`")
        }
        if size < 1 { throw m.node("size")!.error("size must be ≥ 1, got \(size)") }
        let lookback = try m.int("lookback") ?? 63
        if lookback < 1 { throw m.node("lookback")!.error("lookback must be ≥ 1 session, got \(lookback)") }
        let minPrice = try m.double("min_price") ?? 0
        if minPrice < 0 { throw m.node("min_price")!.error("min_price must be ≥ 0, got \(minPrice)") }
        let minHistory = try m.int("min_history") ?? 0
        if minHistory < 0 { throw m.node("min_history")!.error("min_history must be ≥ 0, got \(minHistory)") }
        let sectors = try m.stringList("sectors")
        if let s = sectors, s.isEmpty {
            throw m.node("sectors")!.error("the sector list is empty", hint: "remove `sectors` to allow every sector")
        }
        let rebalance = try m.node("rebalance").map(parseSchedule) ?? .monthly
        return UniverseRule(
            size: size, lookback: lookback, minPrice: minPrice, minHistory: minHistory, sectors: sectors,
            rebalance: rebalance)
    }

    /// `daily`, `weekly`, `monthly`, or a whole number of sessions.
    public static func parseSchedule(_ node: ConfigNode) throws -> Schedule {
        let s = try ConfigMap.string(node)
        switch s {
        case "daily": return .daily
        case "weekly": return .weekly
        case "monthly": return .monthly
        default:
            if let n = Int(s), n >= 1 { return n == 1 ? .daily : .everySessions(n) }
            throw node.error(
                "unknown schedule '\(s)'", hint: "use daily, weekly, monthly, or a number of sessions such as 5")
        }
    }

    static func parseExecution(_ node: ConfigNode) throws -> Execution {
        let m = try ConfigMap(node, allowed: ["fill", "slippage", "commission", "max_participation", "partial_fills"])
        var e = Execution()
        if let f = m.node("fill"), case .mapping = f.value {
            let fm = try ConfigMap(f, allowed: ["model", "from", "to"])
            guard let model = try fm.choice("model", IntradayFill.Model.allCases.map(\.rawValue)) else {
                throw f.error("missing key `model`", hint: "one of vwap, twap, open, close")
            }
            var fill = IntradayFill(model: IntradayFill.Model(rawValue: model)!)
            if let n = fm.node("from") { fill.from = try clockTime(n) }
            if let n = fm.node("to") { fill.to = try clockTime(n) }
            if fill.from >= fill.to {
                throw (fm.node("to") ?? f).error(
                    "the fill window \(fill.windowText) ends before it starts",
                    hint: "from and to are New York times, e.g. from: \"09:30\", to: \"16:00\"")
            }
            e.intraday = fill
            e.fill = .nextOpen
        } else if let f = try m.choice("fill", ["close", "next_open"]) {
            e.fill = Fill(rawValue: f)!
        }
        if let s = m.node("slippage") {
            let sm = try ConfigMap(s, allowed: ["model", "bps", "fraction", "k"])
            switch try sm.choice("model", ["none", "fixed_bps", "half_spread", "sqrt_impact", "corwin_schultz"])
                ?? "none"
            {
            case "corwin_schultz":
                e.slippage = .corwinSchultz(
                    fraction: sm.node("fraction") == nil ? 0.5 : try nonNegative(sm, "fraction", s))
            case "fixed_bps": e.slippage = .fixedBps(try nonNegative(sm, "bps", s))
            case "half_spread": e.slippage = .halfSpread(fraction: try nonNegative(sm, "fraction", s))
            case "sqrt_impact": e.slippage = .sqrtImpact(k: try nonNegative(sm, "k", s))
            default: e.slippage = .none
            }
        }
        if let c = m.node("commission") {
            let cm = try ConfigMap(c, allowed: ["model", "bps", "per_share", "minimum", "amount"])
            switch try cm.choice("model", ["none", "bps", "per_share", "fixed"]) ?? "none" {
            case "bps":
                let bps = try nonNegative(cm, "bps", c)
                if bps >= 10_000 {
                    throw cm.node("bps")!.error("a commission of \(bps) bps is 100% or more of the trade")
                }
                e.commission = .bps(bps)
            case "per_share":
                e.commission = .perShare(
                    try nonNegative(cm, "per_share", c),
                    minimum: try cm.double("minimum").map { v in
                        if v < 0 {
                            throw cm.node("minimum")!.error(
                                "minimum must be ≥ 0, got \(v)", hint: "costs cannot be negative")
                        }
                        return v
                    } ?? 0)
            case "fixed": e.commission = .fixed(try nonNegative(cm, "amount", c))
            default: e.commission = .none
            }
        }
        if let p = try m.double("max_participation") {
            if !(p > 0 && p <= 1) {
                throw m.node("max_participation")!.error(
                    "max_participation must be in (0, 1], got \(p)",
                    hint: "a fraction of the bar's volume, e.g. 0.1; or null for no limit")
            }
            e.maxParticipation = p
        }
        if let pf = try m.choice("partial_fills", ["carry", "cancel"]) { e.partialFills = PartialFills(rawValue: pf)! }
        return e
    }

    /// `"HH:MM"` (New York time) as seconds after midnight, 00:00 to 24:00.
    static func clockTime(_ n: ConfigNode) throws -> Int {
        let text = try ConfigMap.string(n)
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h),
            (0..<60).contains(m), h * 60 + m <= 24 * 60
        else {
            throw n.error("'\(text)' is not a time of day", hint: "write HH:MM in New York time, e.g. \"09:30\"")
        }
        return h * 3600 + m * 60
    }

    static func nonNegative(_ m: ConfigMap, _ key: String, _ parent: ConfigNode) throws -> Double {
        guard let n = m.node(key) else { throw parent.error("missing key `\(key)`") }
        let v = try ConfigMap.double(n)
        if v < 0 { throw n.error("\(key) must be ≥ 0, got \(v)", hint: "costs cannot be negative") }
        return v
    }

    static func parsePortfolio(_ node: ConfigNode) throws -> PortfolioSettings {
        let m = try ConfigMap(node, allowed: ["borrow_fee_bps", "cash_rate", "dividends"])
        var p = PortfolioSettings()
        if let n = m.node("borrow_fee_bps") {
            p.borrowFeeBps = try ConfigMap.double(n)
            if p.borrowFeeBps < 0 { throw n.error("borrow_fee_bps must be ≥ 0", hint: "costs cannot be negative") }
        }
        if let n = m.node("cash_rate") {
            let s = try ConfigMap.string(n)
            if let v = Double(s) {
                p.cashRate = .annual(v)
            } else if s == "none" {
                p.cashRate = .none
            } else {
                p.cashRate = .factor(s)
            }
        }
        if let d = try m.choice("dividends", ["cash", "reinvest"]) { p.dividends = Dividends(rawValue: d)! }
        return p
    }

    static func parseRegime(_ node: ConfigNode) throws -> RegimeSettings {
        let m = try ConfigMap(node, allowed: ["source", "ticker", "trend_window", "vol_window", "vol_threshold"])
        var r = RegimeSettings()
        if let s = try m.choice("source", ["auto", "data", "builtin"]) { r.source = RegimeSource(rawValue: s)! }
        r.ticker = try m.string("ticker")
        if let w = try m.int("trend_window") {
            if w < 2 { throw m.node("trend_window")!.error("trend_window must be ≥ 2") }
            r.trendWindow = w
        }
        if let w = try m.int("vol_window") {
            if w < 2 { throw m.node("vol_window")!.error("vol_window must be ≥ 2") }
            r.volWindow = w
        }
        if let v = try m.double("vol_threshold") {
            if !(v > 0) { throw m.node("vol_threshold")!.error("vol_threshold must be > 0 (annualised, e.g. 0.2)") }
            r.volThreshold = v
        }
        return r
    }
}
