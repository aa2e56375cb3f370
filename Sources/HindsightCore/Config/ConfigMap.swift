/// Typed, location-aware reads from one config mapping. Unknown keys are errors with a "did you mean" hint.
public struct ConfigMap: Sendable {
    public let node: ConfigNode
    private let entries: [ConfigNode.Entry]

    /// Reads `node` as a mapping whose keys must all be in `allowed`.
    public init(_ node: ConfigNode, allowed: [String]) throws {
        guard case .mapping(let entries) = node.value else {
            throw node.error("expected a mapping (key: value lines), got \(node.kindName)")
        }
        var seen = Set<String>()
        for e in entries {
            if !seen.insert(e.key).inserted {
                throw HindsightError(
                    .invalidArgument, "\(e.keyMark): key `\(ConfigMap.join(node.path, e.key))` appears twice",
                    cause: "keep one of them")
            }
            if !allowed.contains(e.key) {
                let hint = closestMatch(to: e.key, in: allowed).map { "did you mean `\($0)`? " } ?? ""
                throw HindsightError(
                    .invalidArgument, "\(e.keyMark): unknown key `\(ConfigMap.join(node.path, e.key))`",
                    cause: "\(hint)allowed keys here: \(allowed.joined(separator: ", "))")
            }
        }
        self.node = node
        self.entries = entries
    }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : a + "." + b }

    public func has(_ key: String) -> Bool { entries.contains { $0.key == key && !$0.value.isNull } }

    /// The raw child node, or nil when absent or null.
    public func node(_ key: String) -> ConfigNode? {
        guard let e = entries.first(where: { $0.key == key }), !e.value.isNull else { return nil }
        return e.value
    }

    public func require(_ key: String, _ what: String) throws -> ConfigNode {
        guard let n = node(key) else {
            throw node.error("missing key `\(key)`", hint: "add `\(key):` (\(what))")
        }
        return n
    }

    public func string(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        return try ConfigMap.string(n)
    }

    public func double(_ key: String) throws -> Double? {
        guard let n = node(key) else { return nil }
        return try ConfigMap.double(n)
    }

    public func int(_ key: String) throws -> Int? {
        guard let n = node(key) else { return nil }
        return try ConfigMap.int(n)
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s, _) = n.value, let b = ConfigNode.bool(s) else {
            throw n.error("expected true or false, got \(ConfigMap.show(n))")
        }
        return b
    }

    public func day(_ key: String) throws -> TradingDay? {
        guard let n = node(key) else { return nil }
        let s = try ConfigMap.string(n)
        guard let d = TradingDay(iso: s) else {
            throw n.error("'\(s)' is not a date", hint: "write it as YYYY-MM-DD, for example 2015-01-02")
        }
        return d
    }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String]) throws -> String? {
        guard let n = node(key) else { return nil }
        let s = try ConfigMap.string(n)
        guard choices.contains(s) else {
            let hint = closestMatch(to: s, in: choices).map { "did you mean `\($0)`? " } ?? ""
            throw n.error("unknown value '\(s)'", hint: "\(hint)expected one of: \(choices.joined(separator: ", "))")
        }
        return s
    }

    public func stringList(_ key: String) throws -> [String]? {
        guard let n = node(key) else { return nil }
        if case .scalar = n.value { return [try ConfigMap.string(n)] }
        guard case .sequence(let items) = n.value else {
            throw n.error("expected a list like [A, B], got \(n.kindName)")
        }
        return try items.map(ConfigMap.string)
    }

    public func doubleList(_ key: String) throws -> [Double]? {
        guard let n = node(key) else { return nil }
        guard case .sequence(let items) = n.value else {
            throw n.error("expected a list of numbers, got \(n.kindName)")
        }
        return try items.map(ConfigMap.double)
    }

    public static func string(_ n: ConfigNode) throws -> String {
        guard case .scalar(let s, _) = n.value else { throw n.error("expected a single value, got \(n.kindName)") }
        return s
    }

    public static func double(_ n: ConfigNode) throws -> Double {
        guard case .scalar(let s, _) = n.value, let d = Double(s.replacingUnderscores()), d.isFinite else {
            throw n.error("expected a number, got \(show(n))")
        }
        return d
    }

    public static func int(_ n: ConfigNode) throws -> Int {
        guard case .scalar(let s, _) = n.value, let d = Double(s.replacingUnderscores()), d.isFinite, d == d.rounded(),
            abs(d) < 1e15
        else {
            throw n.error("expected a whole number, got \(show(n))")
        }
        return Int(d)
    }

    static func show(_ n: ConfigNode) -> String {
        if case .scalar(let s, _) = n.value { return "'\(s)'" }
        return n.kindName
    }
}

extension String {
    func replacingUnderscores() -> String { contains("_") ? String(filter { $0 != "_" }) : self }
}
