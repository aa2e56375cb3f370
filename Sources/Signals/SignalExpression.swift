/// A parsed expression: what the user wrote, with the 1-based column of each part inside the expression text.
public indirect enum SignalExpression: Sendable, Equatable {
    case number(Double, column: Int)
    case boolean(Bool, column: Int)
    /// A series (`close`), a parameter (`fast`) or a bare function name.
    case name(String, column: Int)
    case call(String, [SignalExpression], column: Int)
    case unary(String, SignalExpression, column: Int)
    case binary(String, SignalExpression, SignalExpression, column: Int)

    public var column: Int {
        switch self {
        case .number(_, let c), .boolean(_, let c), .name(_, let c), .call(_, _, let c), .unary(_, _, let c),
            .binary(_, _, _, let c):
            c
        }
    }
}
