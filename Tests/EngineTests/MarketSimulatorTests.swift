import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Testing

/// Fills, partial fills, gaps, costs and the order of trades.
struct MarketSimulatorTests {
    func buyAndHold(_ extra: String, tickers: String = "[X]") -> String {
        """
        data: {db: unused.sqlite}
        calendar: weekdays
        start: 2020-01-06
        end: 2020-03-01
        initial_cash: 1000000
        universe: {tickers: \(tickers)}
        strategy: {kind: equal_weight_buy_and_hold}
        \(extra)
        """
    }

    @Test func partialFillsCarryTheRemainderToTheNextSession() throws {
        let inputs = try TestMarket.inputs(closes: ["X": [Double](repeating: 100, count: 6)], volume: 1_000)
        let (o, store) = try Kit.run(
            buyAndHold("execution: {max_participation: 0.25, partial_fills: carry}"), inputs: inputs)
        // Wants 10,000 shares; 250 a session (25% of 1,000) over six sessions.
        #expect(o.result.trades.map(\.quantity) == [Double](repeating: 250, count: 6))
        #expect(o.result.trades[0].flags & TradeRecord.carriedRemainder != 0)
        #expect(o.result.trades[1].flags & TradeRecord.fromCarry != 0)
        let rows = try store.loadRun(id: o.runID.rawValue).trades
        #expect(
            rows[0].decisionMetadataJSON.contains(
                "\"partial_fill\":{\"filled\":250,\"remainder\":\"carried\",\"requested\":10000}"))
    }

    @Test func partialFillsCanCancelTheRemainder() throws {
        let inputs = try TestMarket.inputs(closes: ["X": [Double](repeating: 100, count: 6)], volume: 1_000)
        let (o, _) = try Kit.run(
            buyAndHold("execution: {max_participation: 0.25, partial_fills: cancel}"), inputs: inputs)
        #expect(o.result.trades.map(\.quantity) == [250])
        #expect(o.result.trades[0].flags & TradeRecord.cancelledRemainder != 0)
        #expect(o.result.equity.last! == 1_000_000)
    }

    @Test func anOrderOnASessionWithoutABarIsSkippedAndRecorded() throws {
        // Y has no bar on day 1 (the next-open fill day) and day 3.
        let inputs = try TestMarket.inputs(closes: ["X": [10, 10, 11, 12, 13], "Y": [20, .nan, 21, .nan, 23]])
        let (o, store) = try Kit.run(buyAndHold("execution: {fill: next_open}", tickers: "[X, Y]"), inputs: inputs)
        #expect(o.result.trades.count == 1 && o.result.trades[0].asset == 0)
        #expect(o.result.gaps.contains { $0.day == 1 && $0.asset == 1 && $0.orderSkipped })
        guard case .object(let m) = o.metrics else {
            Issue.record("metrics are not an object")
            return
        }
        #expect(m.first { $0.0 == "gaps_skipped_orders" }?.1 == .integer(1))
        let equity = try store.loadRun(id: o.runID.rawValue).equity
        #expect(equity[1].exposureJSON.contains("order skipped: Y"))
    }

    @Test func aHeldPositionWithoutABarIsMarkedAtItsLastCloseAndCounted() throws {
        let inputs = try TestMarket.inputs(closes: ["X": [10, 11, .nan, 13]])
        let (o, store) = try Kit.run(buyAndHold("fractional_shares: true"), inputs: inputs)
        #expect(o.result.equity[2] == o.result.equity[1])
        #expect(o.result.gaps == [GapEvent(day: 2, asset: 0, orderSkipped: false)])
        #expect(try store.loadRun(id: o.runID.rawValue).equity[2].exposureJSON.contains("held, no bar: X"))
    }

    @Test func slippageThenCommissionModelsPriceTheFill() throws {
        let inputs = try TestMarket.inputs(closes: ["X": [100, 100, 100]], opens: ["X": [100, 100, 100]])
        func firstTrade(_ execution: String) throws -> TradeRecord {
            try #require(Kit.run(buyAndHold("execution: \(execution)"), inputs: inputs).0.result.trades.first)
        }
        let fixed = try firstTrade("{slippage: {model: fixed_bps, bps: 20}, commission: {model: fixed, amount: 7}}")
        #expect(fixed.price == 100 * 1.002)
        #expect(fixed.commission == 7)
        #expect(fixed.quantity == ((1_000_000 - 7) / 100.2).rounded(.down))
        #expect(Tolerance.relativeError(fixed.slippage, fixed.quantity * 0.2) < 1e-12)
        // High − low is 2% of the price in the test bars (×1.01 and ×0.99).
        let spread = try firstTrade(
            "{slippage: {model: half_spread, fraction: 0.5}, commission: {model: per_share, per_share: 0.01, minimum: 5}}"
        )
        #expect(Tolerance.relativeError(spread.price, 101) < 1e-12)
        #expect(Tolerance.relativeError(spread.commission, spread.quantity * 0.01) < 1e-12)
    }

    @Test func sellsGoBeforeBuysOnEveryRebalance() throws {
        let (o, _) = try Kit.run(
            """
            data: {synthetic: {assets: 40, start: 2015-01-02, end: 2016-06-30, seed: 11}}
            start: 2015-06-01
            end: 2016-06-30
            strategy:
              kind: assessment_risk_daily_rebal
              rebalance: weekly
              assessment: {model: momentum, lookback: 60, skip: 5}
              risk: {top_n: 5}
            execution: {commission: {model: bps, bps: 5}}
            """)
        var byDay = [Int32: [Double]]()
        for t in o.result.trades { byDay[t.day, default: []].append(t.quantity) }
        #expect(byDay.count > 20)
        for (_, q) in byDay {
            let firstBuy = q.firstIndex { $0 > 0 } ?? q.count
            #expect(!q[firstBuy...].contains { $0 < 0 })
        }
        // Long-only, no leverage: cash never goes below zero.
        #expect(o.result.cash.allSatisfy { $0 >= -1e-6 })
    }
}
