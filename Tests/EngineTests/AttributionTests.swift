import Analytics
import Backtest
import Engine
import HindsightCore
import HindsightTestSupport
import Testing

@testable import Backtest

/// Attribution tables that add up: every dimension and period sums to the run's P&L, from the engine's own ledger.
struct AttributionTests {
    static let data = "data: {synthetic: {assets: 25, start: 2012-01-03, end: 2015-12-31, seed: 9}}"
    static let strategies: [(String, String)] = [
        ("sma", "universe: {tickers: [MKT, S001, S002]}\nstrategy: {kind: sma_crossover, params: {fast: 5, slow: 30}}"),
        (
            "momentum",
            "universe: {all: true}\nstrategy: {kind: momentum_rotation, params: {lookback: 42, top_n: 4, rebalance_every: 21}}"
        ),
        (
            "assessment long-short, borrow fee, cash rate",
            """
            universe: {rule: {kind: top_dollar_volume, size: 12, lookback: 21, min_price: 1, min_history: 63, rebalance: monthly}}
            strategy:
              kind: assessment_risk_daily_rebal
              rebalance: monthly
              assessment: {model: momentum, lookback: 63, skip: 5}
              risk: {long_only: false, top_n: 3, gross_leverage: 1, net_leverage: 0}
            portfolio: {borrow_fee_bps: 50, cash_rate: 0.03}
            """
        ),
        (
            "buy and hold, dividends reinvested",
            "universe: {all: true}\nstrategy: {kind: equal_weight_buy_and_hold}\nportfolio: {dividends: reinvest}"
        ),
        (
            "signals with a stop and slippage",
            """
            universe: {all: true}
            strategy: {kind: signals, entry: "rsi(close, 14) < 35", exit: "rsi(close, 14) > 60"}
            stops: {stop_loss: 0.06}
            fractional_shares: true
            """
        ),
    ]

    static func config(_ body: String) throws -> RunConfig {
        try TestConfig.parse(
            """
            \(data)
            start: 2013-01-02
            end: 2015-12-31
            initial_cash: 100000
            execution: {fill: next_open, commission: {model: bps, bps: 5}, slippage: {model: fixed_bps, bps: 3}}
            \(body)
            """)
    }

