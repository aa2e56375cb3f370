/// One function of the expression language: its name, argument kinds, result type and column kernel. The catalog
/// (`SignalFunction.all`) is the one list; plug-ins add to it through `SignalFunction.register`.
public struct SignalFunction: Sendable {
    public enum Argument: Sendable, Equatable {
        /// A numeric series (a constant is broadcast).
        case number
        /// A boolean series.
        case boolean
        /// A whole number ≥ 1, known when the expression is bound (a literal or a parameter).
        case window
        /// A whole number ≥ 0, known when bound (`shift`'s lag: a negative one would look ahead).
        case lag
        /// A number known when bound.
        case constant
    }

    public var name: String
    public var arguments: [Argument]
    public var result: SignalType
    /// The bars this function needs before its first value, given its constant arguments (for warm-up checks).
    public var lookback: @Sendable ([Double]) -> Int
    /// The kernel: series arguments (in order), constant arguments (in order), and the asset's bars.
    public var kernel: @Sendable (_ series: [[Double]], _ constants: [Double], _ bars: AssetBars) -> [Double]
    public var summary: String

    public init(
        name: String, arguments: [Argument], result: SignalType = .number, summary: String,
        lookback: @escaping @Sendable ([Double]) -> Int = { _ in 0 },
        kernel: @escaping @Sendable ([[Double]], [Double], AssetBars) -> [Double]
    ) {
        self.name = name
        self.arguments = arguments
        self.result = result
        self.summary = summary
        self.lookback = lookback
        self.kernel = kernel
    }

    /// How the signature reads in errors and help: `sma(number, window)`.
    public var signature: String {
        "\(name)("
            + arguments.map { a in
                switch a {
                case .number: "number"
                case .boolean: "condition"
                case .window: "window"
                case .lag: "lag"
                case .constant: "constant"
                }
            }.joined(separator: ", ") + ")"
    }
}

/// The type of a series.
public enum SignalType: String, Sendable {
    case number, boolean
}
