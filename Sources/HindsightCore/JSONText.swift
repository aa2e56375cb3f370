/// Minimal, deterministic JSON writing for small metadata objects (sorted keys, no Foundation formatting drift).
public enum JSONText {
    public static func quote(_ s: String) -> String {
        // Fast path: nothing to escape.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) { return "\"" + s + "\"" }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A JSON number for a finite double (shortest round-trip form); null otherwise.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// An object from already-encoded values, keys sorted.
    public static func object(_ pairs: [(String, String)]) -> String {
        var sortedPairs = pairs
        if !zip(pairs, pairs.dropFirst()).allSatisfy({ $0.0 < $1.0 }) { sortedPairs.sort { $0.0 < $1.0 } }
        var out = "{"
        out.reserveCapacity(pairs.reduce(2) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 })
        for (i, (k, v)) in sortedPairs.enumerated() {
            if i > 0 { out += "," }
            out += quote(k)
            out += ":"
            out += v
        }
        out += "}"
        return out
    }
}
