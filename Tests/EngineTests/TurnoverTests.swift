import Engine
import HindsightCore
import HindsightTestSupport
import Testing

@testable import Backtest

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

    @Test func aVolatilityTargetsRescalingIsRiskLimitNotSignal() throws {
        // All three names are always chosen at 1/3 each: after the first buys, every change of target is the
        // volatility target rescaling the book, so the signal part is the first buys alone.
        var rng = Xoshiro256StarStar(seed: 4)
        let n = 80
        func path(_ vol: Double) -> [Double] {
            var p = [100.0]
            for t in 1..<n { p.append(p[t - 1] * (1 + vol * rng.normal() * (t > 40 ? 2 : 1))) }
            return p
        }
        let inputs = try TestMarket.inputs(closes: ["A": path(0.01), "B": path(0.015), "C": path(0.02)])
        func run(_ risk: String) throws -> (BacktestResult, [String: Double]) {
            let c = try TestConfig.parse(
                """
                data: {db: unused.sqlite}
                calendar: data
                start: 2020-02-03
                end: 2020-12-31
                initial_cash: 10000
                fractional_shares: true
                universe: {all: true}
                strategy:
                  kind: assessment_risk_daily_rebal
                  rebalance: daily
                  assessment: {model: momentum, lookback: 5, skip: 0}
                  risk: {top_n: 3, \(risk)}
                execution: {fill: close, commission: {model: bps, bps: 0}}
                """)
            let r = try RunPipeline(inputs: inputs, base: c).simulate(c)
            let rows = RunTurnover(result: r).rows.filter { $0.period == "total" }
            return (r, Dictionary(uniqueKeysWithValues: rows.map { ($0.component, $0.tradedValue) }))
        }
        let (r, parts) = try run("vol_target: 0.1, vol_lookback: 10")
        let firstDay = try #require(r.trades.first?.day)
        let firstBuys = r.trades.filter { $0.day == firstDay }.reduce(0.0) { $0 + abs($1.quantity * $1.price) }
        let traded = r.trades.reduce(0.0) { $0 + abs($1.quantity * $1.price) }
        #expect(parts["risk_limit"]! > 0.2 * traded, "\(parts)")
        // The first buys are part signal (0 → 1/3) and part limit (1/3 → the scaled target).
        let firstDecisions = r.decisions.filter { $0.day == firstDay }
        let share = firstDecisions.reduce(0.0) { $0 + $1.unlimitedWeight } / Double(firstDecisions.count)
        #expect(abs(share - 1.0 / 3) < 1e-12)
        #expect(parts["signal"]! <= firstBuys + 1e-9 && parts["signal"]! > 0, "\(parts) first \(firstBuys)")
        let sum = parts.values.reduce(0, +)
        #expect(abs(sum - traded) < 1e-9 * traded)
        // Without a limit, nothing is risk_limit.
        let (_, plain) = try run("gross_leverage: 1")
        #expect(plain["risk_limit"] == 0 && plain["signal"]! > 0, "\(plain)")
    }

    @Test func aHandMadeBookPutsAUniverseExitASplitAndADividendWhereTheyBelong() throws {
        // Top 2 by dollar volume (price, as volumes are equal): A and C, until B's price jumps past C's at session
        // 40. A splits 2:1 at session 25 (still the dearest) and pays 1.00 at session 35, reinvested.
        let n = 60
        var rng = Xoshiro256StarStar(seed: 5)
        func path(_ start: Double, _ jump: (Int) -> Double) -> [Double] {
            var p = [start]
            for t in 1..<n { p.append(p[t - 1] * (1 + 0.005 * rng.normal()) * jump(t)) }
            return p
        }
        let closes = [
            "A": path(400) { $0 == 25 ? 0.5 : 1 }, "B": path(50) { $0 == 40 ? 6 : 1 }, "C": path(80) { _ in 1 },
        ]
        let day = { (i: Int) in TestMarket.firstDay.adding(days: i / 5 * 7 + i % 5) }
        let inputs = try TestMarket.inputs(
            closes: closes,
            actions: [
                CorporateAction(ticker: "A", date: day(25), kind: .split, value: 2),
                CorporateAction(ticker: "A", date: day(35), kind: .dividend, value: 1),
            ])
        #expect(inputs.panel.calendar.day(at: 25) == day(25))
        let c = try TestConfig.parse(
            """
            data: {db: unused.sqlite}
            calendar: data
            start: \(day(10).iso)
            end: 2020-12-31
            initial_cash: 100000
            fractional_shares: true
            universe: {rule: {kind: top_dollar_volume, size: 2, lookback: 1, min_price: 1, min_history: 1, rebalance: daily}}
            strategy:
              kind: assessment_risk_daily_rebal
              rebalance: daily
              assessment: {model: momentum, lookback: 3, skip: 0}
              risk: {top_n: 2}
            portfolio: {dividends: reinvest}
            execution: {fill: close, commission: {model: bps, bps: 0}}
            """)
        let r = try RunPipeline(inputs: inputs, base: c).simulate(c)
        let rows = RunTurnover(result: r).rows.filter { $0.period == "total" }
        let parts = Dictionary(uniqueKeysWithValues: rows.map { ($0.component, $0.tradedValue) })
        let value = { (t: TradeRecord) in abs(t.quantity * t.price) }
        let a = Int32(r.tickers.firstIndex(of: "A")!), b = Int32(r.tickers.firstIndex(of: "B")!)
        let cc = Int32(r.tickers.firstIndex(of: "C")!)
        let first = Int32(r.firstSession)
        // Signal: the first buys of A and C. Universe change: C sold and B bought when B replaced it.
        let firstBuys = r.trades.filter { $0.day == first }
        #expect(Set(firstBuys.map(\.asset)) == [a, cc])
        let exitC = try #require(r.trades.last { $0.asset == cc && $0.quantity < 0 })
        let entryB = try #require(r.trades.first { $0.asset == b })
        #expect(exitC.day == entryB.day && exitC.day == Int32(40), "the switch is at session 40")
        let expectedUniverse = value(exitC) + value(entryB)
        #expect(abs(parts["universe_change"]! - expectedUniverse) < 1e-9 * 100_000, "\(parts) vs \(expectedUniverse)")
        #expect(abs(parts["signal"]! - firstBuys.reduce(0.0) { $0 + value($1) }) < 1e-9 * 100_000, "\(parts)")
        // Corporate action: the reinvested dividend, 1.00 a share on the shares held at the ex-date; the split
        // itself trades nothing.
        let reinvest = try #require(r.trades.first { $0.flags & TradeRecord.dividendReinvestment != 0 })
        // Shares bought before the split count twice.
        let held = r.trades.filter { $0.asset == a && $0.day < Int32(35) }.reduce(0.0) {
            $0 + $1.quantity * ($1.day < Int32(25) ? 2 : 1)
        }
        #expect(reinvest.day == Int32(35) && abs(value(reinvest) - held) < 1e-9 * held, "\(reinvest) held \(held)")
        #expect(abs(parts["corporate_action"]! - value(reinvest)) < 1e-12 * held)
        let splitDay = r.trades.filter { $0.asset == a && $0.day == Int32(25) }.reduce(0.0) { $0 + value($1) }
        #expect(splitDay < 0.01 * 50_000, "the split is not a trade: \(splitDay) traded on its day")
        #expect(parts["stop"] == 0 && parts["risk_limit"] == 0)
        let traded = r.trades.reduce(0.0) { $0 + value($1) }
        #expect(
            abs(parts["rebalance_drift"]! - (traded - expectedUniverse - parts["signal"]! - value(reinvest))) < 1e-6)
    }

    @Test func anAllInCrossoverAtTheCloseIsAllSignal() throws {
        // Each fill takes the book from all cash to all in, or back: its value is within the equity the decision
        // saw, so none of it is drift (the kernel path stores the same metrics: OneRunPathTests).
        let c = try TestConfig.parse(
            """
            data: {synthetic: {assets: 25, start: 2013-01-02, end: 2015-12-31, seed: 9}}
            start: 2012-01-03
            end: 2015-12-31
            initial_cash: 100000
            fractional_shares: true
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 30}}
            execution: {fill: close, commission: {model: bps, bps: 5}}
            """)
        let r = try RunPipeline(inputs: try MarketInputs.load(for: c), base: c).simulate(c)
        let parts = Dictionary(
            uniqueKeysWithValues: RunTurnover(result: r).rows.filter { $0.period == "total" }.map {
                ($0.component, $0.tradedValue)
            })
        let traded = r.trades.reduce(0.0) { $0 + abs($1.quantity * $1.price) }
        #expect(r.trades.count > 10)
        // Up to rounding: an all-in book's cash is a few ulps below zero after a buy.
        #expect(parts["rebalance_drift"]! < 1e-12 * traded, "\(parts)")
        #expect(abs(parts["signal"]! - traded) < 1e-9 * traded)
        #expect(r.decisions.allSatisfy { $0.equity.isFinite }, "the engine stamps every decision's equity")
    }

    @Test func sessionsKeptSparselyOrDenselySumBitForBitAsADenseTable() {
        // In day order (sparse), then a step back in time (the table turns dense): both against a plain table.
        var rng = Xoshiro256StarStar(seed: 7)
        for outOfOrder in [false, true] {
            let n = 300, w = TradedByDay.width
            var traded = TradedByDay(sessions: n)
            var table = [Double](repeating: 0, count: n * w)
            var day = 0
            for k in 0..<400 {
                day = outOfOrder && k == 250 ? 17 : min(n - 1, day + Int(rng.next() % 3))
                let c = Int(rng.next() % UInt64(w)), v = Double(rng.next() % 1_000_000) / 7.0
                traded.add(v, day: day, component: TradedByDay.Component(rawValue: c)!)
                table[day * w + c] += v
            }
            for range in [0..<n, 0..<1, 40..<41, 17..<18, 100..<250, 299..<300] {
                let expected = (0..<w).map { c in range.reduce(0.0) { $0 + table[$1 * w + c] } }
                #expect(traded.sums(over: range) == expected, "\(range) outOfOrder \(outOfOrder)")
            }
        }
    }

    @Test func storedMetricsKeysComeSortedWhicheverKeyListCameBefore() {
        let a = [("b", "1"), ("a", "2"), ("c", "3")], b = [("z", "1"), ("b", "2"), ("b", "3"), ("a", "4")]
        for pairs in [a, b, a, a, b] {
            let sorted = RunMetrics.sortedByKey(pairs)
            #expect(sorted.map(\.0) == pairs.map(\.0).sorted())
            // Equal keys keep their order (a stable sort).
            #expect(
                sorted.map(\.1) == pairs.indices.sorted { (pairs[$0].0, $0) < (pairs[$1].0, $1) }.map { pairs[$0].1 })
        }
    }
}
