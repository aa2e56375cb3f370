/// Fast reading of the top-level scalar fields of a JSON object (nested objects and arrays are skipped).
/// Sweep reports read thousands of small metric objects; this avoids building a full tree for each.
enum FlatJSON {
    /// Top-level `key → raw value text` (strings unquoted; numbers, true/false/null as written).
    static func fields(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        let b = Array(text.utf8)
        var i = 0
        func skipSpace() { while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 } }
        func readString() -> String {
            i += 1
            var s: [UInt8] = []
            while i < b.count, b[i] != 34 {
                if b[i] == 92, i + 1 < b.count {
                    i += 1
                    switch b[i] {
                    case 110: s.append(10)
                    case 116: s.append(9)
                    case 114: s.append(13)
                    default: s.append(b[i])
                    }
                } else { s.append(b[i]) }
                i += 1
            }
            i += 1
            return String(decoding: s, as: UTF8.self)
        }
        func skipValue() {
            var depth = 0
            var inString = false
            while i < b.count {
                let c = b[i]
                if inString {
                    if c == 92 { i += 1 } else if c == 34 { inString = false }
                } else if c == 34 { inString = true } else if c == 123 || c == 91 { depth += 1 } else if c == 125 || c == 93 {
                    depth -= 1
                    if depth == 0 { i += 1; return }
                }
                i += 1
            }
        }
        skipSpace()
        guard i < b.count, b[i] == 123 else { return out }
        i += 1
        while i < b.count {
            skipSpace()
            if i < b.count, b[i] == 125 { break }
            guard i < b.count, b[i] == 34 else { break }
            let key = readString()
            skipSpace()
            guard i < b.count, b[i] == 58 else { break }
            i += 1
            skipSpace()
            guard i < b.count else { break }
            if b[i] == 34 {
                out[key] = readString()
            } else if b[i] == 123 || b[i] == 91 {
                skipValue()
            } else {
                let s = i
                while i < b.count, b[i] != 44, b[i] != 125 { i += 1 }
                var e = i
                while e > s, b[e - 1] == 32 || b[e - 1] == 10 || b[e - 1] == 13 || b[e - 1] == 9 { e -= 1 }
                out[key] = String(decoding: b[s..<e], as: UTF8.self)
            }
            skipSpace()
            if i < b.count, b[i] == 44 { i += 1 }
        }
        return out
    }
}

import Foundation
