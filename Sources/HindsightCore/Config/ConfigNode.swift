/// Where a config value sits: file, 1-based line and column.
public struct ConfigMark: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// A parsed YAML (or programmatic) config tree that remembers where each value came from,
/// so every error can name the line and column.
public struct ConfigNode: Sendable {
    public indirect enum Value: Sendable {
        /// A scalar's text; `plain` is false when it was quoted (so `"10"` stays a string).
        case scalar(String, plain: Bool)
        case mapping([Entry])
        case sequence([ConfigNode])
        case null
    }

    public struct Entry: Sendable {
        public var key: String
        public var keyMark: ConfigMark
        public var value: ConfigNode
        public init(key: String, keyMark: ConfigMark, value: ConfigNode) {
            self.key = key
            self.keyMark = keyMark
            self.value = value
        }
    }

    public var value: Value
    public var mark: ConfigMark
    /// Dotted path from the root, e.g. `strategy.params.fast`.
    public var path: String

    public init(_ value: Value, mark: ConfigMark, path: String) {
        self.value = value
        self.mark = mark
        self.path = path
    }

    /// A programmatic scalar (used by sweeps to override values).
    public static func scalar(_ text: String, mark: ConfigMark, path: String) -> ConfigNode {
        ConfigNode(.scalar(text, plain: true), mark: mark, path: path)
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// An error that names this node's place and key.
    public func error(_ message: String, hint: String? = nil) -> HindsightError {
        HindsightError(.invalidArgument, "\(mark): \(path.isEmpty ? "" : "`\(path)`: ")\(message)", cause: hint)
    }

    var kindName: String {
        switch value {
        case .scalar: return "a value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .null: return "nothing"
        }
    }

    /// Canonical JSON (keys sorted): plain scalars that read as numbers or booleans become JSON numbers/booleans.
    public var canonicalJSON: String {
        var out = ""
        writeCanonical(&out)
        return out
    }

    /// Appends `canonicalJSON` to `out`.
    public func writeCanonical(_ out: inout String) {
        switch value {
        case .null: out += "null"
        case .scalar(let s, let plain):
            if plain {
                if let c = s.utf8.first, (c >= 48 && c <= 57) || c == 45 || c == 43 || c == 46, let d = Double(s),
                    d.isFinite
                {
                    out += JSONText.number(d)
                    return
                }
                if let b = ConfigNode.bool(s) {
                    out += b ? "true" : "false"
                    return
                }
                if s == "null" || s == "~" {
                    out += "null"
                    return
                }
            }
            out += JSONText.quote(s)
        case .sequence(let items):
            out += "["
            for (i, x) in items.enumerated() {
                if i > 0 { out += "," }
                x.writeCanonical(&out)
            }
            out += "]"
        case .mapping(let entries):
            out += "{"
            let sorted =
                zip(entries, entries.dropFirst()).allSatisfy({ $0.key < $1.key })
                ? entries : entries.sorted { $0.key < $1.key }
            for (i, e) in sorted.enumerated() {
                if i > 0 { out += "," }
                out += JSONText.quote(e.key)
                out += ":"
                e.value.writeCanonical(&out)
            }
            out += "}"
        }
    }

    static func bool(_ s: String) -> Bool? {
        guard let c = s.utf8.first, "tTfFyYnNoO".utf8.contains(c), s.utf8.count <= 5 else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// The entry at a dotted path, if present. A number selects a list element, counting from 0
    /// (`strategy.assessment.components.1.weight`).
    public func child(_ dotted: String) -> ConfigNode? {
        var node = self
        for part in dotted.split(separator: ".") {
            switch node.value {
            case .mapping(let entries):
                guard let e = entries.first(where: { $0.key == part }) else { return nil }
                node = e.value
            case .sequence(let items):
                guard let i = Int(part), items.indices.contains(i) else { return nil }
                node = items[i]
            default: return nil
            }
        }
        return node
    }

    /// A dotted path's last component, or its last two when another of `paths` ends the same way (table columns,
    /// labels).
    public static func shortPath(_ path: String, among paths: [String]) -> String {
        let last = path.split(separator: ".").last.map(String.init) ?? path
        return paths.filter { $0.hasSuffix("." + last) || $0 == last }.count > 1
            ? path.split(separator: ".").suffix(2).joined(separator: ".") : last
    }

    /// Compact flow text for people: scalars as written, `[a, b]` and `{key: value}` (labels, tables, CSV cells).
    public var readable: String {
        switch value {
        case .scalar(let s, _): return s
        case .null: return "null"
        case .sequence(let items): return "[" + items.map(\.readable).joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { "\($0.key): \($0.value.readable)" }.joined(separator: ", ") + "}"
        }
    }

    /// A copy with the value at a dotted path replaced (intermediate mappings are created as needed).
    public func setting(_ dotted: String, to newValue: ConfigNode) -> ConfigNode {
        let parts = dotted.split(separator: ".").map(String.init)
        return setting(parts[...], newValue)
    }

    private func setting(_ parts: ArraySlice<String>, _ newValue: ConfigNode) -> ConfigNode {
        guard let head = parts.first else { return newValue }
        // A list element by its index (checked by the sweep file's parser; out of range leaves the list as it is).
        if case .sequence(var items) = value, let i = Int(head) {
            guard items.indices.contains(i) else { return self }
            items[i] = items[i].setting(parts.dropFirst(), newValue)
            var out = self
            out.value = .sequence(items)
            return out
        }
        var entries: [Entry] = []
        if case .mapping(let e) = value { entries = e }
        let childPath = path.isEmpty ? head : path + "." + head
        if let i = entries.firstIndex(where: { $0.key == head }) {
            entries[i].value = entries[i].value.setting(parts.dropFirst(), newValue)
        } else {
            let empty = ConfigNode(.mapping([]), mark: newValue.mark, path: childPath)
            entries.append(Entry(key: head, keyMark: newValue.mark, value: empty.setting(parts.dropFirst(), newValue)))
        }
        var out = self
        out.value = .mapping(entries)
        return out
    }
}
