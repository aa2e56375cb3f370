import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Testing

@Suite struct SignalsStrategyTests {
    /// The metrics of a run without the keys that name the strategy.
    func comparable(_ m: JSONValue) -> [(String, JSONValue)] {
        guard case .object(let o) = m else { return [] }
        return o.filter { $0.0 != "strategy" && $0.0 != "attribution" }
    }

    /// The built-in and its expression; `series` is what the built-in reads (adjusted closes when the data has
    /// splits or dividends).
    func smaPair(
        db: String, tickers: [String], start: String, end: String, fast: Int, slow: Int, series: String = "close"
    ) -> (String, String) {
        let extra = [
            "execution: {fill: close, commission: {model: bps, bps: 10}}", "fractional_shares: true",
        ]
        let builtin = TestConfig.yaml(
            db: db, tickers: tickers, start: start, end: end,
            strategy: "{kind: sma_crossover, params: {fast: \(fast), slow: \(slow)}}", extra: extra)
        let expression = TestConfig.yaml(
            db: db, tickers: tickers, start: start, end: end,
            strategy: """
                {kind: signals, params: {fast: \(fast), slow: \(slow)}, \
                entry: "crossover(sma(\(series), fast), sma(\(series), slow))", \
                exit: "crossunder(sma(\(series), fast), sma(\(series), slow))"}
                """, extra: extra)
        return (builtin, expression)
    }