    @Test func everyDimensionAndPeriodAddsUpToTheRunsPnLForEveryStrategyKind() throws {
        let inputs = try MarketInputs.load(for: try Self.config(Self.strategies[0].1))
        for (name, body) in Self.strategies {
            let c = try Self.config(body)
            let pipeline = RunPipeline(inputs: inputs, base: c)
            let r = try pipeline.simulate(c, positions: true)
            let a = pipeline.attribution(r, config: c)
            // Recording the ledger changes no number of the run.
            let plain = try pipeline.simulate(c)
            #expect(plain.equity == r.equity && plain.trades == r.trades && plain.ledger == nil, "\(name)")
            #expect(a.factorMethod == "holdings", "\(name): synthetic profiles carry betas")
            let dims = Set(a.rows.map(\.dimension))
            #expect(
                dims == ["ticker", "sector", "decision_model", "regime", "long_short", "brinson", "factor"], "\(name)")
            var groups: [String: (pnl: Double, contribution: Double)] = [:]
            for row in a.rows {
                groups[row.dimension + " " + row.period, default: (0, 0)].pnl += row.pnl
                groups[row.dimension + " " + row.period, default: (0, 0)].contribution += row.contribution
            }
            // The whole: equity at the period's end less equity at its start.
            var whole: [String: (Double, Double)] = ["total": (c.initialCash, r.equity.last!)]
            for length in [4, 7] {
                var start = c.initialCash
                for i in r.dates.indices {
                    let p = String(r.dates[i].iso.prefix(length))
                    if i + 1 == r.dates.count || r.dates[i + 1].iso.prefix(length) != p {
                        whole[p] = (start, r.equity[i])
                        start = r.equity[i]
                    }
                }
            }
            var worst = 0.0
            for (key, g) in groups {
                let period = String(key.split(separator: " ")[1])
                let (s, e) = try #require(whole[period])
                worst = max(worst, abs(g.pnl - (e - s)) / c.initialCash, abs(g.contribution - (e / s - 1)))
            }
            #expect(worst < 1e-9, "\(name): worst \(worst)")
            #expect(groups.count == 7 * whole.count, "\(name)")
            // Costs are their own keys, equal to what the trades paid.
            let commission = a.rows.first { $0.dimension == "ticker" && $0.period == "total" && $0.key == "commission" }
            #expect(abs(-(commission?.pnl ?? 0) - r.totalCommission) < 1e-9 * c.initialCash, "\(name)")
            let slippage = a.rows.first { $0.dimension == "sector" && $0.period == "total" && $0.key == "slippage" }
            #expect(abs(-(slippage?.pnl ?? 0) - r.totalSlippage) < 1e-9 * c.initialCash, "\(name)")
        }
    }

    @Test func metricsJSONCarriesTheTablesTotalsBitForBit() throws {
        let inputs = try MarketInputs.load(for: try Self.config(Self.strategies[0].1))
        for (name, body) in Self.strategies {
            let c = try Self.config(body)
            let pipeline = RunPipeline(inputs: inputs, base: c)
            let r = try pipeline.simulate(c, positions: true)
            let metrics = try JSONValue.parse(pipeline.storedMetrics(r, config: c).text)
            let rows = pipeline.attribution(r, config: c).rows.filter {
                $0.dimension == "factor" && $0.period == "total"
            }
            let factors = try #require(metrics["factor_attribution"], "\(name)")
            #expect(factors["method"] == .string("holdings"), "\(name)")
            for row in rows
            where row.key != "commission" && row.key != "slippage" && row.key != "borrow_fee"
                && row.key != "cash_interest"
            {
                #expect(factors[row.key]?.numberValue == row.pnl, "\(name) \(row.key)")
                if row.key != "residual" {
                    #expect(metrics["factor_exposures"]?[row.key]?.numberValue == row.exposure, "\(name) \(row.key)")
                }
            }
            let turnover = RunTurnover(result: r).rows.filter { $0.period == "total" }
            for t in turnover {
                #expect(
                    metrics["turnover_by_component"]?[t.component]?.numberValue == t.turnover, "\(name) \(t.component)")
            }
            // Recording the ledger changes no byte of the metrics.
            let plain = pipeline.storedMetrics(try pipeline.simulate(c), config: c).text
            #expect(plain == pipeline.storedMetrics(r, config: c).text, "\(name)")
        }
    }

    @Test func borrowFeesAndCashInterestAreTheirOwnKeysAndShortsAreOnTheShortSide() throws {
        let c = try Self.config(Self.strategies[2].1)
        let pipeline = RunPipeline(inputs: try MarketInputs.load(for: c), base: c)
        let a = pipeline.attribution(try pipeline.simulate(c, positions: true), config: c)
        func total(_ d: String, _ k: String) -> Double {
            a.rows.first { $0.dimension == d && $0.period == "total" && $0.key == k }?.pnl ?? .nan
        }
        #expect(total("ticker", "borrow_fee") < 0 && total("ticker", "cash_interest") > 0)
        #expect(total("long_short", "borrow_fee") == total("ticker", "borrow_fee"))
        let short = try #require(
            a.rows.first { $0.dimension == "long_short" && $0.period == "total" && $0.key == "short" })
        #expect(short.exposure < -0.2, "a dollar-neutral book is about half short: \(short.exposure)")
    }

    @Test func holdingsBasedFactorAttributionRecoversTheFactorPnLOfFixedPositions() throws {
        // Two assets whose returns are exactly their betas times one factor: a held book's P&L is all factor.
        var rng = Xoshiro256StarStar(seed: 1)
        let n = 120
        let f = (0..<n).map { $0 == 0 ? 0 : 0.01 * rng.normal() }
        func path(_ beta: Double) -> [Double] {
            var p = [100.0]
            for t in 1..<n { p.append(p[t - 1] * (1 + beta * f[t])) }
            return p
        }
        let inputs = try TestMarket.inputs(
            closes: ["A": path(0.5), "B": path(1.5)], sectors: ["A": "Tech", "B": "Energy"],
            fields: ["A": "{\"beta_mkt\": 0.5}", "B": "{\"beta_mkt\": 1.5}"], factors: ["mkt_rf": f])
        let c = try TestConfig.parse(
            """
            data: {db: unused.sqlite}
            calendar: data
            start: 2020-01-06
            end: 2020-12-31
            initial_cash: 10000
            fractional_shares: true
            universe: {all: true}
            strategy: {kind: equal_weight_buy_and_hold}
            execution: {fill: close, commission: {model: bps, bps: 0}}
            """)
        let pipeline = RunPipeline(inputs: inputs, base: c)
        let r = try pipeline.simulate(c, positions: true)
        let a = pipeline.attribution(r, config: c)
        #expect(a.factorMethod == "holdings")
        let factor = try #require(
            a.rows.first { $0.dimension == "factor" && $0.period == "total" && $0.key == "mkt_rf" })
        let residual = try #require(
            a.rows.first { $0.dimension == "factor" && $0.period == "total" && $0.key == "residual" })
        // By hand: each session, Σ shares × previous close × β × f.
        let shares = r.trades.reduce(into: [Int32: Double]()) { $0[$1.asset, default: 0] += $1.quantity }
        let closes = [path(0.5), path(1.5)], betas = [0.5, 1.5]
        var expected = 0.0
        for t in 1..<n { for a in 0..<2 { expected += shares[Int32(a)]! * closes[a][t - 1] * betas[a] * f[t] } }
        #expect(abs(factor.pnl - expected) < 1e-9 * c.initialCash, "\(factor.pnl) vs \(expected)")
        #expect(abs(residual.pnl) < 1e-9 * c.initialCash, "residual \(residual.pnl)")
        #expect(abs(factor.pnl - (r.equity.last! - c.initialCash)) < 1e-9 * c.initialCash)
    }

    @Test func brinsonFachlerMatchesTheHandWorkedTwoSectorExample() {
        // Portfolio 70% Tech at +5%, 30% Energy at −2% (2.9%); benchmark 50/50 at +3% / +1% (2.0%).
        // By hand: allocation 0.2·(3−2) = 0.2% and −0.2·(1−2) = 0.2%; selection 0.5·(5−3) = 1% and 0.5·(−2−1) =
        // −1.5%; interaction 0.2·2 = 0.4% and −0.2·(−3) = 0.6%; together 0.9% = 2.9% − 2.0%.
        let tech = RunAttribution.brinsonFachler(
            contribution: 0.7 * 0.05, weight: 0.7, benchmarkWeight: 0.5, benchmarkSectorReturn: 0.03,
            benchmarkReturn: 0.02)
        let energy = RunAttribution.brinsonFachler(
            contribution: 0.3 * -0.02, weight: 0.3, benchmarkWeight: 0.5, benchmarkSectorReturn: 0.01,
            benchmarkReturn: 0.02)
        let expected: [(RunAttribution.BrinsonEffect, [Double])] = [
            (tech, [0.002, 0.01, 0.004]), (energy, [0.002, -0.015, 0.006]),
        ]
        for (x, e) in expected {
            #expect(abs(x.allocation - e[0]) < 1e-15 && abs(x.selection - e[1]) < 1e-15, "\(x)")
            #expect(abs(x.interaction - e[2]) < 1e-15, "\(x)")
        }
        let total = [tech, energy].reduce(0.0) { $0 + $1.allocation + $1.selection + $1.interaction }
        #expect(abs(total - 0.009) < 1e-15)
    }

    @Test func brinsonRowsOfATwoSectorRunAreTheTextbookEffectsOfEachSession() throws {
        // A and B are Tech, C is Energy; the book holds A alone (momentum, top 1) against the universe's 2/3 Tech.
        var rng = Xoshiro256StarStar(seed: 3)
        let n = 60
        func path(_ drift: Double) -> [Double] {
            var p = [100.0]
            for t in 1..<n { p.append(p[t - 1] * (1 + drift + 0.01 * rng.normal())) }
            return p
        }
        let closes = ["A": path(0.01), "B": path(0), "C": path(-0.01)]
        let inputs = try TestMarket.inputs(closes: closes, sectors: ["A": "Tech", "B": "Tech", "C": "Energy"])
        let c = try TestConfig.parse(
            """
            data: {db: unused.sqlite}
            calendar: data
            start: 2020-01-20
            end: 2020-12-31
            initial_cash: 10000
            fractional_shares: true
            universe: {tickers: [A, B, C]}
            strategy: {kind: momentum_rotation, params: {lookback: 5, top_n: 1, rebalance_every: 1000}}
            execution: {fill: close, commission: {model: bps, bps: 0}}
            """)
        let pipeline = RunPipeline(inputs: inputs, base: c)
        let r = try pipeline.simulate(c, positions: true)
        let a = pipeline.attribution(r, config: c)
        try #require(Set(r.trades.map(\.asset)) == [0], "the book holds A only: \(r.trades)")
        let shares = r.trades.reduce(0.0) { $0 + $1.quantity }
        let entry = Int(r.trades[0].day) - r.firstSession
        var want: [String: Double] = [:]
        let pa = closes["A"]!, pb = closes["B"]!, pc = closes["C"]!
        for i in (entry + 1)..<r.dates.count {
            let d = r.firstSession + i
            let e = r.equity[i - 1], w = shares * pa[d - 1] / e
            let ra = pa[d] / pa[d - 1] - 1, rb = pb[d] / pb[d - 1] - 1, rc = pc[d] / pc[d - 1] - 1
            let techB = (ra + rb) / 2, bench = (2 * techB + rc) / 3
            want["benchmark", default: 0] += e * bench
            want["allocation:Tech", default: 0] += e * (w - 2.0 / 3) * (techB - bench)
            want["allocation:Energy", default: 0] += e * (0 - 1.0 / 3) * (rc - bench)
            want["selection:Tech", default: 0] += e * (2.0 / 3) * (ra - techB)
            want["interaction:Tech", default: 0] += e * (w - 2.0 / 3) * (ra - techB)
            want["allocation:cash", default: 0] += e * (1 - w) * (0 - bench)
        }
        for (key, value) in want {
            let row = try #require(a.rows.first { $0.dimension == "brinson" && $0.period == "total" && $0.key == key })
            #expect(abs(row.pnl - value) < 1e-9 * c.initialCash, "\(key): \(row.pnl) vs \(value)")
        }
        let energySelection = a.rows.first {
            $0.dimension == "brinson" && $0.period == "total" && $0.key == "selection:Energy"
        }
        #expect(energySelection.map { abs($0.pnl) < 1e-12 } ?? true, "no Energy holding, no Energy selection")
        // A's whole P&L: the benchmark plus the active effects (no cost, no trading after the entry session).
        let brinson = a.rows.filter { $0.dimension == "brinson" && $0.period == "total" }.reduce(0.0) { $0 + $1.pnl }
        #expect(abs(brinson - (r.equity.last! - c.initialCash)) < 1e-9 * c.initialCash)
    }

    @Test func returnsBasedExposuresAreTheTrailingOLSBeta() {
        var rng = Xoshiro256StarStar(seed: 2)
        let n = 400
        let f1 = (0..<n).map { _ in 0.01 * rng.normal() }, f2 = (0..<n).map { _ in 0.01 * rng.normal() }
        let equity = [Double](repeating: 1_000, count: n)
        // Beta 1.2 on the first factor, −0.4 on the second, switching to 0.3 / 0 at session 200.
        let gross = (0..<n).map { t in
            (t < 200 ? 1.2 * f1[t] - 0.4 * f2[t] : 0.3 * f1[t]) * 1_000 + 1e-3 * rng.normal()
        }
        let b = FactorAttribution.rollingExposures(gross: gross, equityBefore: equity, factors: [f1, f2])
        #expect(b[FactorAttribution.minimum - 1] == [0, 0], "no exposure before the minimum")
        #expect(abs(b[150][0] - 1.2) < 0.01 && abs(b[150][1] + 0.4) < 0.01, "\(b[150])")
        // Only the previous `window` sessions count: long after the switch, the new betas.
        #expect(abs(b[399][0] - 0.3) < 0.01 && abs(b[399][1]) < 0.01, "\(b[399])")
    }
}
