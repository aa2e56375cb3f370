import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Services
import Testing

@Suite struct LookAheadCheckTests {
    static let base = """
        data: {synthetic: {assets: 20, start: 2014-01-02, end: 2016-12-30, seed: 12}}
        start: 2015-01-02
        end: 2016-12-30
        benchmark: MKT
        """

    @Test(arguments: [
        "universe: {rule: {kind: top_dollar_volume, size: 8, lookback: 21, min_price: 1, min_history: 63, rebalance: monthly}}\nstrategy: {kind: assessment_risk_daily_rebal, rebalance: weekly, assessment: {model: momentum, lookback: 63, skip: 5}, risk: {top_n: 4, long_only: true, regime_exposure: {bear_volatile: 0.5}}}\nregime: {source: builtin, ticker: MKT}\nexecution: {fill: next_open}",
        "universe: {tickers: [MKT]}\nstrategy: {kind: sma_crossover, params: {fast: 10, slow: 40}}\nexecution: {fill: close}\nstops: {stop_loss: 0.03, trailing_stop: 0.05}",
        "universe: {all: true}\nstrategy: {kind: signals, entry: \"rsi(close, 14) < 35 and cs_rank(roc(close, 20)) > 0.5\", exit: \"rsi(close, 14) > 60\"}\nexecution: {fill: next_open}",
        "universe: {all: true}\nstrategy: {kind: signals, entry: \"close > sma(close, 20)\", exit: \"close < sma(close, 20)\"}\nexecution: {fill: {model: vwap, from: \"10:00\", to: \"15:30\"}, max_participation: 0.01, slippage: {model: sqrt_impact, k: 0.1}}\nstops: {stop_loss: 0.03, take_profit: 0.05}",
    ])
    func honestStrategiesPassTheLookAheadCheck(_ body: String) throws {
        let c = try TestConfig.parse(Self.base + "\n" + body)
        let inputs = try MarketInputs.load(for: c)
        let o = try LookAheadCheck.run(c, inputs: inputs)
        #expect(o.passed, "\(o.firstDifference ?? "")")
        #expect(o.cuts.count == 3 && o.compared > 20, "\(o.compared) compared")
    }

    @Test func pointsSharingTheirSessionsShareTheirCutsAndGetTheSameOutcome() throws {
        // A sweep's top points on the same sessions are checked on one set of cut inputs, built once.
        let configs = try [(10, 40), (5, 20), (20, 60)].map { fast, slow in
            try TestConfig.parse(
                Self.base
                    + "\nuniverse: {tickers: [MKT]}\nstrategy: {kind: sma_crossover, params: {fast: \(fast), slow: \(slow)}}"
            )
        }
        let inputs = try MarketInputs.load(for: configs[0])
        let shared = LookAheadCheck.SharedCuts(inputs)
        for c in configs {
            let alone = try LookAheadCheck.run(c, inputs: inputs)
            let sharing = try LookAheadCheck.run(c, inputs: inputs, cut: shared.inputs(throughSession:))
            #expect(sharing == alone && alone.passed)
        }
        #expect(shared.count == 3)
    }

    @Test func aStrategyThatReadsTomorrowsCloseFailsAtTheFirstCut() throws {
        StrategyRegistry.register(PeekTomorrow.self)
        let c = try TestConfig.parse(
            Self.base + "\nuniverse: {tickers: [MKT]}\nstrategy: {kind: test_peek_tomorrow}\nexecution: {fill: close}")
        let o = try LookAheadCheck.run(c, inputs: try MarketInputs.load(for: c))
        let d = try #require(o.firstDifference)
        let cut = o.cuts[0].iso
        #expect(d.hasPrefix("decision \(cut) MKT") && d.contains("cut after \(cut)"), "\(d)")
    }

    @Test func truncatedInputsHoldNothingAfterTheCut() throws {
        let c = try TestConfig.parse(
            Self.base + "\nuniverse: {tickers: [MKT]}\nstrategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}")
        let inputs = try MarketInputs.load(for: c)
        let t = try inputs.truncated(throughSession: 300)
        #expect(t.panel.dayCount == 301 && t.panel.calendar.last == inputs.panel.calendar.day(at: 300))
        #expect(t.panel.assetCount == inputs.panel.assetCount)
        let a = inputs.panel.asset(ticker: "MKT")!
        for d in 0...300 {
            #expect(
                t.panel.close[a * 301 + d] == inputs.panel.close[a * inputs.panel.dayCount + d]
                    || !t.panel.valid[a * 301 + d])
            #expect(
                t.panel.adjustedClose[a * 301 + d].isFinite
                    == inputs.panel.adjustedClose[a * inputs.panel.dayCount + d].isFinite)
        }
        let last = inputs.panel.calendar.day(at: 300)
        #expect(t.profiles.companyProfiles.allSatisfy { $0.validFrom <= last })
        #expect(t.factors.values.allSatisfy { $0.count == 301 })
    }
}