    @Test func theSMACrossoverAsAnExpressionEqualsTheBuiltInOnAMultiTickerBuiltInMarket() throws {
        let dir = TestPaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/synth.sqlite"
        let data = try TestMarket.synthetic(assets: 4, start: "2012-01-03", end: "2016-12-30", seed: 9)
        try HindsightDatabase(path: db).importDataset(data, replace: false)
        let tickers = Array(data.prices.tickers.sorted().prefix(4))
        for (fast, slow) in [(5, 20), (20, 60)] {
            let (a, b) = smaPair(
                db: db, tickers: tickers, start: "2013-01-02", end: "2016-12-30", fast: fast, slow: slow,
                series: "adj_close")
            let (x, _) = try Kit.run(a)
            let (y, _) = try Kit.run(b)
            #expect(x.result.trades.count > 10)
            let same = x.result.equity.map(\.bitPattern) == y.result.equity.map(\.bitPattern)
            #expect(same, "SMA(\(fast),\(slow)): the equity curves differ")
            #expect(comparable(x.metrics).map(\.0) == comparable(y.metrics).map(\.0))
            #expect(
                zip(comparable(x.metrics), comparable(y.metrics)).allSatisfy { $0.1.render() == $1.1.render() },
                "stored metrics differ for SMA(\(fast),\(slow))")
        }
    }

    @Test(.enabled(if: TestPaths.sharedDataAvailable, "../shared/data is not present"))
    func theSMACrossoverAsAnExpressionEqualsTheBuiltInOnGOOG() throws {
        let db = try Kit.sharedDatabase(
            "goog.sqlite", imports: [["prices", TestPaths.shared("goog-2004-2013.csv"), "--ticker", "GOOG"]])
        for (fast, slow) in [(10, 30), (50, 200)] {
            let (a, b) = smaPair(
                db: db, tickers: ["GOOG"], start: "2004-08-19", end: "2013-03-01", fast: fast, slow: slow)
            let (x, _) = try Kit.run(a)
            let (y, _) = try Kit.run(b)
            let same = x.result.equity.map(\.bitPattern) == y.result.equity.map(\.bitPattern)
            #expect(same && x.result.trades.count == y.result.trades.count, "SMA(\(fast),\(slow)) on GOOG")
        }
    }

    /// RSI, Bollinger and MACD grids on ten stocks in equal sleeves against vectorbt 1.2.0 `from_signals` with
    /// TA-Lib's indicators (scripts/make_signal_strategy_fixtures.py).
    @Test(.enabled(if: TestPaths.sharedDataAvailable, "../shared/data is not present"))
    func rsiBollingerAndMACDGridsEqualVectorbtFromSignalsPerPointAt1e9() throws {
        let db = try Kit.sharedDatabase(
            "us-equities.sqlite", imports: [["prices", TestPaths.shared("us-equities/prices.csv.gz")]])
        let ref = try Kit.pointFixture("vectorbt-signals-us", paramsColumn: 1)
        let tickers = Array(ref.header.dropFirst(4))
        #expect(ref.rows.count == 30)
        for (f, p) in ref.rows {
            let rule: (entry: String, exit: String)
            switch f[0] {
            case "rsi": rule = ("rsi(close, n) < lo", "rsi(close, n) > hi")
            case "bbands": rule = ("close < bbands_lower(close, n, k)", "close > bbands_middle(close, n, k)")
            default:
                rule = (
                    "crossover(macd(close, fast, slow, signal), macd_signal(close, fast, slow, signal))",
                    "crossunder(macd(close, fast, slow, signal), macd_signal(close, fast, slow, signal))"
                )
            }
            let params = p.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            let yaml = TestConfig.yaml(
                db: db, tickers: tickers, start: "2005-02-25", end: "2017-11-10",
                strategy: "{kind: signals, params: {\(params)}, entry: \"\(rule.entry)\", exit: \"\(rule.exit)\"}",
                initialCash: 100_000,
                extra: ["execution: {fill: close, commission: {model: bps, bps: 10}}", "fractional_shares: true"])
            let (o, _) = try Kit.run(yaml)
            let want = Double(f[2])!, orders = Int(f[3])!
            #expect(
                Tolerance.close(o.result.finalEquity, want, rel: 1e-9),
                "\(f[0]) \(f[1]): \(o.result.finalEquity) vs vectorbt \(want)")
            #expect(o.result.trades.filter { $0.quantity != 0 }.count == orders, "\(f[0]) \(f[1]) orders")
        }
    }

    @Test func aBadExpressionNamesTheFileLineColumnAndTheColumnInsideIt() throws {
        let yaml = """
            data: {db: x.sqlite}
            start: 2020-01-02
            end: 2020-12-31
            universe: {tickers: [A]}
            strategy:
              kind: signals
              params: {n: 14}
              entry: "rsi(close, n) < 30 and rsx(close, 2) > 1"
              exit: "rsi(close, n) > 70"
            """
        do {
            _ = try TestConfig.parse(yaml, file: "cfg.yaml")
            Issue.record("expected an error")
        } catch let e as HindsightError {
            #expect(ErrorLocation(file: "cfg.yaml", line: 8, column: 10).isNamed(in: e.message), "\(e.message)")
            #expect(e.message.contains("column 24: unknown function `rsx`"))
            #expect(e.cause?.contains("did you mean `rsi`") == true)
        }
        for (bad, message) in [
            ("entry: \"rsi(close, n)\"", "must be a condition"),
            (
                "entry: \"close > 1\"\n  short_entry: \"close < 1\"",
                "short signals need both `short_entry` and `short_exit`"
            ),
            ("entry: \"close > m\"", "unknown name `m`"),
        ] {
            let y = yaml.replacingOccurrences(of: "entry: \"rsi(close, n) < 30 and rsx(close, 2) > 1\"", with: bad)
            #expect(throws: HindsightError.self) { try TestConfig.parse(y, file: "cfg.yaml") }
            do { _ = try TestConfig.parse(y, file: "cfg.yaml") } catch let e as HindsightError {
                #expect(e.message.contains(message), "\(e.message)")
            }
        }
    }

    @Test func aWindowLongerThanEveryTickersHistoryIsRefusedBeforeTheRun() throws {
        let inputs = try TestMarket.inputs(closes: ["A": (0..<50).map { 100 + Double($0 % 7) }])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: signals, entry: \"close > sma(close, 80)\", exit: \"close < sma(close, 80)\"}")
        #expect {
            _ = try Kit.run(yaml, inputs: inputs)
        } throws: { e in
            "\(e)".contains("needs 80 bars before its first value, but no ticker has more than 50")
        }
    }

    @Test func aCrossSectionalEntryBuysOnlyTheTickerRankedFirstThatSession() throws {
        // Three tickers whose leader changes: A, then B, then C.
        let a = (0..<60).map { 100 + Double($0 < 20 ? 10 : 0) }
        let b = (0..<60).map { 100 + Double($0 >= 20 && $0 < 40 ? 10 : 0) }
        let c = (0..<60).map { 100 + Double($0 >= 40 ? 10 : 0) }
        let inputs = try TestMarket.inputs(closes: ["A": a, "B": b, "C": c])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A", "B", "C"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: signals, entry: \"cs_rank(close) == 1\", exit: \"cs_rank(close) < 1\"}",
            extra: ["execution: {fill: close}", "fractional_shares: true"])
        let (o, _) = try Kit.run(yaml, inputs: inputs)
        let buys = o.result.trades.filter { $0.quantity > 0 }.map { (Int($0.day), Int($0.asset)) }
        #expect(buys.map(\.1) == [0, 1, 2], "each leader is bought once, in turn: \(buys)")
        #expect(buys.map(\.0) == [0, 20, 40])
        #expect(o.result.trades.filter { $0.quantity < 0 }.map { Int($0.day) } == [20, 40])
    }

    @Test func cashInverseVolatilityAndRiskSizesBuyTheWorkedNumberOfShares() throws {
        // A ticker that alternates ±1% for 40 bars, then rises 0.2% a bar: the entry (up 0.3% over two bars) first
        // holds on bar 41 and is taken at that close.
        var closes: [Double] = []
        var p = 100.0
        for t in 0..<60 {
            p *= t < 40 ? (t % 2 == 0 ? 1.01 : 1 / 1.01) : 1.002
            closes.append(p)
        }
        let inputs = try TestMarket.inputs(closes: ["A": closes])
        func run(_ size: String) throws -> (shares: Double, day: Int) {
            let yaml = TestConfig.yaml(
                db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
                strategy:
                    "{kind: signals, entry: \"close > shift(close, 2) * 1.003\", exit: \"close < 0\", size: \(size)}",
                initialCash: 100_000, extra: ["execution: {fill: close}", "fractional_shares: true"])
            let (o, _) = try Kit.run(yaml, inputs: inputs)
            let buy = try #require(o.result.trades.first { $0.quantity > 0 })
            return (buy.quantity, Int(buy.day))
        }
        let cash = try run("{kind: cash, value: 25000}")
        #expect(cash.day == 41 && Tolerance.close(cash.shares * closes[41], 25_000, rel: 1e-12))
        // Realised volatility over the 20 returns up to bar 41 (sample std × √252), target 10%.
        let r = (22...41).map { closes[$0] / closes[$0 - 1] - 1 }
        let mean = r.reduce(0, +) / 20
        let vol = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 19).squareRoot() * 252.0.squareRoot()
        let iv = try run("{kind: inverse_volatility, lookback: 20, target: 0.1}")
        #expect(Tolerance.close(iv.shares * closes[41] / 100_000, 0.1 / vol, rel: 1e-9), "weight \(0.1 / vol)")
        // Risk: 1% of equity lost if the price falls by the stop (here 5 currency units).
        let risk = try run("{kind: risk, fraction: 0.01, stop: \"5\"}")
        #expect(Tolerance.close(risk.shares * 5, 1_000, rel: 1e-9))
        #expect(throws: HindsightError.self) {
            _ = try TestConfig.parse(
                TestConfig.yaml(
                    db: "x.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
                    strategy: "{kind: signals, entry: \"close > 1\", exit: \"close < 1\", size: {kind: cash}}"))
        }
    }

    @Test func anExpressionAssessmentModelScoresLikeTheBuiltInModelItSpells() throws {
        // momentum with skip 0 is adj[t] / adj[t − lookback] − 1: the same arithmetic as the expression.
        var rng = Xoshiro256StarStar(seed: 21)
        var closes: [String: [Double]] = [:]
        for t in ["A", "B", "C", "D", "E"] {
            var p = 50.0
            closes[t] = (0..<160).map { _ in
                p *= 1 + 0.02 * (rng.uniform() - 0.5)
                return (p * 100).rounded() / 100
            }
        }
        let inputs = try TestMarket.inputs(closes: closes)
        func run(_ assessment: String) throws -> BacktestResult {
            try Kit.run(
                """
                data: {db: unused.sqlite}
                calendar: weekdays
                start: 2020-03-02
                end: 2020-08-01
                fractional_shares: true
                universe: {tickers: [A, B, C, D, E]}
                strategy:
                  kind: assessment_risk_daily_rebal
                  rebalance: 5
                  assessment: \(assessment)
                  risk: {long_only: true, top_n: 2}
                execution: {fill: close, commission: {model: bps, bps: 5}}
                """, inputs: inputs
            ).0.result
        }
        let builtin = try run("{model: momentum, lookback: 20, skip: 0}")
        let expression = try run("{model: expression, score: \"adj_close / shift(adj_close, n) - 1\", params: {n: 20}}")
        #expect(builtin.trades.count > 10)
        #expect(builtin.equity.map(\.bitPattern) == expression.equity.map(\.bitPattern))
        #expect(builtin.trades.map(\.asset) == expression.trades.map(\.asset))
        // A cross-sectional score picks the same names (a z-score keeps the order).
        let cs = try run("{model: expression, score: \"cs_zscore(adj_close / shift(adj_close, 20) - 1)\"}")
        #expect(cs.trades.map(\.asset) == builtin.trades.map(\.asset))
        #expect(throws: HindsightError.self) { _ = try run("{model: expression, score: \"adj_close > 1\"}") }
    }

    @Test func anExpressionAssessmentRanksWithinTheUniverseNotEveryTickerOfTheData() throws {
        // C is in the data (as the benchmark) but not in the universe: cs_rank(close) over {A, B} is 0.5 and 1.
        let inputs = try TestMarket.inputs(
            closes: [
                "A": [Double](repeating: 10, count: 40), "B": [Double](repeating: 20, count: 40),
                "C": [Double](repeating: 30, count: 40),
            ])
        let r = try Kit.run(
            """
            data: {db: unused.sqlite}
            calendar: weekdays
            start: 2020-01-20
            end: 2020-03-01
            universe: {tickers: [A, B]}
            benchmark: C
            strategy:
              kind: assessment_risk_daily_rebal
              rebalance: 5
              assessment: {model: expression, score: "cs_rank(close)"}
              risk: {long_only: true, top_n: 2}
            """, inputs: inputs
        ).0.result
        let byAsset = Dictionary(grouping: r.decisions, by: \.asset).mapValues { Set($0.map(\.score)) }
        let a = try #require(inputs.panel.asset(ticker: "A")), b = try #require(inputs.panel.asset(ticker: "B"))
        #expect(byAsset[Int32(a)] == [0.5] && byAsset[Int32(b)] == [1], "\(byAsset)")
    }

    @Test func anExpressionAssessmentIsComputedOncePerSweepAndPerUniverse() throws {
        func config(topN: Int) throws -> RunConfig {
            try TestConfig.parse(
                """
                data: {synthetic: {assets: 25, start: 2012-01-03, end: 2015-12-31, seed: 9}}
                start: 2013-01-02
                end: 2015-12-31
                universe: {all: true}
                strategy:
                  kind: assessment_risk_daily_rebal
                  rebalance: monthly
                  assessment: {model: expression, score: "cs_zscore(roc(adj_close, 126) - roc(adj_close, 21))"}
                  risk: {top_n: \(topN)}
                """)
        }
        let c = try config(topN: 5), other = try config(topN: 3)
        let pipeline = RunPipeline(inputs: try MarketInputs.load(for: c), base: c)
        let first = try pipeline.simulate(c)
        let after = pipeline.signalCache.counts
        // Another point of the sweep (a different top_n) reads the grid: no indicator is computed again.
        let again = try pipeline.simulate(other)
        #expect(pipeline.signalCache.counts.misses == after.misses)
        #expect(pipeline.signalCache.counts.hits == after.hits + 1)
        // The same from a fresh pipeline (no cache shared): the cache changes no number.
        let fresh = try RunPipeline(inputs: try MarketInputs.load(for: c), base: c).simulate(other)
        #expect(fresh.equity == again.equity && fresh.decisions == again.decisions && again.equity != first.equity)
        // Another universe ranks its own members: computed afresh.
        var smaller = c
        smaller.universe = .tickers(Array(first.tickers.prefix(8)))
        _ = try pipeline.simulate(smaller)
        #expect(pipeline.signalCache.counts.misses > after.misses)
    }

    @Test func aShortEntryFromFlatSellsTheSleeveAndTheShortExitCoversIt() throws {
        let inputs = try TestMarket.inputs(closes: ["A": [100, 99, 98, 97, 98, 98]])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: """
                {kind: signals, entry: "close > 1000000", exit: "close < 0", \
                short_entry: "close < shift(close, 1)", short_exit: "close > shift(close, 1)"}
                """,
            initialCash: 10_000, extra: ["execution: {fill: close}", "fractional_shares: true"])
        let (o, _) = try Kit.run(yaml, inputs: inputs)
        let t = o.result.trades
        #expect(t.count == 2 && t[0].day == 1 && t[1].day == 4)
        #expect(Tolerance.close(t[0].quantity, -10_000 / 99, rel: 1e-12) && Tolerance.close(t[1].quantity, 10_000 / 99))
        // Short at 99, covered at 98: the gain is the shares times one.
        #expect(Tolerance.close(o.result.finalEquity, 10_000 + 10_000 / 99, rel: 1e-12))
    }

    @Test func aCrossSectionInARuleUniverseRanksOnlyThatSessionsMembers() throws {
        // Dollar volume ranks C, B, A; the universe keeps the top two. Among them B has the lowest close, so
        // `cs_rank(-close) == 1` picks B (across every ticker it would pick A, which is never a member).
        let inputs = try TestMarket.inputs(closes: [
            "A": [Double](repeating: 10, count: 60), "B": [Double](repeating: 20, count: 60),
            "C": [Double](repeating: 30, count: 60),
        ])
        let yaml = """
            data: {db: unused.sqlite}
            calendar: weekdays
            start: 2020-02-03
            end: 2020-03-27
            fractional_shares: true
            universe: {rule: {kind: top_dollar_volume, size: 2, lookback: 5, min_price: 1, min_history: 5, rebalance: monthly}}
            strategy: {kind: signals, entry: "cs_rank(-close) == 1", exit: "close < 0"}
            execution: {fill: close}
            """
        let (o, _) = try Kit.run(yaml, inputs: inputs)
        let buys = o.result.trades.filter { $0.quantity > 0 }
        #expect(!buys.isEmpty && buys.allSatisfy { $0.asset == 1 }, "\(buys.map(\.asset))")
    }
}
