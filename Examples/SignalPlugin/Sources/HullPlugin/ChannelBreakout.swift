import Engine
import HindsightCore
import MarketData
import Services
import Signals

/// A strategy written in Swift: long when the close breaks above the highest high of the previous `n` bars, flat
/// when it falls below the lowest low of the previous `n` bars. Every ticker trades an equal sleeve.
public struct ChannelBreakout: Strategy, StrategyPlugin {
    public static let kind = "channel_breakout"
    public static let keys = ["params"]

    static func window(_ strategy: ConfigNode) throws -> Int {
        let p = try ConfigMap(strategy, allowed: ["kind"] + keys).require("params", "{n: 20}")
        let m = try ConfigMap(p, allowed: ["n"])
        guard let n = try m.int("n"), n >= 1 else {
            throw (m.node("n") ?? p).error("`n` must be a whole number ≥ 1", hint: "e.g. {n: 20}")
        }
        return n
    }

    public static func validate(_ strategy: ConfigNode) throws { _ = try window(strategy) }

    let assets: [Int32]
    /// Per (asset, session): +1 breakout, −1 breakdown, 0 nothing.
    let signal: [Int8]
    let dayCount: Int

    public static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        let n = try window(env.config.strategy)
        let panel = env.panel
        guard case .tickers(let tickers) = env.config.universe else {
            throw env.config.strategy.error(
                "channel_breakout trades a list of tickers", hint: "universe: {tickers: [...]}")
        }
        let assets = tickers.compactMap { panel.asset(ticker: $0).map(Int32.init) }
        var signal = [Int8](repeating: 0, count: panel.assetCount * panel.dayCount)
        for a in assets.map(Int.init) {
            let bars = AssetBars(panel: panel, asset: a)
            let hi = Indicators.highest(bars.high, n), lo = Indicators.lowest(bars.low, n)
            for b in 1..<max(1, bars.count) where !hi[b - 1].isNaN {
                let d = Int(bars.sessions[b])
                if bars.close[b] > hi[b - 1] { signal[a * panel.dayCount + d] = 1 }
                if bars.close[b] < lo[b - 1] { signal[a * panel.dayCount + d] = -1 }
            }
        }
        let s = ChannelBreakout(assets: assets, signal: signal, dayCount: panel.dayCount)
        let sleeve = assets.count > 1 ? env.config.initialCash / Double(assets.count) : nil
        return StrategySetup(strategy: s, modelNames: [kind], sleeveCapital: sleeve)
    }

    public mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {
        for a in assets {
            let s = signal[Int(a) * dayCount + view.day]
            let held = view.portfolio.shares[Int(a)]
            if s > 0, held == 0 {
                out.orders.append(
                    Order(asset: a, kind: .allIn, decisionDay: Int32(view.day), decisionEquity: view.equity))
            } else if s < 0, held > 0 {
                out.orders.append(
                    Order(asset: a, kind: .closeOut, decisionDay: Int32(view.day), decisionEquity: view.equity))
            }
        }
    }
}
