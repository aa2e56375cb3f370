import Backtest
import Engine
import HindsightCore
import HindsightTestSupport
import Testing

/// Turnover by component: every fill's value in exactly one component.
struct TurnoverTests {
    @Test func theComponentsAddUpToTheTradedValueForEveryStrategyKind() throws {
        let inputs = try MarketInputs.load(for: try AttributionTests.config(AttributionTests.strategies[0].1))
        for (name, body) in AttributionTests.strategies {
            let c = try AttributionTests.config(body)
            let r = try RunPipeline(inputs: inputs, base: c).simulate(c)
            let rows = RunTurnover(result: r).rows
            let traded = r.trades.reduce(0.0) { $0 + abs($1.quantity * $1.price) }
            let total = rows.filter { $0.period == "total" }.reduce(0.0) { $0 + $1.tradedValue }
            #expect(abs(total - traded) <= 1e-9 * max(traded, 1), "\(name): \(total) vs \(traded)")
            let stops = r.trades.filter { $0.reason != 0 }.reduce(0.0) { $0 + abs($1.quantity * $1.price) }
            let stopRow = rows.first { $0.period == "total" && $0.component == "stop" }!.tradedValue
            #expect(abs(stopRow - stops) <= 1e-9 * max(stops, 1), "\(name)")
            // Years and months each add up to the total too.
            for length in [4, 7] {
                let sum = rows.filter { $0.period.count == length }.reduce(0.0) { $0 + $1.tradedValue }
                #expect(abs(sum - traded) <= 1e-9 * max(traded, 1), "\(name) periods of \(length)")
            }
        }
        let signals = try AttributionTests.config(AttributionTests.strategies[4].1)
        let r = try RunPipeline(inputs: inputs, base: signals).simulate(signals)
        #expect(r.trades.contains { $0.reason != 0 }, "the signals run must exercise its stop")
    }

    @Test func aHandMadeBookSplitsSignalFromDrift() throws {
        // Top 2 of 3 by one-day return, rebalanced every session at the close: A and B until session 20, when C
        // jumps and B falls, then A and C. Only the first buys and the switch change a target.
        let n = 30
        func path(_ move: (Int) -> Double) -> [Double] {
            var p = [100.0]
            for t in 1..<n { p.append(p[t - 1] * (1 + move(t))) }
            return p
        }
        let closes = [
            "A": path { _ in 0.01 }, "B": path { $0 == 20 ? -0.01 : 0.005 },
            "C": path { $0 < 20 ? -0.01 : $0 == 20 ? 0.05 : 0.02 },
        ]
        let inputs = try TestMarket.inputs(closes: closes)
        let c = try TestConfig.parse(
            """
            data: {db: unused.sqlite}
            calendar: data
            start: 2020-01-06
            end: 2020-12-31
            initial_cash: 10000
            fractional_shares: true
            universe: {all: true}
            strategy: {kind: momentum_rotation, params: {lookback: 1, top_n: 2, rebalance_every: 1}}
            execution: {fill: close, commission: {model: bps, bps: 0}}
            """)
        let r = try RunPipeline(inputs: inputs, base: c).simulate(c)
        let rows = RunTurnover(result: r).rows.filter { $0.period == "total" }
        func component(_ k: String) -> Double { rows.first { $0.component == k }!.tradedValue }
        let value = { (t: TradeRecord) in abs(t.quantity * t.price) }
        let a = Int32(r.tickers.firstIndex(of: "A")!), b = Int32(r.tickers.firstIndex(of: "B")!)
        let cc = Int32(r.tickers.firstIndex(of: "C")!)
        let firstA = try #require(r.trades.first { $0.asset == a }),
            firstB = try #require(r.trades.first { $0.asset == b })
        let switchDay = Int32(r.firstSession + 20)
        let sellB = try #require(r.trades.first { $0.asset == b && $0.day == switchDay && $0.quantity < 0 })
        let buyC = try #require(r.trades.first { $0.asset == cc && $0.quantity > 0 })
        #expect(buyC.day == switchDay)
        let expectedSignal = value(firstA) + value(firstB) + value(sellB) + value(buyC)
        #expect(
            abs(component("signal") - expectedSignal) < 1e-9 * 10_000, "\(component("signal")) vs \(expectedSignal)")
        let traded = r.trades.reduce(0.0) { $0 + value($1) }
        #expect(component("rebalance_drift") > 0)
        #expect(abs(component("rebalance_drift") - (traded - expectedSignal)) < 1e-9 * 10_000)
        #expect(component("universe_change") == 0 && component("stop") == 0 && component("corporate_action") == 0)
    }
}
