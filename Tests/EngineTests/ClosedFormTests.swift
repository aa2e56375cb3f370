import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Testing

/// Engine results against closed forms worked out independently of the engine.
struct ClosedFormTests {
    @Test func equalWeightBuyAndHoldOfTwentyStocksMatchesTheClosedForm() throws {
        let base = try TestConfig.parse(
            """
            data: {synthetic: {assets: 60, start: 2015-01-02, end: 2016-12-30, seed: 3}}
            start: 2015-01-02
            end: 2016-12-30
            strategy: {kind: equal_weight_buy_and_hold}
            """)
        let inputs = try MarketInputs.load(for: base)
        let p = inputs.panel
        let picks = p.tickers.indices.filter { p.valid[$0 * p.dayCount] && p.tickers[$0] != "MKT" }.prefix(20)
        #expect(picks.count == 20)
        let yaml = """
            data: {synthetic: {assets: 60, start: 2015-01-02, end: 2016-12-30, seed: 3}}
            start: 2015-01-02
            end: 2016-12-30
            initial_cash: 1000000
            fractional_shares: true
            universe: {tickers: [\(picks.map { p.tickers[$0] }.joined(separator: ", "))]}
            strategy: {kind: equal_weight_buy_and_hold}
            portfolio: {dividends: reinvest}
            """
        let (o, _) = try Kit.run(yaml, inputs: inputs)
        // Closed form: each name's total-return growth from raw closes, splits and dividends, times C/20.
        var growth = [[Double]](repeating: [], count: 20)
        for (j, a) in picks.enumerated() {
            var g = 1.0
            for d in 0..<p.dayCount {
                let k = a * p.dayCount + d
                if d > 0, p.valid[k] { g *= p.splitRatio[k] * (p.close[k] + p.dividend[k]) / p.close[k - 1] }
                growth[j].append(g)
            }
        }
        let actions = picks.reduce(0) { n, a in
            n
                + (0..<p.dayCount).filter {
                    p.splitRatio[a * p.dayCount + $0] != 1 || p.dividend[a * p.dayCount + $0] != 0
                }.count
        }
        #expect(actions > 0, "the sample should include corporate actions")
        var worst = 0.0
        for (i, e) in o.result.equity.enumerated() {
            let expected = growth.reduce(0) { $0 + 50_000 * $1[i] }
            worst = max(worst, Tolerance.relativeError(e, expected))
        }
        #expect(worst < 1e-10, "worst relative error \(worst)")
    }

    /// Raw bars with a 2:1 split on day 5 and dividends on days 3 and 8.
    static let raw: [Double] = [100, 102, 101, 99, 103, 52, 53, 51, 50, 54, 55]
    static let actions = [
        CorporateAction(ticker: "X", date: TradingDay(year: 2020, month: 1, day: 9)!, kind: .dividend, value: 1.5),
        CorporateAction(ticker: "X", date: TradingDay(year: 2020, month: 1, day: 13)!, kind: .split, value: 2),
        CorporateAction(ticker: "X", date: TradingDay(year: 2020, month: 1, day: 16)!, kind: .dividend, value: 0.75),
    ]

    /// Buy-and-hold of X over the eleven sessions, with extra top-level keys.
    static func holdX(_ extra: String) -> String {
        """
        data: {db: unused.sqlite}
        calendar: weekdays
        start: 2020-01-06
        end: 2020-01-20
        universe: {tickers: [X]}
        strategy: {kind: equal_weight_buy_and_hold}
        \(extra)
        """
    }

