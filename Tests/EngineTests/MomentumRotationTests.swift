import Backtest
import Foundation
import HindsightCore
import HindsightTestSupport
import Services
import Testing

@testable import Engine

@Suite struct MomentumRotationTests {
    /// A: 10, 11, 12; B: 10, 9, 12; C: 10, –, 10. Lookback 1, top 1, every session, fee 0.1%.
    static let closes: [String: [Double]] = ["A": [10, 11, 12], "B": [10, 9, 12], "C": [10, .nan, 10]]

    @Test func handWorkedRotationSellsFirstAndTrimsTheBuyToCash() {
        // Day-major A, B, C.
        let k = MomentumRotationKernel(close: [10, 10, 10, 11, 9, .nan, 12, 12, 10], days: 3, assets: 3)
        var scratch = MomentumRotationKernel.Scratch(assets: 3)
        var eq = [Double](repeating: 0, count: 3)
        let s = k.run(lookback: 1, topN: 1, every: 1, fee: 0.001, initialCash: 1000, scratch: &scratch, equity: &eq)
        // t=1: A is up 10 %, B down, C has no bar: buy A with all the cash, trimmed for the fee: 1000/1.001/11 shares.
        // t=2: B is up 33 %: sell A at 12 (fee 0.1 %), buy B with all of it (trimmed again).
        let a = 1000 / 1.001 / 11
        let cash = a * 12 * 0.999
        #expect(eq[0] == 1000)
        #expect(abs(eq[1] - a * 11) < 1e-9)
        #expect(abs(s.finalValue - cash / 1.001) < 1e-9)
        #expect(s.fills == 3 && s.rebalances == 2)
    }

    @Test func theOrderSortAndTheTopSelectionAgreeWithTheStandardSort() {
        // Values drawn from few levels (ties broken by asset), signed zeros, and lengths on both sides of the
        // insertion-sort cut.
        var rng = Xoshiro256StarStar(seed: 7)
        for n in [0, 1, 2, 5, 15, 16, 17, 40, 119, 300] {
            for _ in 0..<20 {
                var o: [(Double, Int32)] = (0..<n).map { a in
                    let level = Double(rng.next() % 9) - 4
                    return (level == 0 && rng.next() % 2 == 0 ? -0.0 : level * 1.5, Int32(a))
                }
                for i in stride(from: o.count - 1, to: 0, by: -1) { o.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                var expected = o
                expected.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                var got = o
                MomentumRotationKernel.sortOrders(&got)
                #expect(got.map(\.1) == expected.map(\.1), "n = \(n)")
                let k = n / 3 + 1
                var top = o
                MomentumRotationKernel.selectTop(&top, k)
                let best = o.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(k).map(\.1)
                #expect(Set(top.prefix(min(k, n)).map(\.1)) == Set(best), "n = \(n)")
            }
        }
    }

    @Test func theFullEngineMatchesTheKernelOnHandMadeBars() throws {
        let inputs = try TestMarket.inputs(closes: Self.closes)
        let c = try TestConfig.parse(
            """
            data: {db: unused.sqlite}
            calendar: data
            start: 2020-01-06
            end: 2020-01-08
            initial_cash: 1000
            fractional_shares: true
            universe: {all: true}
            strategy: {kind: momentum_rotation, params: {lookback: 1, top_n: 1, rebalance_every: 1}}
            execution: {fill: close, commission: {model: bps, bps: 10}}
            """)
        let r = try RunPipeline(inputs: inputs).simulate(c)
        let k = try #require(
            MomentumRotationKernel(
                universe: c.universe, panel: inputs.panel,
                excluded: BacktestUniverseService.excluded(
                    panel: inputs.panel, profiles: inputs.profiles, benchmark: c.benchmark)))
        var scratch = MomentumRotationKernel.Scratch(assets: k.assets)
        var eq = [Double](repeating: 0, count: k.days)
        _ = k.run(lookback: 1, topN: 1, every: 1, fee: 0.001, initialCash: 1000, scratch: &scratch, equity: &eq)
        #expect(zip(r.equity, eq).allSatisfy { abs($0 - $1) < 1e-9 }, "\(r.equity) vs \(eq)")
        #expect(r.trades.count == 3)
    }

