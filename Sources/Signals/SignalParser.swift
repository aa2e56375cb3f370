/// Parses expression text into a `SignalExpression` (precedence, lowest first: `or`, `and`, `not`, comparisons,
/// `+ -`, `* /`, unary minus, calls and atoms). Errors carry the 1-based column inside the text.
public struct SignalParser {
    public struct Failure: Error, Equatable, Sendable {
        public var message: String
        public var column: Int
        public var hint: String?
    }

    enum Token: Equatable {
        case number(Double)
        case name(String)
        case symbol(String)
        case end
    }

    let tokens: [(token: Token, column: Int)]
    var position = 0

    public static func parse(_ text: String) throws(Failure) -> SignalExpression {
        var p = SignalParser(tokens: try tokenize(text))
        let e = try p.orExpression()
        guard case .end = p.current.token else {
            throw Failure(
                message: "unexpected \(p.describe(p.current.token)) after a complete expression",
                column: p.current.column, hint: "join conditions with `and` / `or`")
        }
        return e
    }

    static func tokenize(_ text: String) throws(Failure) -> [(token: Token, column: Int)] {
        let chars = Array(text.unicodeScalars)
        var out: [(Token, Int)] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
                continue
            }
            if c.properties.numericType != nil && c.isASCII
                || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII
                    && chars[i + 1].properties.numericType != nil)
            {
                var j = i
                while j < chars.count, chars[j].isASCII, chars[j].properties.numericType != nil || chars[j] == "." {
                    j += 1
                }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, chars[k].isASCII, chars[k].properties.numericType != nil {
                        j = k
                        while j < chars.count, chars[j].isASCII, chars[j].properties.numericType != nil { j += 1 }
                    }
                }
                let s = String(String.UnicodeScalarView(chars[i..<j]))
                guard let v = Double(s), v.isFinite else {
                    throw Failure(message: "`\(s)` is not a number", column: column, hint: nil)
                }
                out.append((.number(v), column))
                i = j
                continue
            }
            if c == "_" || (c.isASCII && c.properties.isAlphabetic) {
                var j = i
                while j < chars.count,
                    chars[j] == "_"
                        || (chars[j].isASCII
                            && (chars[j].properties.isAlphabetic || chars[j].properties.numericType != nil))
                { j += 1 }
                out.append((.name(String(String.UnicodeScalarView(chars[i..<j]))), column))
                i = j
                continue
            }
            let two = i + 1 < chars.count ? String(String.UnicodeScalarView(chars[i...(i + 1)])) : ""
            if ["<=", ">=", "==", "!="].contains(two) {
                out.append((.symbol(two), column))
                i += 2
                continue
            }
            if "+-*/()<>,".unicodeScalars.contains(c) {
                out.append((.symbol(String(c)), column))
                i += 1
                continue
            }
            let hint: String? =
                c == "&"
                ? "write `and`"
                : c == "|" ? "write `or`" : c == "!" ? "write `not`" : c == "=" ? "compare with `==`" : nil
            throw Failure(message: "unexpected character `\(c)`", column: column, hint: hint)
        }
        out.append((.end, chars.count + 1))
        return out
    }

    var current: (token: Token, column: Int) { tokens[position] }

    func describe(_ t: Token) -> String {
        switch t {
        case .number(let v): "number \(v)"
        case .name(let n): "`\(n)`"
        case .symbol(let s): "`\(s)`"
        case .end: "end of expression"
        }
    }

    mutating func advance() { position += 1 }

    func isName(_ n: String) -> Bool {
        if case .name(let m) = current.token { return m == n }
        return false
    }

    func isSymbol(_ s: String) -> Bool {
        if case .symbol(let m) = current.token { return m == s }
        return false
    }

    mutating func orExpression() throws(Failure) -> SignalExpression {
        var left = try andExpression()
        while isName("or") {
            advance()
            left = .binary("or", left, try andExpression(), column: left.column)
        }
        return left
    }

    mutating func andExpression() throws(Failure) -> SignalExpression {
        var left = try notExpression()
        while isName("and") {
            advance()
            left = .binary("and", left, try notExpression(), column: left.column)
        }
        return left
    }

    mutating func notExpression() throws(Failure) -> SignalExpression {
        if isName("not") {
            let column = current.column
            advance()
            return .unary("not", try notExpression(), column: column)
        }
        return try comparison()
    }

    mutating func comparison() throws(Failure) -> SignalExpression {
        let left = try additive()
        for op in ["<", "<=", ">", ">=", "==", "!="] where isSymbol(op) {
            advance()
            let right = try additive()
            for op2 in ["<", "<=", ">", ">=", "==", "!="] where isSymbol(op2) {
                throw Failure(
                    message: "comparisons do not chain", column: current.column,
                    hint: "write `a < b and b < c`")
            }
            return .binary(op, left, right, column: left.column)
        }
        return left
    }

    mutating func additive() throws(Failure) -> SignalExpression {
        var left = try multiplicative()
        while isSymbol("+") || isSymbol("-") {
            guard case .symbol(let op) = current.token else { break }
            advance()
            left = .binary(op, left, try multiplicative(), column: left.column)
        }
        return left
    }

    mutating func multiplicative() throws(Failure) -> SignalExpression {
        var left = try unary()
        while isSymbol("*") || isSymbol("/") {
            guard case .symbol(let op) = current.token else { break }
            advance()
            left = .binary(op, left, try unary(), column: left.column)
        }
        return left
    }

    mutating func unary() throws(Failure) -> SignalExpression {
        if isSymbol("-") {
            let column = current.column
            advance()
            let operand = try unary()
            if case .number(let v, _) = operand { return .number(-v, column: column) }
            return .unary("-", operand, column: column)
        }
        if isSymbol("+") {
            advance()
            return try unary()
        }
        return try atom()
    }

    mutating func atom() throws(Failure) -> SignalExpression {
        let (token, column) = current
        switch token {
        case .number(let v):
            advance()
            return .number(v, column: column)
        case .name(let n):
            advance()
            if n == "true" || n == "false" { return .boolean(n == "true", column: column) }
            if ["and", "or", "not"].contains(n) {
                throw Failure(message: "`\(n)` needs a condition before it", column: column, hint: nil)
            }
            guard isSymbol("(") else { return .name(n, column: column) }
            advance()
            var args: [SignalExpression] = []
            if !isSymbol(")") {
                while true {
                    args.append(try orExpression())
                    if isSymbol(",") {
                        advance()
                        continue
                    }
                    break
                }
            }
            guard isSymbol(")") else {
                throw Failure(
                    message: "expected `,` or `)` in the arguments of `\(n)`, found \(describe(current.token))",
                    column: current.column, hint: nil)
            }
            advance()
            return .call(n, args, column: column)
        case .symbol("("):
            advance()
            let e = try orExpression()
            guard isSymbol(")") else {
                throw Failure(
                    message: "expected `)`, found \(describe(current.token))", column: current.column,
                    hint: "the `(` at column \(column) is not closed")
            }
            advance()
            return e
        default:
            throw Failure(message: "expected a value, found \(describe(token))", column: column, hint: nil)
        }
    }
}
