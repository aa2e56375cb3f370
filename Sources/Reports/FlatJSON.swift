import Analytics
import Foundation

/// Fast reading of the top-level scalar fields of a JSON object (nested objects and arrays are skipped).
/// Sweep reports read thousands of small metric objects; this avoids building a full tree for each.
enum FlatJSON {
    /// Top-level `key → raw value text` (strings unquoted; numbers, true/false/null as written).
    static func fields(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        scan(text) { _, key, value, quoted in
            out[unescape(key)] = quoted ? unescape(value) : String(decoding: value, as: UTF8.self)
        }
        return out
    }

    /// Calls `body(field, key, value, quoted)` for each top-level scalar field in order: `field` counts the
    /// fields seen so far, `key` and a string `value` are the raw bytes between the quotes (still escaped), and a
    /// number, true, false or null `value` is its trimmed text. Malformed input ends the scan early, never traps.
    static func scan(
        _ text: String, _ body: (Int, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        var t = text
        t.withUTF8 { scan(bytes: $0, body) }
    }

    /// `scan` over UTF-8 bytes.
    /// With `nested`, an object or array value is passed too, as its raw JSON text (unquoted).
    static func scan(
        bytes b: UnsafeBufferPointer<UInt8>, nested: Bool = false,
        _ body: (Int, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        do {
            var i = 0, field = 0
            let n = b.count
            func skipSpace() { while i < n, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 } }
            /// The bytes of the string starting at the quote at `i`; leaves `i` after the closing quote.
            func readString() -> UnsafeBufferPointer<UInt8> {
                i += 1
                let s = i
                while i < n, b[i] != 34 { i += b[i] == 92 ? 2 : 1 }
                let e = min(i, n)
                i += 1
                return UnsafeBufferPointer(rebasing: b[s..<e])
            }
            func skipValue() {
                var depth = 0
                var inString = false
                while i < n {
                    let c = b[i]
                    if inString {
                        if c == 92 { i += 1 } else if c == 34 { inString = false }
                    } else if c == 34 {
                        inString = true
                    } else if c == 123 || c == 91 {
                        depth += 1
                    } else if c == 125 || c == 93 {
                        depth -= 1
                        if depth == 0 {
                            i += 1
                            return
                        }
                    }
                    i += 1
                }
            }
            skipSpace()
            guard i < n, b[i] == 123 else { return }
            i += 1
            while i < n {
                skipSpace()
                if i < n, b[i] == 125 { break }
                guard i < n, b[i] == 34 else { break }
                let key = readString()
                skipSpace()
                guard i < n, b[i] == 58 else { break }
                i += 1
                skipSpace()
                guard i < n else { break }
                if b[i] == 34 {
                    body(field, key, readString(), true)
                } else if b[i] == 123 || b[i] == 91 {
                    let s = i
                    skipValue()
                    if nested { body(field, key, UnsafeBufferPointer(rebasing: b[s..<min(i, n)]), false) }
                } else {
                    let s = i
                    while i < n, b[i] != 44, b[i] != 125 { i += 1 }
                    var e = i
                    while e > s, b[e - 1] == 32 || b[e - 1] == 10 || b[e - 1] == 13 || b[e - 1] == 9 { e -= 1 }
                    body(field, key, UnsafeBufferPointer(rebasing: b[s..<e]), false)
                }
                field += 1
                skipSpace()
                if i < n, b[i] == 44 { i += 1 }
            }
        }
    }

    /// A nested JSON value (a swept list or mapping) as compact flow text: `[AAPL, MSFT]`, `{model: momentum}`.
    static func readable(_ raw: String) -> String {
        guard let v = try? JSONValue.parse(raw) else { return raw }
        func text(_ v: JSONValue) -> String {
            switch v {
            case .string(let s): return s
            case .array(let a): return "[" + a.map(text).joined(separator: ", ") + "]"
            case .object(let o): return "{" + o.map { "\($0.0): \(text($0.1))" }.joined(separator: ", ") + "}"
            default: return v.render()
            }
        }
        return text(v)
    }

    /// A number field's value (nil for true, false, null or anything Double cannot read).
    @inline(__always) static func number(_ raw: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: raw, as: UTF8.self))
    }

    /// The text of raw string bytes (`\n`, `\t`, `\r` decoded; any other escaped character kept as itself).
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard raw.contains(92) else { return String(decoding: raw, as: UTF8.self) }
        var s: [UInt8] = []
        s.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            if raw[i] == 92, i + 1 < raw.count {
                i += 1
                switch raw[i] {
                case 110: s.append(10)
                case 116: s.append(9)
                case 114: s.append(13)
                default: s.append(raw[i])
                }
            } else {
                s.append(raw[i])
            }
            i += 1
        }
        return String(decoding: s, as: UTF8.self)
    }
}

/// Field names shared by the rows of one kind (every point's parameters, or its metrics), with their columns.
/// Filled while the rows are read, then only read (so it can be shared between the report's threads).
final class FieldNames: @unchecked Sendable {
    private(set) var names: [String] = []
    private var column: [String: Int] = [:]
    /// The raw key met at each field position of the last row, and its column: rows written by one sweep share
    /// their key order, so most lookups are one byte comparison and no hashing.
    private var recent: [(key: [UInt8], column: Int)?] = []

    init(_ names: [String] = []) { for n in names { _ = add(n) } }

    var count: Int { names.count }

    func index(_ name: String) -> Int? { column[name] }

    private func add(_ name: String) -> Int {
        if let c = column[name] { return c }
        names.append(name)
        column[name] = names.count - 1
        return names.count - 1
    }

    /// The column of a raw key seen at position `field` of a row.
    func column(key: UnsafeBufferPointer<UInt8>, field: Int) -> Int {
        if field < recent.count, let r = recent[field] {
            let same = r.key.withUnsafeBufferPointer { k in
                k.count == key.count && (k.count == 0 || memcmp(k.baseAddress!, key.baseAddress!, k.count) == 0)
            }
            if same { return r.column }
        }
        let c = add(FlatJSON.unescape(key))
        while recent.count <= field { recent.append(nil) }
        recent[field] = (Array(key), c)
        return c
    }
}

/// One row's values by field name (absent fields read nil).
struct FieldRow<Value: Sendable>: Sendable {
    let names: FieldNames
    var values: [Value?]

    subscript(name: String) -> Value? {
        guard let c = names.index(name), c < values.count else { return nil }
        return values[c]
    }

    mutating func set(_ c: Int, _ v: Value) {
        while values.count <= c { values.append(nil) }
        values[c] = v
    }
}
