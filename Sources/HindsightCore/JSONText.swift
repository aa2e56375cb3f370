/// Minimal, deterministic JSON writing for small metadata objects (sorted keys, no Foundation formatting drift).
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    /// Appends `s` as a JSON string (no temporary strings when nothing needs escaping).
    public static func appendQuoted(_ s: String, to out: inout String) {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
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
        out += "\""
    }

    /// A JSON number for a finite double (shortest round-trip form); null otherwise.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    /// Appends `number(v)` without building it first.
    public static func appendNumber(_ v: Double, to out: inout String) {
        guard v.isFinite else {
            out += "null"
            return
        }
        if v == v.rounded(), abs(v) < 1e15 {
            out += String(Int64(v))
            return
        }
        v.write(to: &out)
    }

    /// An object from already-encoded values, keys sorted. Built as bytes: many small String appends cost more.
    public static func object(_ pairs: [(String, String)]) -> String {
        var sortedPairs = pairs
        if !zip(pairs, pairs.dropFirst()).allSatisfy({ $0.0 < $1.0 }) { sortedPairs.sort { $0.0 < $1.0 } }
        var out: [UInt8] = []
        out.reserveCapacity(pairs.reduce(2) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 })
        out.append(0x7B)
        for (i, (k, v)) in sortedPairs.enumerated() {
            if i > 0 { out.append(0x2C) }
            if k.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
                out.append(0x22)
                out.append(contentsOf: k.utf8)
                out.append(0x22)
            } else {
                out.append(contentsOf: quote(k).utf8)
            }
            out.append(0x3A)
            out.append(contentsOf: v.utf8)
        }
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }
}