    @Test func parametersAreCheckedWithTheKey() throws {
        #expect(throws: HindsightError.self) {
            _ = try TestConfig.parse(
                """
                data: {synthetic: {assets: 5, start: 2020-01-02, end: 2020-12-31, seed: 1}}
                start: 2020-01-02
                end: 2020-12-31
                strategy: {kind: momentum_rotation, params: {lookback: 0, top_n: 1, rebalance_every: 1}}
                """)
        }
        do {
            _ = try TestConfig.parse(
                """
                data: {synthetic: {assets: 5, start: 2020-01-02, end: 2020-12-31, seed: 1}}
                start: 2020-01-02
                end: 2020-12-31
                strategy: {kind: momentum_rotation, params: {lookback: 21, top_n: 5}}
                """)
            Issue.record("missing rebalance_every was accepted")
        } catch let e as HindsightError {
            #expect(e.description.contains("rebalance_every"))
        }
    }

    static func stocks() throws -> [String] {
        let text = try String(contentsOfFile: TestPaths.shared("us-equities/profiles.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
            .filter { $0.count >= 3 && $0[2] == "stock" }.map { $0[0] }.sorted()
    }

    static func usConfig(db: String, lookback: Int, topN: Int, every: Int) throws -> String {
        """
        data: {db: \(db)}
        calendar: data
        start: 2005-02-25
        end: 2017-11-10
        initial_cash: 1000000
        fractional_shares: true
        universe: {tickers: [\(try stocks().joined(separator: ", "))]}
        strategy: {kind: momentum_rotation, params: {lookback: \(lookback), top_n: \(topN), rebalance_every: \(every)}}
        execution: {fill: close, commission: {model: bps, bps: 10}}
        """
    }

    @Test(.enabled(if: TestPaths.sharedDataAvailable, "../shared/data is not present"))
    func everyGridPointMatchesVectorbtFromOrdersAt1e9AndTheEngineMatchesTheKernel() throws {
        let db = try Kit.sharedDatabase(
            "us.sqlite",
            imports: [
                ["prices", TestPaths.shared("us-equities/prices.csv.gz")],
                ["profiles", TestPaths.shared("us-equities/profiles.csv")],
            ])
        let c = try TestConfig.parse(try Self.usConfig(db: db, lookback: 63, topN: 10, every: 21))
        let inputs = try MarketInputs.load(for: c)
        let k = try #require(
            MomentumRotationKernel(
                universe: c.universe, panel: inputs.panel,
                excluded: BacktestUniverseService.excluded(
                    panel: inputs.panel, profiles: inputs.profiles, benchmark: c.benchmark)))
        #expect(k.assets == 118 && k.days == 3202)
        var scratch = MomentumRotationKernel.Scratch(assets: k.assets)
        let url = Bundle.module.url(forResource: "Fixtures/vectorbt-momentum-rotation-us.csv", withExtension: nil)!
        var bad: [String] = [], checked = 0
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            let (lb, n, every, total, sharpe) = (Int(f[0])!, Int(f[1])!, Int(f[2])!, Double(f[3])!, Double(f[4])!)
            var eq = [Double](repeating: 0, count: k.days)
            let s = k.run(
                lookback: lb, topN: n, every: every, fee: 0.001, initialCash: 1e6, scratch: &scratch, equity: &eq)
            var prev = 1e6
            let returns = eq.map { e in
                defer { prev = e }
                return e / prev - 1
            }
            let mean = returns.reduce(0, +) / Double(returns.count)
            let sd = (returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(returns.count - 1)).squareRoot()
            let sh = mean / sd * 252.0.squareRoot()
            if abs(s.totalReturn - total) > 1e-9 || abs(sh - sharpe) > 1e-9 || s.fills != Int(f[5])! {
                bad.append(
                    "\(lb)/\(n)/\(every): \(s.totalReturn) vs \(total), sharpe \(sh) vs \(sharpe), fills \(s.fills) vs \(f[5])"
                )
            }
            checked += 1
        }
        #expect(checked == 32)
        #expect(bad.isEmpty, "\(bad)")

        // The full engine (orders through the market simulator) gives the same curve.
        let r = try RunPipeline(inputs: inputs).simulate(c)
        var eq = [Double](repeating: 0, count: k.days)
        _ = k.run(lookback: 63, topN: 10, every: 21, fee: 0.001, initialCash: 1e6, scratch: &scratch, equity: &eq)
        let worst = zip(r.equity, eq).map { Tolerance.relativeError($0, $1) }.max()!
        #expect(worst < 1e-9, "engine vs kernel: worst relative error \(worst)")
    }
}
