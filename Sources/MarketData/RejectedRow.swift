/// One row refused by an importer: where it is, which column, the value and why.
public struct RejectedRow: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: String
    public var value: String
    public var reason: String

    public init(file: String, line: Int, column: String, value: String, reason: String) {
        self.file = file; self.line = line; self.column = column; self.value = value; self.reason = reason
    }

    /// `file:line: column 'c' = 'v': reason`.
    public var message: String {
        "\(file):\(line): column '\(column)' value '\(value)': \(reason)"
    }
}