    @Test func splitsAndReinvestedDividendsGiveTheAdjustedSeriesTotalReturn() throws {
        let inputs = try TestMarket.inputs(closes: ["X": Self.raw], actions: Self.actions)
        let (o, _) = try Kit.run(
            Self.holdX("fractional_shares: true\nportfolio: {dividends: reinvest}"), inputs: inputs)
        // By hand, the product of split × (close + dividend) / previous close over days 1..10 telescopes to
        // (99 + 1.5)/100 × 1/99 × 2 × (50 + 0.75) × 55/50 (the dividend days, the split, and the last close).
        let byHand = (99 + 1.5) / 100 / 99 * 2 * (50 + 0.75) * 55 / 50
        let tr = Self.raw.count - 1
        #expect(
            Tolerance.relativeError(o.result.finalEquity / 10_000, byHand) < 1e-12,
            "\(o.result.finalEquity / 10_000) vs \(byHand)")
        let adj = inputs.panel.adjustedClose
        #expect(Tolerance.relativeError(o.result.finalEquity / 10_000, adj[tr] / adj[0]) < 1e-12)
        let split = o.result.trades.filter { $0.flags & TradeRecord.dividendReinvestment != 0 }
        #expect(split.count == 2)
    }

    @Test func cashDividendsAreCreditedAndSplitsScaleTheShares() throws {
        let inputs = try TestMarket.inputs(closes: ["X": Self.raw], actions: Self.actions)
        let (o, _) = try Kit.run(Self.holdX(""), inputs: inputs)
        // Whole shares: 100 at 100; dividend 1.5 × 100; split → 200 shares; dividend 0.75 × 200.
        #expect(o.result.trades.count == 1 && o.result.trades[0].quantity == 100)
        #expect(o.result.equity.last! == 200 * 55 + 150 + 150)
        #expect(o.result.equity[3] == 100 * 99 + 150)
        #expect(o.result.equity[5] == 200 * 52 + 150)
    }

    @Test func idleCashCompoundsAtTheAnnualRate() throws {
        // A rising series never crosses, so the SMA strategy stays in cash the whole time.
        let closes = (0..<30).map { 100 + Double($0) }
        let inputs = try TestMarket.inputs(closes: ["X": closes])
        let (o, _) = try Kit.run(
            """
            data: {db: unused.sqlite}
            calendar: weekdays
            start: 2020-01-06
            end: 2020-03-01
            universe: {tickers: [X]}
            strategy: {kind: sma_crossover, params: {fast: 2, slow: 5}}
            portfolio: {cash_rate: 0.05}
            """, inputs: inputs)
        #expect(o.result.trades.isEmpty)
        #expect(Tolerance.relativeError(o.result.finalEquity, 10_000 * pow(1 + 0.05 / 252, 29)) < 1e-12)
    }

    @Test func allInBuysFloorCashOverPriceTimesOnePlusTheCommissionRate() throws {
        let closes: [Double] = [10, 9, 8, 7, 8, 9, 10, 11, 12, 13]
        let inputs = try TestMarket.inputs(closes: ["X": closes])
        let (o, _) = try Kit.run(
            """
            data: {db: unused.sqlite}
            calendar: weekdays
            start: 2020-01-06
            end: 2020-03-01
            initial_cash: 1000
            universe: {tickers: [X]}
            strategy: {kind: sma_crossover, params: {fast: 1, slow: 3}}
            execution: {commission: {model: bps, bps: 25}}
            """, inputs: inputs)
        let buy = try #require(o.result.trades.first)
        // Fast(1) crosses above slow(3) at day 4 (close 8 > mean(7, 8, ... )): shares = floor(1000 / (8 × 1.0025)).
        #expect(buy.day == 4)
        #expect(buy.quantity == (1000 / (8 * 1.0025)).rounded(.down))
        #expect(Tolerance.relativeError(buy.commission, buy.quantity * 8 * 0.0025) < 1e-15)
        #expect(Tolerance.relativeError(o.result.cash[4], 1000 - buy.quantity * 8 * 1.0025) < 1e-12)
    }

    @Test func shortsPayTheBorrowFeeOnTheirPreviousCloseValue() throws {
        // X rises and Y falls: a long-short trend book goes long X and short Y once and holds.
        let x = (0..<20).map { 50 + Double($0) }, y = (0..<20).map { 80 - Double($0) }
        let inputs = try TestMarket.inputs(closes: ["X": x, "Y": y])
        func run(_ fee: Double) throws -> BacktestResult {
            try Kit.run(
                """
                data: {db: unused.sqlite}
                calendar: weekdays
                start: 2020-01-08
                end: 2020-03-01
                fractional_shares: true
                universe: {tickers: [X, Y]}
                strategy:
                  kind: assessment_risk_daily_rebal
                  rebalance: 1000
                  assessment: {model: trend, window: 2}
                  risk: {long_only: false, top_n: 1, gross_leverage: 1, net_leverage: 0}
                portfolio: {borrow_fee_bps: \(fee)}
                """, inputs: inputs
            ).0.result
        }
        let free = try run(0), charged = try run(1000)
        let short = try #require(free.trades.first { $0.quantity < 0 })
        #expect(short.asset == 1 && Tolerance.relativeError(short.quantity, -5_000 / y[2]) < 1e-12)
        #expect(free.trades.count == 2 && charged.trades.count == 2)
        // Fee per session = shares short × previous close × 10% / 252, from the session after the trade.
        var fees = 0.0
        for d in 3..<20 { fees += -short.quantity * y[d - 1] * 0.1 / 252 }
        #expect(Tolerance.relativeError(free.finalEquity - charged.finalEquity, fees) < 1e-9)
        #expect(free.short.last! < 0 && abs(free.net[0]) < 1e-12)
    }
}
