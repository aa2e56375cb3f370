/// A sweep constraint such as `strategy.params.fast < strategy.params.slow and strategy.params.slow <= 3 * strategy.params.fast`.
/// The language: numbers, parameter names (dotted), `+ - * /`, parentheses, comparisons (`< <= > >= == !=`),
/// `and`, `or`, `not`. Parsed here by recursive descent; nothing is ever evaluated as code.
public struct ConstraintExpression: Sendable, CustomStringConvertible {
    indirect enum Node: Sendable {
        case number(Double)
        case name(String)
        case unary(String, Node)
        case binary(String, Node, Node)
    }

    let root: Node
    public let text: String
    /// Parameter names the expression reads.
    public let names: [String]
    public var description: String { text }

    enum Token: Equatable {
        case number(Double)
        case name(String)
        case op(String)
        case lparen, rparen
    }

    /// Parses `text`; `node` locates errors.
    public init(_ text: String, node: ConfigNode) throws {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" {
                i += 1
                continue
            }
            if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count,
                    chars[j].isNumber || chars[j] == "." || chars[j] == "e" || chars[j] == "_"
                        || ((chars[j] == "-" || chars[j] == "+") && j > i && chars[j - 1] == "e")
                { j += 1 }
                let s = String(chars[i..<j].filter { $0 != "_" })
                guard let v = Double(s) else { throw node.error("'\(s)' is not a number in constraint `\(text)`") }
                tokens.append(.number(v))
                i = j
                continue
            }
            if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." {
                    j += 1
                }
                let w = String(chars[i..<j])
                tokens.append(["and", "or", "not"].contains(w) ? .op(w) : .name(w))
                i = j
                continue
            }
            if c == "(" {
                tokens.append(.lparen)
                i += 1
                continue
            }
            if c == ")" {
                tokens.append(.rparen)
                i += 1
                continue
            }
            let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
            if ["<=", ">=", "==", "!="].contains(two) {
                tokens.append(.op(two))
                i += 2
                continue
            }
            if "+-*/<>".contains(c) {
                tokens.append(.op(String(c)))
                i += 1
                continue
            }
            throw node.error(
                "unexpected character '\(c)' in constraint `\(text)`",
                hint:
                    "constraints use numbers, parameter names, + - * /, < <= > >= == !=, and, or, not, and parentheses")
        }
        // Parsing and evaluation recurse: bound both so a hostile file gets an error, not a stack overflow.
        if tokens.count > Self.maxTokens {
            throw node.error(
                "constraint has \(tokens.count) tokens, more than \(Self.maxTokens)",
                hint: "split it into several constraints")
        }
        var p = Parser(tokens: tokens, text: text, node: node)
        root = try p.parseOr()
        if p.pos != tokens.count {
            throw node.error("unexpected text after position \(p.pos + 1) in constraint `\(text)`")
        }
        guard Self.isCondition(root) else {
            throw node.error(
                "constraint `\(text)` is not a condition",
                hint: "compare values, e.g. `strategy.params.fast < strategy.params.slow`")
        }
        if Self.dividesByZero(root) {
            throw node.error(
                "constraint `\(text)` divides by zero",
                hint: "a constant divisor of 0 makes the comparison false for every point")
        }
        var names: [String] = []
        func collect(_ n: Node) {
            switch n {
            case .name(let s): if !names.contains(s) { names.append(s) }
            case .unary(_, let a): collect(a)
            case .binary(_, let a, let b):
                collect(a)
                collect(b)
            case .number: break
            }
        }
        collect(root)
        self.names = names
        self.text = text
    }

    static let maxTokens = 1_000
    static let maxDepth = 64

    /// True for a comparison or a logical combination of them (what a constraint must be).
    static func isCondition(_ n: Node) -> Bool {
        switch n {
        case .number, .name: return false
        case .unary(let op, _): return op == "not"
        case .binary(let op, _, _): return !["+", "-", "*", "/"].contains(op)
        }
    }

    static func dividesByZero(_ n: Node) -> Bool {
        switch n {
        case .number, .name: return false
        case .unary(_, let a): return dividesByZero(a)
        case .binary(let op, let a, let b):
            if op == "/", case .number(let d) = b, d == 0 { return true }
            return dividesByZero(a) || dividesByZero(b)
        }
    }

    struct Parser {
        let tokens: [Token]
        let text: String
        let node: ConfigNode
        var pos = 0
        var depth = 0

        mutating func nest() throws {
            depth += 1
            if depth > ConstraintExpression.maxDepth {
                throw node.error(
                    "constraint nests deeper than \(ConstraintExpression.maxDepth) levels",
                    hint: "simplify the expression")
            }
        }

        func error(_ what: String) -> HindsightError { node.error("\(what) in constraint `\(text)`") }
        mutating func take(_ op: String) -> Bool {
            if pos < tokens.count, tokens[pos] == .op(op) {
                pos += 1
                return true
            }
            return false
        }
        mutating func parseOr() throws -> Node {
            var l = try parseAnd()
            while take("or") { l = .binary("or", l, try parseAnd()) }
            return l
        }
        mutating func parseAnd() throws -> Node {
            var l = try parseNot()
            while take("and") { l = .binary("and", l, try parseNot()) }
            return l
        }
        mutating func parseNot() throws -> Node {
            if take("not") {
                try nest()
                defer { depth -= 1 }
                return .unary("not", try parseNot())
            }
            return try parseComparison()
        }
        mutating func parseComparison() throws -> Node {
            let l = try parseSum()
            for op in ["<=", ">=", "==", "!=", "<", ">"] where take(op) { return .binary(op, l, try parseSum()) }
            return l
        }
        mutating func parseSum() throws -> Node {
            var l = try parseProduct()
            while true {
                if take("+") {
                    l = .binary("+", l, try parseProduct())
                } else if take("-") {
                    l = .binary("-", l, try parseProduct())
                } else {
                    return l
                }
            }
        }
        mutating func parseProduct() throws -> Node {
            var l = try parseUnary()
            while true {
                if take("*") {
                    l = .binary("*", l, try parseUnary())
                } else if take("/") {
                    l = .binary("/", l, try parseUnary())
                } else {
                    return l
                }
            }
        }
        mutating func parseUnary() throws -> Node {
            if take("-") {
                try nest()
                defer { depth -= 1 }
                return .unary("-", try parseUnary())
            }
            guard pos < tokens.count else { throw error("the expression ends too early") }
            let t = tokens[pos]
            pos += 1
            switch t {
            case .number(let v): return .number(v)
            case .name(let s): return .name(s)
            case .lparen:
                try nest()
                defer { depth -= 1 }
                let inner = try parseOr()
                guard pos < tokens.count, tokens[pos] == .rparen else { throw error("a '(' is not closed") }
                pos += 1
                return inner
            default: throw error("unexpected '\(t)'")
            }
        }
    }

    /// Re-reads an expression a stored sweep spec kept (it parsed when the sweep was planned).
    public init(stored text: String) throws {
        try self.init(
            text,
            node: .scalar(text, mark: ConfigMark(file: "<stored sweep spec>", line: 0, column: 0), path: "filters"))
    }

    /// Evaluates with parameter values; true means the point is kept.
    public func holds(_ value: (String) -> Double?) -> Bool { Self.eval(root, value) != 0 }

    static func eval(_ n: Node, _ value: (String) -> Double?) -> Double {
        switch n {
        case .number(let v): return v
        case .name(let s): return value(s) ?? .nan
        case .unary(let op, let a):
            let x = eval(a, value)
            return op == "-" ? -x : (x == 0 ? 1 : 0)
        case .binary(let op, let a, let b):
            let x = eval(a, value), y = eval(b, value)
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            case "/": return x / y
            case "<": return x < y ? 1 : 0
            case "<=": return x <= y ? 1 : 0
            case ">": return x > y ? 1 : 0
            case ">=": return x >= y ? 1 : 0
            case "==": return x == y ? 1 : 0
            case "!=": return x != y ? 1 : 0
            case "and": return x != 0 && y != 0 ? 1 : 0
            default: return x != 0 || y != 0 ? 1 : 0
            }
        }
    }
}
