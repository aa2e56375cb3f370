import Engine
import HindsightCore
import Signals

/// The plug-in: what `HindsightCLI.main(plugins:)` installs.
public enum HullPlugin {
    public static let plugin = HindsightPlugin(
        name: "hull", functions: [hullMovingAverage], strategies: [ChannelBreakout.self])

    /// Hull moving average: WMA(2·WMA(x, n/2) − WMA(x, n), ⌊√n⌋), built from the library's TA-Lib WMA.
    public static let hullMovingAverage = SignalFunction(
        name: "hma", arguments: [.number, .window], summary: "Hull moving average",
        lookback: { c in Int(c[0]) - 1 + Int(Double(Int(c[0])).squareRoot()) - 1 }
    ) { series, constants, _ in
        let x = series[0], n = Int(constants[0])
        let half = Indicators.wma(x, max(1, n / 2)), full = Indicators.wma(x, n)
        let raw = zip(half, full).map { 2 * $0 - $1 }
        // The WMA of a series whose first bars are NaN starts at its first valid value.
        guard let first = raw.firstIndex(where: { !$0.isNaN }) else { return raw }
        let smoothed = Indicators.wma(Array(raw[first...]), max(1, Int(Double(n).squareRoot())))
        return [Double](repeating: .nan, count: first) + smoothed
    }
}
