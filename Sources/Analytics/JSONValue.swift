import HindsightCore

/// An ordered JSON value; NaN and infinities are written as null (JSON has no such numbers).
public indirect enum JSONValue: Sendable, Equatable {
    case number(Double)
    case integer(Int)
    case string(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.render() == b.render() }

    /// Compact (or indented) JSON text.
    public func render(indent: Int? = nil) -> String {
        var out = ""
        write(&out, indent: indent, level: 0)
        return out
    }

    private func write(_ out: inout String, indent: Int?, level: Int) {
        let nl = indent == nil ? "" : "\n"
        let pad = { (l: Int) in String(repeating: " ", count: (indent ?? 0) * l) }
        switch self {
        case .number(let v):
            out += v.isFinite ? (v == v.rounded() && abs(v) < 1e15 ? String(format: v) : "\(v)") : "null"
        case .integer(let v): out += String(v)
        case .string(let s): out += JSONText.quote(s)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "[" + nl
            for (i, item) in items.enumerated() {
                out += pad(level + 1)
                item.write(&out, indent: indent, level: level + 1)
                out += (i + 1 < items.count ? "," : "") + nl
            }
            out += pad(level) + "]"
        case .object(let pairs):
            if pairs.isEmpty {
                out += "{}"
                return
            }
            out += "{" + nl
            for (i, (k, v)) in pairs.enumerated() {
                out += pad(level + 1) + JSONText.quote(k) + (indent == nil ? ":" : ": ")
                v.write(&out, indent: indent, level: level + 1)
                out += (i + 1 < pairs.count ? "," : "") + nl
            }
            out += pad(level) + "}"
        }
    }

    /// A number's value (integers widened), NaN for anything else.
    public var numberValue: Double {
        switch self {
        case .number(let x): x
        case .integer(let n): Double(n)
        default: .nan
        }
    }

    /// Looks up a key of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }
}

private extension String {
    /// Integral doubles print with a trailing ".0" so readers keep them as floats.
    init(format v: Double) { self = String(Int64(v)) + ".0" }
}
