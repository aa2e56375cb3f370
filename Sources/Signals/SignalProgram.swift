import HindsightCore

/// An expression bound to one point's parameters: a typed graph whose identical subexpressions share one canonical
/// key (so `sma(close, 10)` is computed once per asset, and once per sweep through a `SignalCache`), evaluated as
/// column kernels over an asset's own bars.
public struct SignalProgram: Sendable {
    public indirect enum Node: Sendable {
        case series(SignalSeries)
        case constant(Double)
        case call(SignalFunction, series: [Node], constants: [Double], key: String)
        case unary(String, Node, key: String)
        case binary(String, Node, Node, key: String)
        /// A value across the run's universe on each day (`cs_rank`, `sector_zscore`, ...).
        case crossSection(CrossSectionSpec, Node, key: String)

        /// The canonical text of the bound node (parameters replaced by their values).
        public var key: String {
            switch self {
            case .series(let s): s.rawValue
            case .constant(let c): NumberText.shortest(c)
            case .call(_, _, _, let k), .unary(_, _, let k), .binary(_, _, _, let k), .crossSection(_, _, let k): k
            }
        }
    }

    /// A compile error: what is wrong, the 1-based column inside the expression, and the fix.
    public struct Failure: Error, Equatable, Sendable {
        public var message: String
        public var column: Int
        public var hint: String?
        public init(message: String, column: Int, hint: String? = nil) {
            self.message = message
            self.column = column
            self.hint = hint
        }

        /// "column 12: message", then the expression with a caret under the column.
        public func rendered(_ text: String) -> String {
            "column \(column): \(message)\n    \(text)\n    " + String(repeating: " ", count: max(0, column - 1)) + "^"
        }
    }

    /// The cross-sectional functions: on each day, over the universe's assets that have a value (or within each
    /// sector), a percentile rank (average rank / count, as pandas' `rank(pct=True)`), a z-score (sample standard
    /// deviation) or the value minus the mean.
    public enum CrossSection: String, Sendable, CaseIterable {
        case rank, zscore, demean
    }

    public struct CrossSectionSpec: Sendable {
        public var kind: CrossSection
        public var bySector: Bool
    }

    public let root: Node
    public let type: SignalType
    /// Whether some part is cross-sectional (then `evaluate(universe:)` must be used).
    public var isCrossSectional: Bool { SignalProgram.hasCrossSection(root) }

    static func hasCrossSection(_ n: Node) -> Bool {
        switch n {
        case .series, .constant: return false
        case .crossSection: return true
        case .call(_, let args, _, _): return args.contains { hasCrossSection($0) }
        case .unary(_, let a, _): return hasCrossSection(a)
        case .binary(_, let a, let b, _): return hasCrossSection(a) || hasCrossSection(b)
        }
    }
    /// Bars an asset needs before the expression can first be known.
    public let lookback: Int
    public var key: String { root.key }

