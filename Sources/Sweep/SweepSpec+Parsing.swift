import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import YAMLConfig

extension SweepSpec {
    static let keys = [
        "sweep", "base", "grid", "zip", "random", "constraints", "rank_by", "filters", "trials", "walk_forward",
        "validation", "scenarios", "store", "report",
    ]

    /// Reads a sweep file; `base:` may name a run config file (relative to the sweep file) or be inline.
    public static func load(path: String) throws -> SweepSpec {
        let root = try YAMLDocument.load(path: path)
        return try parse(root, file: path)
    }

    public static func parse(_ root: ConfigNode, file: String) throws -> SweepSpec {
        let m = try ConfigMap(root, allowed: keys)
        guard let name = try m.string("sweep") else {
            throw root.error("missing key `sweep`", hint: "name the sweep, e.g. `sweep: sma-goog-grid`")
        }
        guard name.count <= 100 else {
            throw m.node("sweep")!.error(
                "the sweep name is \(name.count) characters long, more than 100",
                hint: "it names the report folder and the sweep id; shorten it")
        }
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]*$", options: .regularExpression) != nil else {
            throw m.node("sweep")!.error(
                "the sweep name '\(String(name.prefix(60)))' must be letters, digits, '.', '_' or '-'",
                hint: "it names the report folder")
        }
        let baseNode = try m.require(
            "base", "a run config file, e.g. `base: ../configs/sma-goog.yaml`, or the run config inline")
        var base: ConfigNode
        switch baseNode.value {
        case .scalar(let rel, _):
            let dir = (file as NSString).deletingLastPathComponent
            let path = rel.hasPrefix("/") ? rel : (dir.isEmpty ? rel : dir + "/" + rel)
            guard FileManager.default.fileExists(atPath: path) else {
                throw baseNode.error(
                    "the base config \(path) does not exist",
                    hint: "give a path relative to the sweep file, or write the run config inline under `base:`")
            }
            base = try YAMLDocument.load(path: path)
        case .mapping:
            base = baseNode
            base.path = ""
            base = rebase(base)
        default:
            throw baseNode.error("expected a file path or a mapping")
        }
        // The base must be a valid run config on its own (sweep values then override it).
        _ = try RunConfig.parse(base, strategyKinds: StrategyRegistry.kinds)

        var grid: [Axis] = []
        if let g = m.node("grid") {
            guard case .mapping(let entries) = g.value else { throw g.error("expected `dotted.key: values` lines") }
            for e in entries { grid.append(Axis(path: e.key, values: try values(e.value, path: e.key, base: base))) }
        }
        var zip: [Axis] = []
        if let z = m.node("zip") {
            guard case .mapping(let entries) = z.value else { throw z.error("expected `dotted.key: [values]` lines") }
            for e in entries { zip.append(Axis(path: e.key, values: try values(e.value, path: e.key, base: base))) }
            if let n = zip.first?.values.count,
                let bad = entries.first(where: { e in zip.first { $0.path == e.key }!.values.count != n })
            {
                throw bad.value.error(
                    "zip lists must have equal lengths: `\(zip[0].path)` has \(n) values, `\(bad.key)` has \(zip.first { $0.path == bad.key }!.values.count)"
                )
            }
        }
        let random = try m.node("random").map { try parseRandom($0, base: base) }
        var seen = Set<String>()
        for p in grid.map(\.path) + zip.map(\.path) + (random?.params.map(\.path) ?? []) where !seen.insert(p).inserted
        {
            throw root.error(
                "parameter `\(p)` is swept twice", hint: "list each parameter in one of grid, zip or random")
        }
        let all = grid.map(\.path) + zip.map(\.path) + (random?.params.map(\.path) ?? [])
        // One sweep shares one dataset: its points compare strategies on the same data and calendar.
        if let p = all.first(where: { $0 == "data" || $0.hasPrefix("data.") || $0 == "calendar" }) {
            let node =
                [m.node("grid"), m.node("zip"), m.node("random")].compactMap {
                    $0?.child(p) ?? $0?.child("params.\(p)")
                }.first ?? root
            throw node.error(
                "`\(p)` cannot be swept: every point of a sweep shares one dataset and calendar",
                hint: "sweep strategy, execution, universe or dates; run one sweep per dataset")
        }
        var constraints: [ConstraintExpression] = []
        if let c = m.node("constraints") {
            let items: [ConfigNode]
            if case .sequence(let s) = c.value { items = s } else { items = [c] }
            for item in items {
                let e = try ConstraintExpression(try ConfigMap.string(item), node: item)
                for n in e.names where !all.contains(n) {
                    let hint = closestMatch(to: n, in: all).map { "did you mean `\($0)`? " } ?? ""
                    throw item.error(
                        "constraint `\(e.text)` names `\(n)`, which is not a swept parameter",
                        hint: "\(hint)swept: \(all.joined(separator: ", "))")
                }
                constraints.append(e)
            }
        }
        let known = RunMetrics.rankable
        // A benchmark-relative metric needs a benchmark in the base config or among the swept parameters.
        let hasBenchmark = base.child("benchmark").map { !$0.isNull } ?? false || all.contains("benchmark")
        func metricKey(_ key: String, _ node: ConfigNode, _ what: String) throws {
            if !known.contains(key) {
                let hint = closestMatch(to: key, in: known).map { "did you mean `\($0)`? " } ?? ""
                throw node.error(
                    "unknown metric `\(key)` \(what)",
                    hint: "\(hint)write `-metric` to rank lowest first; metrics: \(known.joined(separator: ", "))")
            }
            if RunMetrics.benchmarkKeys.contains(key), !hasBenchmark {
                throw node.error(
                    "`\(key)` \(what) is measured against the benchmark, and the base config has none",
                    hint: "add `benchmark: SPY` (a ticker in the data) to the base config")
            }
        }
        var objectives: [Objective] = []
        if let r = m.node("rank_by") {
            let items: [ConfigNode]
            if case .sequence(let s) = r.value { items = s } else { items = [r] }
            if items.isEmpty { throw r.error("rank_by is an empty list", hint: "name a metric, e.g. sharpe_ratio") }
            for item in items {
                var key = try ConfigMap.string(item)
                let lower = key.hasPrefix("-")
                if lower { key.removeFirst() }
                try metricKey(key, item, "for rank_by")
                if objectives.contains(where: { $0.key == key }) {
                    throw item.error("`\(key)` appears twice in rank_by", hint: "list each metric once")
                }
                objectives.append(Objective(key: key, lowerIsBetter: lower))
            }
        } else {
            objectives = [Objective(key: "sharpe_ratio", lowerIsBetter: false)]
        }
        var filters: [ConstraintExpression] = []
        if let f = m.node("filters") {
            let items: [ConfigNode]
            if case .sequence(let s) = f.value { items = s } else { items = [f] }
            for item in items {
                let e = try ConstraintExpression(try ConfigMap.string(item), node: item)
                for n in e.names { try metricKey(n, item, "in filter `\(e.text)`") }
                filters.append(e)
            }
        }
        let rankBy = objectives[0].key
        if let t = m.node("trials") {
            let v = try ConfigMap.string(t)
            guard v == "ledger" || v == "sweep" else {
                throw t.error(
                    "trials must be `ledger` or `sweep`, not `\(v)`",
                    hint:
                        "`ledger` (the default) counts every sweep's points on this data in the deflated Sharpe ratio; `sweep` counts this sweep's alone"
                )
            }
        }
        var wf: WalkForward?
        if let w = m.node("walk_forward") {
            if SummaryMetric(key: rankBy)?.isPerRun != true {
                throw (m.node("rank_by") ?? w).error(
                    "walk_forward ranks each train window by a returns metric, and `\(rankBy)` is not one",
                    hint: "rank by one of \(SummaryMetric.perRun.map(\.key).joined(separator: ", "))")
            }
            if let p = all.first(where: { $0 == "start" || $0 == "end" || $0 == "data" || $0.hasPrefix("data.") }) {
                throw w.error(
                    "walk_forward needs one date range for every point, and `\(p)` is swept",
                    hint: "remove `\(p)` from the swept parameters or drop walk_forward")
            }
            let wm = try ConfigMap(w, allowed: ["train", "test", "step"])
            func months(_ key: String) throws -> Int {
                let n = try wm.require(key, "a duration such as 3y or 6m")
                let s = try ConfigMap.string(n)
                guard let unit = s.last, let v = Int(s.dropLast()), v > 0, unit == "y" || unit == "m" else {
                    throw n.error("'\(s)' is not a duration", hint: "write years or months, e.g. 3y or 18m")
                }
                return unit == "y" ? v * 12 : v
            }
            wf = WalkForward(
                trainMonths: try months("train"), testMonths: try months("test"),
                stepMonths: try wm.has("step") ? months("step") : months("test"))
        }
        var cv: CrossValidation?
        if let v = m.node("validation") {
            let vm = try ConfigMap(v, allowed: ["kind", "groups", "test_groups", "embargo"])
            let kind = try vm.string("kind") ?? "cpcv"
            guard kind == "cpcv" else {
                throw (vm.node("kind") ?? v).error(
                    "unknown validation kind `\(kind)`",
                    hint: "`kind: cpcv` (combinatorial purged cross-validation); rolling windows are `walk_forward:`")
            }
            if SummaryMetric(key: rankBy)?.isPerRun != true {
                throw (m.node("rank_by") ?? v).error(
                    "cpcv ranks each training set by a returns metric, and `\(rankBy)` is not one",
                    hint: "rank by one of \(SummaryMetric.perRun.map(\.key).joined(separator: ", "))")
            }
            if let p = all.first(where: { $0 == "start" || $0 == "end" }) {
                throw v.error(
                    "cpcv splits one date range for every point, and `\(p)` is swept",
                    hint: "remove `\(p)` from the swept parameters or drop validation")
            }
            let groups = try vm.int("groups") ?? 6, test = try vm.int("test_groups") ?? 2
            let embargo = try vm.int("embargo") ?? 0
            if groups < 3 || groups > 50 {
                throw (vm.node("groups") ?? v).error("groups must be 3 to 50, got \(groups)")
            }
            if test < 1 || test >= groups {
                throw (vm.node("test_groups") ?? v).error(
                    "test_groups must be 1 to \(groups - 1) (fewer than groups), got \(test)")
            }
            if embargo < 0 { throw vm.node("embargo")!.error("embargo must be ≥ 0 sessions, got \(embargo)") }
            let splits = CombinatorialPurgedCV.splitCount(groups: groups, testGroups: test)
            if splits > 5_000 {
                throw v.error(
                    "\(groups) groups with \(test) test groups make \(splits) splits",
                    hint: "use fewer groups (6 groups, 2 test groups make 15 splits)")
            }
            cv = CrossValidation(groups: groups, testGroups: test, embargo: embargo)
        }
        let scenarios = try m.node("scenarios").map { try parseScenarios($0, sweptDates: all) }
        var equity = EquityStore.top(20), tradesTop: Int? = 50, tradesAll = false
        if let s = m.node("store") {
            let sm = try ConfigMap(s, allowed: ["equity", "trades"])
            if let e = sm.node("equity") { equity = try storeChoice(e) }
            if let t = sm.node("trades") {
                switch try storeChoice(t) {
                case .all:
                    tradesAll = true
                    tradesTop = nil
                case .none: tradesTop = nil
                case .top(let n): tradesTop = n
                }
            }
        }
        var top = 20, heatmaps = true
        if let r = m.node("report") {
            let rm = try ConfigMap(r, allowed: ["top", "heatmaps"])
            top = try rm.int("top") ?? 20
            if top < 1 { throw rm.node("top")!.error("top must be ≥ 1") }
            heatmaps = try rm.bool("heatmaps") ?? true
        }
        var canon = root
        canon = canon.setting("base", to: base)
        return SweepSpec(
            name: name, file: file, base: base, grid: grid, zip: zip, random: random, constraints: constraints,
            objectives: objectives, filters: filters, walkForward: wf, crossValidation: cv, scenarios: scenarios,
            storeEquity: equity,
            storeTradesTop: tradesTop,
            storeTradesAll: tradesAll, reportTop: top, heatmaps: heatmaps, canonicalJSON: canon.canonicalJSON)
    }

    /// `all`, `none`, `{top: N}` or a number N (top N).
    static func storeChoice(_ n: ConfigNode) throws -> EquityStore {
        if case .scalar(let s, _) = n.value {
            if s == "all" { return .all }
            if s == "none" { return .none }
            if let v = Int(s), v >= 0 { return v == 0 ? .none : .top(v) }
        }
        if case .mapping = n.value, let v = try ConfigMap(n, allowed: ["top"]).int("top"), v >= 0 {
            return v == 0 ? .none : .top(v)
        }
        throw n.error("expected all, none or {top: N}")
    }

    /// Paths of an inline base are relative to the base itself.
    static func rebase(_ n: ConfigNode, prefix: String = "") -> ConfigNode {
        var out = n
        out.path = prefix
        if case .mapping(let entries) = n.value {
            out.value = .mapping(
                entries.map { e in
                    var e = e
                    e.value = rebase(e.value, prefix: prefix.isEmpty ? e.key : prefix + "." + e.key)
                    return e
                })
        }
        return out
    }

    /// A grid axis: a list, or `{range: [start, end, step]}` (inclusive).
    static func values(_ n: ConfigNode, path: String, base: ConfigNode) throws -> [ConfigNode] {
        try checkPath(path, node: n, base: base)
        switch n.value {
        case .sequence(let items):
            if items.isEmpty { throw n.error("the value list is empty") }
            return items.map {
                var x = $0
                x.path = path
                return x
            }
        case .mapping:
            let rm = try ConfigMap(n, allowed: ["range"])
            guard let r = try rm.doubleList("range"), r.count == 3 || r.count == 2 else {
                throw n.error("expected {range: [start, end, step]}")
            }
            let (a, b, step) = (r[0], r[1], r.count == 3 ? r[2] : 1)
            guard step > 0, b >= a else { throw n.error("a range needs start ≤ end and a positive step") }
            let count = Int(((b - a) / step + 1e-9).rounded(.down)) + 1
            if count > 10_000_000 { throw n.error("this range has \(count) values") }
            let integral = [a, b, step].allSatisfy { $0 == $0.rounded() }
            return (0..<count).map { i in
                let v = a + Double(i) * step
                let text = integral ? String(Int(v)) : JSONText.number((v * 1e12).rounded() / 1e12)
                return ConfigNode.scalar(text, mark: n.mark, path: path)
            }
        case .scalar:
            return [n]
        case .null:
            throw n.error("no values given")
        }
    }

    /// A swept path must exist in the base config, or at least have a parent mapping there.
    static func checkPath(_ path: String, node: ConfigNode, base: ConfigNode) throws {
        if base.child(path) != nil { return }
        let parent = path.split(separator: ".").dropLast().joined(separator: ".")
        let parentNode = parent.isEmpty ? base : base.child(parent)
        // Through a list, an index must name an element the base has.
        var prefix = base
        for part in path.split(separator: ".") {
            if case .sequence(let items) = prefix.value {
                guard let i = Int(part), items.indices.contains(i) else {
                    throw node.error(
                        "`\(path)`: `\(part)` is not an element of the list at `\(prefix.path)` (it has \(items.count))",
                        hint: "index a list from 0: \(prefix.path).0 ... \(prefix.path).\(max(items.count - 1, 0))")
                }
                prefix = items[i]
            } else if let next = prefix.child(String(part)) {
                prefix = next
            } else {
                break
            }
        }
        if let parentNode {
            // A new key is allowed (the base may leave it at its default), unless it looks like a typo of a key the base has.
            let last = String(path.split(separator: ".").last ?? "")
            if case .mapping(let entries) = parentNode.value, let near = closestMatch(to: last, in: entries.map(\.key)),
                editDistance(last, near) <= 2
            {
                let full = parent.isEmpty ? near : parent + "." + near
                throw node.error(
                    "`\(path)` is not in the base config",
                    hint: "did you mean `\(full)`? (to sweep a new key on purpose, add it to the base config first)")
            }
            return
        }
        // A section the base leaves at its defaults (`stops.stop_loss` with no `stops:`): the point's config
        // parser checks the key's name and value.
        if let head = path.split(separator: ".").first, ["stops", "execution", "portfolio", "regime"].contains(head),
            base.child(String(head)) == nil
        {
            return
        }
        throw node.error(
            "`\(path)` is not in the base config",
            hint: "sweep a key the base config has (for example strategy.params.fast), or add it to the base")
    }

    /// Scenario generators by name.
    static let scenarioKinds = [
        "stationary_bootstrap", "circular_block_bootstrap", "regime_bootstrap", "synthetic", "episodes",
    ]

    static func parseScenarios(_ n: ConfigNode, sweptDates: [String]) throws -> Scenarios {
        let m = try ConfigMap(n, allowed: ["top", "paths", "seed", "generators"])
        let top = try m.int("top") ?? 10
        guard top >= 1, top <= 1_000 else { throw (m.node("top") ?? n).error("top must be 1 to 1000, got \(top)") }
        let paths = try m.int("paths") ?? 200
        guard paths >= 10, paths <= 100_000 else {
            throw (m.node("paths") ?? n).error("paths must be 10 to 100000, got \(paths)")
        }
        let seed = try m.int("seed") ?? 0
        guard seed >= 0 else { throw m.node("seed")!.error("seed must be ≥ 0") }
        if let p = sweptDates.first(where: { $0 == "start" || $0 == "end" }) {
            throw n.error(
                "scenarios resample one date range for every point, and `\(p)` is swept",
                hint: "remove `\(p)` from the swept parameters or drop scenarios")
        }
        var generators: [Scenarios.Generator] = []
        let list = try m.require("generators", "a list such as [{kind: stationary_bootstrap, block: auto}]")
        guard case .sequence(let items) = list.value, !items.isEmpty else {
            throw list.error("expected a list of generators", hint: "[{kind: stationary_bootstrap, block: auto}]")
        }
        for item in items {
            let g = try ConfigMap(item, allowed: ["kind", "block", "stress"])
            let kindNode = try g.require("kind", scenarioKinds.joined(separator: ", "))
            let kindText = try ConfigMap.string(kindNode)
            guard scenarioKinds.contains(kindText) else {
                throw kindNode.error(
                    "unknown scenario generator `\(kindText)`",
                    hint: "available: \(scenarioKinds.joined(separator: ", "))")
            }
            if ["episodes", "synthetic"].contains(kindText), let b = g.node("block") {
                throw b.error(
                    kindText == "episodes"
                        ? "episodes replay whole windows; `block` does not apply"
                        : "synthetic paths are simulated day by day; `block` does not apply")
            }
            if !["regime_bootstrap", "synthetic"].contains(kindText), let s = g.node("stress") {
                throw s.error(
                    "`stress` applies to regime_bootstrap and synthetic, not \(kindText)",
                    hint: "use {kind: regime_bootstrap, stress: {crisis: 3}}")
            }
            var block: Double?
            if let b = g.node("block") {
                let text = try ConfigMap.string(b)
                if text != "auto" {
                    guard let v = Double(text), v >= 1, v <= 1_000 else {
                        throw b.error("block must be auto or a length of 1 to 1000 sessions, got `\(text)`")
                    }
                    block = v
                }
            }
            var stress: [String: Double] = [:]
            if let s = g.node("stress") {
                guard case .mapping(let entries) = s.value, !entries.isEmpty else {
                    throw s.error("stress must map regime labels to multipliers", hint: "stress: {crisis: 3}")
                }
                for e in entries {
                    let key = e.key, node = e.value
                    guard let v = Double(try ConfigMap.string(node)), v > 0, v <= 100 else {
                        throw node.error(
                            "stress.\(key) must be a multiplier above 0 and at most 100",
                            hint: "3 makes entering `\(key)` three times as likely")
                    }
                    if stress[key] != nil { throw node.error("stress.\(key) appears twice", hint: "keep one") }
                    stress[key] = v
                }
            }
            let method: Scenarios.Generator.Method =
                switch kindText {
                case "stationary_bootstrap": .block(.stationary)
                case "circular_block_bootstrap": .block(.circular)
                case "regime_bootstrap": .regime(stress: stress)
                case "synthetic": .synthetic(stress: stress)
                default: .episodes
                }
            if method == .episodes, generators.contains(where: { $0.method == .episodes }) {
                throw item.error("`episodes` is listed twice")
            }
            var name = kindText + (block.map { "-b" + JSONText.number($0) } ?? "")
            for (k, v) in stress.sorted(by: { $0.key < $1.key }) { name += "-\(k)x" + JSONText.number(v) }
            if generators.contains(where: { $0.name == name }) { name += "-\(generators.count + 1)" }
            generators.append(
                Scenarios.Generator(method: method, block: block, stressMark: g.node("stress")?.mark, name: name))
        }
        return Scenarios(top: top, paths: paths, seed: UInt64(seed), generators: generators)
    }

    static func parseRandom(_ n: ConfigNode, base: ConfigNode) throws -> RandomSearch {
        let m = try ConfigMap(n, allowed: ["samples", "seed", "params"])
        guard let samples = try m.int("samples"), samples >= 1 else {
            throw n.error("`samples` must be a whole number ≥ 1")
        }
        let seed = try m.int("seed") ?? 0
        let p = try m.require("params", "parameter: {uniform: [a, b]} lines")
        guard case .mapping(let entries) = p.value else {
            throw p.error("expected `dotted.key: {uniform: [a, b]}` lines")
        }
        var params: [(String, Distribution)] = []
        for e in entries {
            try checkPath(e.key, node: e.value, base: base)
            let dm = try ConfigMap(e.value, allowed: ["uniform", "log_uniform", "int", "choice"])
            if let r = try dm.doubleList("uniform"), r.count == 2, r[0] <= r[1] {
                params.append((e.key, .uniform(r[0], r[1])))
            } else if let r = try dm.doubleList("log_uniform"), r.count == 2, r[0] > 0, r[0] <= r[1] {
                params.append((e.key, .logUniform(r[0], r[1])))
            } else if let r = try dm.doubleList("int"), r.count == 2, r[0] <= r[1], r[0] == r[0].rounded(),
                r[1] == r[1].rounded()
            {
                params.append((e.key, .int(Int(r[0]), Int(r[1]))))
            } else if let c = dm.node("choice"), case .sequence(let items) = c.value, !items.isEmpty {
                params.append((e.key, .choice(items)))
            } else {
                throw e.value.error(
                    "expected one of {uniform: [a, b]}, {log_uniform: [a, b]} (a > 0), {int: [a, b]}, {choice: [...]}, with a ≤ b"
                )
            }
        }
        return RandomSearch(samples: samples, seed: UInt64(max(0, seed)), params: params)
    }
}
