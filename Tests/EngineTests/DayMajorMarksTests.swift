import Backtest
import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Testing

@testable import Engine

/// The engine's day-major copy of the closes is a layout, not a new number: runs with and without it must agree bit
/// for bit, gaps, splits and dividends included.
@Suite struct DayMajorMarksTests {
    /// A run of `strategy` over every asset of `db`, filled at the close with 10 bps.
    static func config(_ db: String, from: String, to: String, _ strategy: String, more: String = "") throws
        -> RunConfig
    {
        try TestConfig.parse(
            """
            data: {db: \(db)}
            start: \(from)
            end: \(to)
            initial_cash: 100000
            universe: {all: true}
            strategy: \(strategy)
            execution: {fill: close, commission: {model: bps, bps: 10}}
            \(more)
            """)
    }

    @Test func theDayMajorCopyHoldsEveryCellOfThePanel() throws {
        // Not a multiple of the transpose's tile on either side.
        var closes: [String: [Double]] = [:]
        for t in 0..<3 { closes["T\(t)"] = (0..<70).map { d in d % 11 == t ? .nan : 100 + Double(t * 100 + d) } }
        let panel = try TestMarket.inputs(closes: closes).panel
        let m = DayMajorMarks(panel: panel)
        #expect(m.assets == 3 && m.days == 70 && m.close.count == 3 * 70 && m.fits(panel))
        // A copy of another market's shape is never read: the reader falls back to the panel's own layout.
        let other = try TestMarket.inputs(closes: ["A": [1, 2], "B": [3, 4]]).panel
        let reader = DayMajorMarks.Reader(panel: other, marks: m)
        #expect(reader.index(asset: 1, day: 1) == other.dayCount + 1 && reader.close == other.close)
        for a in 0..<3 {
            for d in 0..<70 {
                let k = a * panel.dayCount + d
                #expect(m.valid[d * 3 + a] == panel.valid[k])
                #expect(m.close[d * 3 + a].bitPattern == panel.close[k].bitPattern || panel.close[k].isNaN)
            }
        }
    }

    @Test func runsWithTheDayMajorMarksEqualRunsOnThePanelBitForBit() throws {
        let dir = TestPaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/synth.sqlite"
        let data = try TestMarket.synthetic(assets: 12, start: "2010-01-04", end: "2014-12-31", seed: 5)
        #expect(!data.corporateActions.isEmpty)
        try HindsightDatabase(path: db).importDataset(data, replace: false)
        for (lookback, topN, every) in [(21, 3, 5), (63, 6, 21)] {
            let c = try Self.config(
                db, from: "2011-01-03", to: "2014-12-31",
                "{kind: momentum_rotation, params: {lookback: \(lookback), top_n: \(topN), rebalance_every: \(every)}}")
            let inputs = try MarketInputs.load(for: c)
            let pipeline = RunPipeline(inputs: inputs)
            let withMarks = pipeline.engineInputs(for: c)
            // One copy per market, whatever pipeline asks.
            let again = RunPipeline(inputs: inputs).engineInputs(for: c)
            #expect(withMarks.marks != nil && withMarks.marks === again.marks)
            var without = withMarks
            without.marks = nil
            let a = try BacktestEngine.run(c, inputs: withMarks), b = try BacktestEngine.run(c, inputs: without)
            #expect(a.trades.count > 20)
            #expect(a.equity.map(\.bitPattern) == b.equity.map(\.bitPattern))
            #expect(a.trades.map(\.quantity.bitPattern) == b.trades.map(\.quantity.bitPattern))
            #expect(a.decisions.map(\.score.bitPattern) == b.decisions.map(\.score.bitPattern))
            #expect(a.gaps.count == b.gaps.count && a.cash.map(\.bitPattern) == b.cash.map(\.bitPattern))
        }
    }

    @Test func stopRunsWithTheDayMajorBarsEqualRunsOnThePanelBitForBit() throws {
        let dir = TestPaths.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/synth.sqlite"
        try HindsightDatabase(path: db).importDataset(
            try TestMarket.synthetic(assets: 8, start: "2010-01-04", end: "2013-12-31", seed: 9), replace: false)
        for stops in ["{stop_loss: 0.03, take_profit: 0.06}", "{trailing_stop: 0.05}"] {
            let c = try Self.config(
                db, from: "2010-06-01", to: "2013-12-31",
                #"{kind: signals, params: {fast: 5, slow: 20}, entry: "crossover(sma(close, fast), sma(close, slow))", exit: "crossunder(sma(close, fast), sma(close, slow))"}"#,
                more: "stops: \(stops)")
            let pipeline = RunPipeline(inputs: try MarketInputs.load(for: c))
            let withBars = pipeline.engineInputs(for: c)
            #expect(withBars.bars != nil)
            var without = withBars
            without.bars = nil
            without.marks = nil
            let a = try BacktestEngine.run(c, inputs: withBars), b = try BacktestEngine.run(c, inputs: without)
            #expect(a.trades.contains { $0.reason != 0 }, "the stops fire")
            #expect(a.equity.map(\.bitPattern) == b.equity.map(\.bitPattern))
            #expect(a.trades.map(\.price.bitPattern) == b.trades.map(\.price.bitPattern))
            #expect(a.trades.map(\.reason) == b.trades.map(\.reason))
        }
    }
}
