/// One row refused by an importer: where it is, which column, the value and why.
public struct RejectedRow: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: String
    public var value: String
    public var reason: String

    public init(file: String, line: Int, column: String, value: String, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.reason = reason
    }

    /// `file:line: column 'c' = 'v': reason`.
    public var message: String {
        "\(file):\(line): column '\(column)' value '\(RejectedRow.shown(value))': \(reason)"
    }

    /// A value as a message shows it: control bytes escaped, and cut to 60 characters (a bad field can be huge).
    static func shown(_ v: String) -> String {
        var out = ""
        for u in v.unicodeScalars.prefix(60) {
            out += u.value < 0x20 || u.value == 0x7F ? "\\x" + String(u.value, radix: 16, uppercase: true) : String(u)
        }
        return v.unicodeScalars.count > 60 ? out + "… (\(v.utf8.count) bytes)" : out
    }
}
