import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Testing

/// Round trips: built from the fills, reconciled with the equity, stored and summarised.
@Suite struct RoundTripTests {
    @Test func closedTripsPlusTheOpenMarkEqualTheChangeInEquity() throws {
        // Three tickers, longs and shorts, stops, commission and slippage; no dividends or interest.
        let n = 160
        var a: [Double] = [], b: [Double] = [], c: [Double] = []
        for i in 0..<n {
            let x = Double(i)
            a.append(100 + 10 * sin(x / 9))
            b.append(50 + 6 * sin(x / 5 + 1) + x * 0.05)
            c.append(80 - 8 * cos(x / 7))
        }
        let closes: [String: [Double]] = ["A": a, "B": b, "C": c]
        let inputs = try TestMarket.inputs(closes: closes)
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A", "B", "C"], start: "2020-01-06", end: "2020-12-31",
            strategy: """
                {kind: signals, entry: "crossover(sma(close, 3), sma(close, 10))", \
                exit: "crossunder(sma(close, 3), sma(close, 10))", \
                short_entry: "crossunder(sma(close, 3), sma(close, 10))", \
                short_exit: "crossover(sma(close, 3), sma(close, 10))", size: {kind: percent_equity, value: 0.9}}
                """,
            initialCash: 100_000,
            extra: [
                "execution: {fill: next_open, commission: {model: bps, bps: 5}, slippage: {model: fixed_bps, bps: 3}}",
                "fractional_shares: true", "stops: {stop_loss: 0.04, take_profit: 0.06}",
            ])
        let (o, _) = try Kit.run(yaml, inputs: inputs)
        let trips = o.result.roundTrips(panel: inputs.panel)
        #expect(
            trips.contains { $0.direction < 0 }
                && trips.contains { $0.exitReason == .stopLoss || $0.exitReason == .takeProfit })
        #expect(trips.filter { !$0.isClosed }.count <= 3)
        let total = trips.reduce(0) { $0 + $1.pnl }
        #expect(
            Tolerance.close(total, o.result.finalEquity - 100_000, rel: 1e-9),
            "\(total) vs \(o.result.finalEquity - 100_000)")
    }

    @Test func aPartialExitSplitsTheTripAtTheAverageEntryPrice() throws {
        // Two buys (100 at 10, then 100 at 12) and a sell of 150 limited by participation to 60 + 60 + 30.
        let closes = [10.0, 10, 12, 12, 13, 13, 13, 13]
        let inputs = try TestMarket.inputs(closes: ["A": closes], volume: 600)
        // Built directly from fills: the rule is the builder's, not a strategy's.
        var r = try Kit.run(
            TestConfig.yaml(
                db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
                strategy: "{kind: signals, entry: \"close > 100\", exit: \"close < 0\"}"), inputs: inputs
        ).0.result
        func fill(_ day: Int, _ q: Double, _ p: Double) -> TradeRecord {
            TradeRecord(
                day: Int32(day), asset: 0, quantity: q, price: p, commission: abs(q) * p * 0.001, slippage: 0,
                decision: -1, requested: q, flags: 0)
        }
        r.trades = [fill(0, 100, 10), fill(2, 100, 12), fill(4, -60, 13), fill(5, -60, 13), fill(6, -30, 13)]
        let trips = r.roundTrips(panel: inputs.panel)
        #expect(trips.map(\.quantity) == [60, 60, 30, 50])
        #expect(trips.allSatisfy { $0.entryPrice == 11 })
        let entryFees = 100 * 10 * 0.001 + 100 * 12 * 0.001
        #expect(Tolerance.close(trips[0].pnl, 60 * 2 - entryFees * 0.3 - 60 * 13 * 0.001, rel: 1e-12))
        #expect(trips[3].exitReason == .endOfRun && trips[3].exitFill == nil && trips[3].entryFill == 0)
        #expect(trips[2].exitFill == 4 && trips[2].barsHeld == 6)
    }

    @Test func successivePartialExitsMeasureTheirExcursionsAndBarsFromTheEntry() throws {
        // One entry, trimmed three times, the rest open at the end: each trip's bars, MAE and MFE are those of the
        // whole span from the entry (the builder continues one scan from trim to trim).
        let closes = [10.0, 11, 9, 12, 8, 13, 12, 7, 14, 10]
        let inputs = try TestMarket.inputs(closes: ["A": closes])
        var r = try Kit.run(
            TestConfig.yaml(
                db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
                strategy: "{kind: signals, entry: \"close > 100\", exit: \"close < 0\"}"), inputs: inputs
        ).0.result
        func fill(_ day: Int, _ q: Double) -> TradeRecord {
            TradeRecord(
                day: Int32(day), asset: 0, quantity: q, price: closes[day], commission: 0, slippage: 0, decision: -1,
                requested: q, flags: 0)
        }
        r.trades = [fill(0, 100), fill(2, -10), fill(4, -20), fill(7, -30)]
        let trips = r.roundTrips(panel: inputs.panel, excursions: true)
        #expect(trips.map(\.exitDay) == [2, 4, 7, Int32(r.firstSession + r.dates.count - 1)])
        let p = inputs.panel
        for t in trips {
            let days = Int(t.entryDay + 1)...Int(t.exitDay)
            let lows = days.map { p.low[p.index(asset: 0, day: $0)] },
                highs = days.map { p.high[p.index(asset: 0, day: $0)] }
            #expect(t.barsHeld == days.count)
            #expect(t.mae == min(0, lows.map { $0 / 10 - 1 }.min()!))
            #expect(t.mfe == max(0, highs.map { $0 / 10 - 1 }.max()!))
        }
        #expect(trips[2].mae < trips[0].mae && trips[3].mfe > trips[2].mfe)
    }

    @Test func tradeStatisticsMatchAHandWorkedExample() {
        let s = TradeStatistics(pnl: [100, -50, 30, -20, 0], barsHeld: [5, 3, 8, 2, 4])
        #expect(s.count == 5 && s.winRate == 0.4)
        #expect(s.averageWin == 65 && s.averageLoss == -35 && s.expectancy == 12)
        #expect(Tolerance.close(s.profitFactor, 130.0 / 70.0, rel: 1e-15))
        #expect(s.averageBarsHeld == 4.4 && s.medianBarsHeld == 4)
        // sd (n − 1) of [100, −50, 30, −20, 0] = sqrt(13080 / 4); SQN = √5 · 12 / sd.
        #expect(Tolerance.close(s.sqn, 5.0.squareRoot() * 12 / (13080.0 / 4).squareRoot(), rel: 1e-12))
    }

    @Test func backtestRunStoresTheRoundTripsWithTheirTradeIDs() throws {
        let inputs = try TestMarket.inputs(closes: ["A": (0..<80).map { 100 + 8 * sin(Double($0) / 6) }])
        let yaml = TestConfig.yaml(
            db: "unused.sqlite", tickers: ["A"], start: "2020-01-06", end: "2020-12-31",
            strategy: "{kind: sma_crossover, params: {fast: 3, slow: 8}}",
            extra: ["fractional_shares: true", "stops: {take_profit: 0.02}"])
        let (o, store) = try Kit.run(yaml, inputs: inputs)
        let rows = try store.roundTrips(runID: o.runID.rawValue)
        let trades = try store.loadRun(id: o.runID.rawValue).trades
        #expect(!rows.isEmpty && rows.count == o.result.roundTrips(panel: inputs.panel).count)
        #expect(rows.contains { $0.exitReason == "take_profit" })
        for t in rows {
            let entry = try #require(trades.first { $0.tradeID == t.entryTradeID })
            #expect(entry.direction == "buy" && entry.date == t.entryDate)
            if let x = t.exitTradeID {
                #expect(trades.first { $0.tradeID == x }?.date == t.exitDate)
            }
        }
        let m = o.metrics
        #expect(m["round_trips"] == .integer(rows.filter { $0.exitTradeID != nil }.count))
    }
}
