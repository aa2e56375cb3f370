/// A user-facing error: a stable code, a message that names the file/line/key and the fix, and an optional cause.
public struct HindsightError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        case invalidArgument = "invalid-argument"
        case invalidData = "invalid-data"
        case fileNotFound = "file-not-found"
        case io = "io-error"
        case database = "database-error"
        case schemaTooNew = "schema-too-new"
        case duplicate = "duplicate"
        case outOfRange = "out-of-range"
        case notFound = "not-found"
    }

    public var code: Code
    public var message: String
    public var cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (cause: \(cause))" }
        return message
    }
}
