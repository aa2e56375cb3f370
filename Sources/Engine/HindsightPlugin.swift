import Signals

/// What a user package adds to Hindsight: expression functions (indicators) and strategies. Installing registers
/// them in the one catalog each kind has (`SignalLibrary`, `StrategyRegistry`); nothing else needs a second list.
public struct HindsightPlugin: Sendable {
    public var name: String
    public var functions: [SignalFunction]
    public var strategies: [any StrategyPlugin.Type]

    public init(name: String, functions: [SignalFunction] = [], strategies: [any StrategyPlugin.Type] = []) {
        self.name = name
        self.functions = functions
        self.strategies = strategies
    }

    /// Registers the plug-in's functions and strategies (a name that exists is replaced).
    public func install() {
        for f in functions { SignalLibrary.register(f) }
        for s in strategies { StrategyRegistry.register(s) }
    }
}
