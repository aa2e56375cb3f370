/// A `file:line:column` an error message points at, as the CLI prints it (`path:3:7: message`).
public struct ErrorLocation: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?

    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line)" + (column.map { ":\($0)" } ?? "") }

    /// Every location in `text` written as `<file>:<line>[:<column>]` for the given file name (matched by suffix,
    /// so a test can name the file without its temporary folder).
    public static func all(in text: String, file: String) -> [ErrorLocation] {
        var out: [ErrorLocation] = []
        var rest = Substring(text)
        while let r = rest.range(of: file + ":") {
            var tail = rest[r.upperBound...]
            let line = Int(tail.prefix(while: \.isNumber))
            tail = tail.drop(while: \.isNumber)
            var column: Int?
            if tail.first == ":", let c = Int(tail.dropFirst().prefix(while: \.isNumber)) { column = c }
            if let line { out.append(ErrorLocation(file: file, line: line, column: column)) }
            rest = rest[r.upperBound...]
        }
        return out
    }

    /// True when `text` (an error message or stderr) names this location.
    public func isNamed(in text: String) -> Bool {
        ErrorLocation.all(in: text, file: file).contains { $0.line == line && (column == nil || $0.column == column) }
    }
}