    /// Parses and binds `text`; `params` are the names an expression may use for numbers.
    public static func compile(_ text: String, params: [String: Double]) throws(Failure) -> SignalProgram {
        // A point's expressions are compiled when its config is validated, when its columns are computed and when
        // its strategy is built: the same text and parameters, so the bound program is kept (a bounded memo).
        let key =
            params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.bitPattern)" }.joined(separator: ",")
            + "|" + text
        if let p = compiled.withLock({ $0[key] }) { return p }
        let p = try compileUncached(text, params: params)
        compiled.withLock { memo in
            if memo.count >= 4096 { memo.removeAll(keepingCapacity: true) }
            memo[key] = p
        }
        return p
    }

    private static let compiled = Locked<[String: SignalProgram]>([:])

    /// Forgets compiled programs (a plug-in registering a function may change what a name means).
    static func forgetCompiled() { compiled.withLock { $0.removeAll() } }

    static func compileUncached(_ text: String, params: [String: Double]) throws(Failure) -> SignalProgram {
        let parsed: SignalExpression
        do { parsed = try SignalParser.parse(text) } catch {
            throw Failure(message: error.message, column: error.column, hint: error.hint)
        }
        var c = Compiler(params: params)
        let t = try c.typed(parsed)
        return SignalProgram(root: t.node, type: t.type, lookback: t.lookback)
    }

    /// The expression's value on every bar of each asset of a universe (cross-sectional parts computed across them
    /// on each session). `group(i, session)` is asset i's sector on that session, for the `sector_` functions.
    /// `member(i, session)` says whether asset i is in the universe that session (nil: all are).
    public func evaluate(
        universe bars: [AssetBars], assets: [Int], group: ((Int, Int32) -> Int)? = nil,
        member: ((Int, Int32) -> Bool)? = nil, cache: SignalCache? = nil
    ) -> [[Double]] {
        guard isCrossSectional else {
            return bars.indices.map { evaluate(bars[$0], cache: cache, asset: assets[$0]) }
        }
        var memo: [String: [[Double]]] = [:]
        return values(root, bars, assets, group, member, cache, &memo)
    }

    func values(
        _ node: Node, _ bars: [AssetBars], _ assets: [Int], _ group: ((Int, Int32) -> Int)?,
        _ member: ((Int, Int32) -> Bool)?, _ cache: SignalCache?, _ memo: inout [String: [[Double]]]
    ) -> [[Double]] {
        if !SignalProgram.hasCrossSection(node) {
            return bars.indices.map { i in
                var m: [String: [Double]] = [:]
                return value(node, bars[i], &m, cache, assets[i])
            }
        }
        if let v = memo[node.key] { return v }
        var out: [[Double]]
        switch node {
        case .crossSection(let kind, let inner, _):
            out = SignalProgram.crossSection(
                kind, values(inner, bars, assets, group, member, cache, &memo), bars, group, member)
        case .call(let f, let args, let constants, _):
            let evaluated = args.map { values($0, bars, assets, group, member, cache, &memo) }
            out = bars.indices.map { i in f.kernel(evaluated.map { $0[i] }, constants, bars[i]) }
        case .unary(let op, let a, _):
            out = values(a, bars, assets, group, member, cache, &memo).map { x in
                op == "not" ? x.map { $0 != 0 ? 0 : 1 } : x.map { -$0 }
            }
        case .binary(let op, let a, let b, _):
            let x = values(a, bars, assets, group, member, cache, &memo),
                y = values(b, bars, assets, group, member, cache, &memo)
            out = bars.indices.map { SignalProgram.apply(op, x[$0], y[$0]) }
        default: out = []
        }
        memo[node.key] = out
        return out
    }

    /// Per session, the cross-section of the assets with a finite value (within a group when `group` is used).
    static func crossSection(
        _ spec: CrossSectionSpec, _ x: [[Double]], _ bars: [AssetBars], _ group: ((Int, Int32) -> Int)?,
        _ member: ((Int, Int32) -> Bool)? = nil
    ) -> [[Double]] {
        var out = x.map { [Double](repeating: .nan, count: $0.count) }
        // Walk sessions in order with a cursor per asset (each asset's sessions ascend).
        var cursor = [Int](repeating: 0, count: bars.count)
        var members: [(asset: Int, bar: Int, group: Int, value: Double)] = []
        let all = Set(bars.flatMap(\.sessions)).sorted()
        for d in all {
            members.removeAll(keepingCapacity: true)
            for i in bars.indices {
                let s = bars[i].sessions
                while cursor[i] < s.count, s[cursor[i]] < d { cursor[i] += 1 }
                guard cursor[i] < s.count, s[cursor[i]] == d else { continue }
                let v = x[i][cursor[i]]
                guard v.isFinite, member?(i, d) ?? true else { continue }
                members.append((i, cursor[i], spec.bySector ? (group?(i, d) ?? 0) : 0, v))
            }
            let groups = Dictionary(grouping: members.indices, by: { members[$0].group })
            for (_, idx) in groups {
                let values = idx.map { members[$0].value }
                let n = Double(values.count)
                let mean = values.reduce(0, +) / n
                var result = [Double](repeating: .nan, count: idx.count)
                switch spec.kind {
                case .demean:
                    for (k, v) in values.enumerated() { result[k] = v - mean }
                case .zscore:
                    guard values.count > 1 else { break }
                    let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
                    for (k, v) in values.enumerated() { result[k] = sd > 0 ? (v - mean) / sd : .nan }
                case .rank:
                    // Average rank of ties, over the count.
                    let order = values.indices.sorted { values[$0] < values[$1] }
                    var j = 0
                    while j < order.count {
                        var e = j
                        while e + 1 < order.count, values[order[e + 1]] == values[order[j]] { e += 1 }
                        let avg = Double(j + e) / 2 + 1
                        for q in j...e { result[order[q]] = avg / n }
                        j = e + 1
                    }
                }
                for (k, m) in idx.enumerated() { out[members[m].asset][members[m].bar] = result[k] }
            }
        }
        return out
    }

    /// The expression's value on every bar of one asset (booleans as 1/0; NaN where a number is not yet known).
    public func evaluate(_ bars: AssetBars, cache: SignalCache? = nil, asset: Int = -1) -> [Double] {
        var memo: [String: [Double]] = [:]
        return value(root, bars, &memo, cache, asset)
    }

    func value(_ node: Node, _ bars: AssetBars, _ memo: inout [String: [Double]], _ cache: SignalCache?, _ asset: Int)
        -> [Double]
    {
        switch node {
        case .series(let s): return bars.series(s)
        case .constant(let c): return [Double](repeating: c, count: bars.count)
        default: break
        }
        let key = node.key
        if let v = memo[key] { return v }
        // Only numeric function columns (indicators) go to the sweep cache: they are what points share; a
        // comparison or combination of them is usually one point's own.
        var shared = false
        if case .call(let f, _, _, _) = node, f.result == .number { shared = cache != nil && asset >= 0 }
        if shared, let cache, let v = cache.value(key: key, asset: asset) {
            memo[key] = v
            return v
        }
        let v: [Double]
        switch node {
        case .call(let f, let series, let constants, _):
            v = f.kernel(series.map { value($0, bars, &memo, cache, asset) }, constants, bars)
        case .unary(let op, let a, _):
            let x = value(a, bars, &memo, cache, asset)
            v = op == "not" ? x.map { $0 != 0 ? 0 : 1 } : x.map { -$0 }
        case .binary(let op, let a, let b, _):
            let x = value(a, bars, &memo, cache, asset), y = value(b, bars, &memo, cache, asset)
            v = SignalProgram.apply(op, x, y)
        case .crossSection(let spec, let inner, _):
            // One asset alone is its own cross-section.
            v = SignalProgram.crossSection(spec, [value(inner, bars, &memo, cache, asset)], [bars], nil)[0]
        default: v = []
        }
        memo[key] = v
        if shared, let cache { cache.store(key: key, asset: asset, v) }
        return v
    }

    static func apply(_ op: String, _ x: [Double], _ y: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        switch op {
        case "+": for t in out.indices { out[t] = x[t] + y[t] }
        case "-": for t in out.indices { out[t] = x[t] - y[t] }
        case "*": for t in out.indices { out[t] = x[t] * y[t] }
        case "/": for t in out.indices { out[t] = x[t] / y[t] }
        case "<": for t in out.indices { out[t] = x[t] < y[t] ? 1 : 0 }
        case "<=": for t in out.indices { out[t] = x[t] <= y[t] ? 1 : 0 }
        case ">": for t in out.indices { out[t] = x[t] > y[t] ? 1 : 0 }
        case ">=": for t in out.indices { out[t] = x[t] >= y[t] ? 1 : 0 }
        case "==": for t in out.indices { out[t] = x[t] == y[t] ? 1 : 0 }
        case "!=": for t in out.indices { out[t] = x[t] != y[t] && !x[t].isNaN && !y[t].isNaN ? 1 : 0 }
        case "and": for t in out.indices { out[t] = x[t] != 0 && y[t] != 0 ? 1 : 0 }
        case "or": for t in out.indices { out[t] = x[t] != 0 || y[t] != 0 ? 1 : 0 }
        default: break
        }
        return out
    }
}

/// Types and binds a parsed expression.
struct Compiler {
    let params: [String: Double]

    struct Typed {
        var node: SignalProgram.Node
        var type: SignalType
        var lookback: Int
        /// The value when the node is a constant (a literal, a parameter, or arithmetic on them).
        var constant: Double?
    }

    typealias Failure = SignalProgram.Failure

    func describe(_ t: SignalType) -> String { t == .number ? "a number" : "a condition" }

    mutating func typed(_ e: SignalExpression) throws(Failure) -> Typed {
        switch e {
        case .number(let v, _):
            return Typed(node: .constant(v), type: .number, lookback: 0, constant: v)
        case .boolean(let b, _):
            return Typed(node: .constant(b ? 1 : 0), type: .boolean, lookback: 0, constant: nil)
        case .name(let n, let column):
            if let s = SignalSeries(rawValue: n) { return Typed(node: .series(s), type: .number, lookback: 0) }
            if let v = params[n] { return Typed(node: .constant(v), type: .number, lookback: 0, constant: v) }
            if let f = SignalLibrary.function(named: n) {
                throw Failure(
                    message: "`\(n)` is a function", column: column, hint: "call it: \(f.signature)")
            }
            let known = SignalSeries.allCases.map(\.rawValue) + params.keys.sorted()
            let guess = closestMatch(to: n, in: known + SignalLibrary.names)
            throw Failure(
                message: "unknown name `\(n)`", column: column,
                hint: (guess.map { "did you mean `\($0)`? " } ?? "") + "series: "
                    + SignalSeries.allCases.map(\.rawValue).joined(separator: ", ")
                    + (params.isEmpty
                        ? "; no parameters are defined (add them under `params:`)"
                        : "; parameters: " + params.keys.sorted().joined(separator: ", ")))
        case .unary(let op, let a, let column):
            let x = try typed(a)
            if op == "not" {
                try expect(x, .boolean, column: a.column, context: "`not`")
                return Typed(
                    node: .unary("not", x.node, key: "not(\(x.node.key))"), type: .boolean, lookback: x.lookback)
            }
            try expect(x, .number, column: a.column, context: "unary `-`")
            if let c = x.constant { return Typed(node: .constant(-c), type: .number, lookback: 0, constant: -c) }
            _ = column
            return Typed(node: .unary("-", x.node, key: "neg(\(x.node.key))"), type: .number, lookback: x.lookback)
        case .binary(let op, let a, let b, let column):
            let x = try typed(a), y = try typed(b)
            let logical = op == "and" || op == "or"
            let comparison = ["<", "<=", ">", ">=", "==", "!="].contains(op)
            let operand: SignalType = logical ? .boolean : .number
            try expect(x, operand, column: a.column, context: "`\(op)`")
            try expect(y, operand, column: b.column, context: "`\(op)`")
            _ = column
            if !logical, !comparison, let p = x.constant, let q = y.constant {
                let v = SignalProgram.apply(op, [p], [q])[0]
                return Typed(node: .constant(v), type: .number, lookback: 0, constant: v)
            }
            let key = "(\(x.node.key) \(op) \(y.node.key))"
            return Typed(
                node: .binary(op, x.node, y.node, key: key), type: logical || comparison ? .boolean : .number,
                lookback: max(x.lookback, y.lookback))
        case .call(let name, let args, let column):
            if let spec = Compiler.crossSection(name) {
                guard args.count == 1 else {
                    throw Failure(
                        message: "`\(name)` takes 1 argument, got \(args.count)", column: column,
                        hint: "write \(name)(number)")
                }
                let x = try typed(args[0])
                try expect(x, .number, column: args[0].column, context: "`\(name)`")
                return Typed(
                    node: .crossSection(spec, x.node, key: "\(name)(\(x.node.key))"), type: .number,
                    lookback: x.lookback)
            }
            if SignalSeries(rawValue: name) != nil || params[name] != nil {
                throw Failure(message: "`\(name)` is not a function", column: column, hint: "drop the parentheses")
            }
            guard let f = SignalLibrary.function(named: name) else {
                let guess = closestMatch(to: name, in: SignalLibrary.names)
                throw Failure(
                    message: "unknown function `\(name)`", column: column,
                    hint: guess.map { g in
                        "did you mean `\(g)`?" + (SignalLibrary.function(named: g).map { " (\($0.signature))" } ?? "")
                    } ?? "functions: " + SignalLibrary.names.joined(separator: ", "))
            }
            guard args.count == f.arguments.count else {
                throw Failure(
                    message:
                        "`\(name)` takes \(f.arguments.count) argument\(f.arguments.count == 1 ? "" : "s"), got \(args.count)",
                    column: column, hint: "write \(f.signature)")
            }
            var series: [SignalProgram.Node] = [], constants: [Double] = [], parts: [String] = []
            var lookback = 0
            for (kind, arg) in zip(f.arguments, args) {
                let t = try typed(arg)
                switch kind {
                case .number, .boolean:
                    try expect(t, kind == .number ? .number : .boolean, column: arg.column, context: "`\(name)`")
                    series.append(t.node)
                    parts.append(t.node.key)
                    lookback = max(lookback, t.lookback)
                case .window, .lag, .constant:
                    guard let c = t.constant else {
                        throw Failure(
                            message:
                                "`\(name)` needs a \(kind == .constant ? "constant number" : "whole number") here, not a series",
                            column: arg.column, hint: "use a literal or a parameter, e.g. \(f.signature)")
                    }
                    if kind == .window, !(c >= 1 && c == c.rounded() && c <= 100_000) {
                        throw Failure(
                            message: "window \(NumberText.shortest(c)) must be a whole number ≥ 1", column: arg.column,
                            hint: nil)
                    }
                    if kind == .lag, !(c >= 0 && c == c.rounded() && c <= 100_000) {
                        throw Failure(
                            message: c < 0
                                ? "a negative lag (\(NumberText.shortest(c))) would look ahead"
                                : "lag \(NumberText.shortest(c)) must be a whole number ≥ 0",
                            column: arg.column, hint: c < 0 ? "`shift(x, k)` reads k bars back; k must be ≥ 0" : nil)
                    }
                    constants.append(c)
                    parts.append(NumberText.shortest(c))
                }
            }
            let key = "\(name)(\(parts.joined(separator: ",")))"
            return Typed(
                node: .call(f, series: series, constants: constants, key: key), type: f.result,
                lookback: lookback + f.lookback(constants))
        }
    }

    /// `cs_rank`, `cs_zscore`, `cs_demean` and their `sector_` forms.
    static func crossSection(_ name: String) -> SignalProgram.CrossSectionSpec? {
        for prefix in ["cs_", "sector_"] where name.hasPrefix(prefix) {
            guard let kind = SignalProgram.CrossSection(rawValue: String(name.dropFirst(prefix.count))) else {
                return nil
            }
            return .init(kind: kind, bySector: prefix == "sector_")
        }
        return nil
    }

    static let crossSectionNames = ["cs_", "sector_"].flatMap { p in
        SignalProgram.CrossSection.allCases.map { p + $0.rawValue }
    }

    func expect(_ t: Typed, _ want: SignalType, column: Int, context: String) throws(Failure) {
        guard t.type != want else { return }
        throw Failure(
            message: "\(context) needs \(describe(want)), got \(describe(t.type))", column: column,
            hint: want == .boolean
                ? "compare it, e.g. `x > 0`" : "use `if(condition, a, b)` to turn a condition into a number")
    }
}
