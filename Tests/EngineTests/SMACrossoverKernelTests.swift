import Foundation
import HindsightTestSupport
import MarketData
import Testing

@testable import Engine

@Suite struct SMACrossoverKernelTests {
    /// The kernel-equals-engine check on the built-in synthetic market (the GOOG version needs ../shared/data).
    @Test func theFullEngineAndTheKernelGiveBitIdenticalEquityOnTheBuiltInMarket() throws {
        let data = try TestMarket.synthetic(assets: 2, start: "2012-01-03", end: "2016-12-30", seed: 3)
        let closes = TestMarket.closes(data, ticker: "MKT")
        #expect(closes.count > 1000)
        let inputs = try TestMarket.inputs(closes: ["MKT": closes])
        for (fast, slow) in [(5, 20), (10, 50), (30, 200)] {
            let yaml = TestConfig.yaml(
                db: "unused.sqlite", tickers: ["MKT"], start: "2020-01-06", end: "2040-12-31",
                strategy: "{kind: sma_crossover, params: {fast: \(fast), slow: \(slow)}}",
                extra: ["execution: {fill: close, commission: {model: bps, bps: 10}}", "fractional_shares: true"])
            let (o, _) = try Kit.run(yaml, inputs: inputs)
            var equity = [Double](repeating: 0, count: closes.count)
            let s = SMACrossoverKernel(close: closes).run(
                fast: fast, slow: slow, fee: 0.001, initialCash: 10_000, equity: &equity)
            #expect(s.trades > 3, "SMA(\(fast),\(slow)) should trade on five years of data")
            #expect(o.result.equity.map(\.bitPattern) == equity.map(\.bitPattern), "SMA(\(fast),\(slow))")
        }
    }

    @Test func handWorkedCrossoverBuysAllInAndSellsWithFees() {
        // SMA(1) vs SMA(2): up at t=2, down at t=4.
        let close = [10.0, 9.0, 11.0, 12.0, 8.0, 9.0]
        let k = SMACrossoverKernel(close: close)
        var eq = [Double](repeating: 0, count: close.count)
        let s = k.run(fast: 1, slow: 2, fee: 0.001, initialCash: 1000, equity: &eq)
        // t=1: 9 < 9.5 (below). t=2: 11 > 10 → buy 1000/(11·1.001). t=4: 8 < 10 → sell.
        // t=5: 9 > 8.5 → buy again with everything, marked at the last close 9.
        let shares = 1000 / (11 * 1.001)
        let cash = shares * 8 * 0.999
        let second = cash / (9 * 1.001)
        #expect(abs(s.finalValue - second * 9) < 1e-9)
        #expect(s.trades == 2)
        #expect(abs(eq[4] - cash) < 1e-9)
        #expect(eq[0] == 1000 && eq[1] == 1000)
        #expect(abs(eq[3] - shares * 12) < 1e-9)
    }

    @Test func exactTiesDoNotCross() {
        // SMA(1) equals SMA(2) at t=2 (10 = (10+10)/2): a tie is "not above", so no entry there.
        let k = SMACrossoverKernel(close: [10.0, 10.0, 10.0, 10.1, 10.2])
        #expect(k.run(fast: 1, slow: 2, fee: 0, initialCash: 100).trades == 1)  // enters at t=3
    }

    @Test(
        .enabled(
            if: TestPaths.sharedDataAvailable
                && FileManager.default.fileExists(atPath: TestPaths.sharedData + "/../peers/sma_grid_exact.csv"),
            "../shared/data or ../shared/peers is not present"))
    func everyGridPointMatchesVectorbtWithExactCrossings() throws {
        var parser = PriceFileParser()
        try parser.parse(file: TestPaths.shared("goog-2004-2013.csv"))
        let close = parser.rows.close
        #expect(close.count == 2148)
        let k = SMACrossoverKernel(close: close)
        let text = try String(contentsOfFile: TestPaths.sharedData + "/../peers/sma_grid_exact.csv", encoding: .utf8)
        var checked = 0, bad: [String] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            let fast = Int(f[0])!, slow = Int(f[1])!, total = Double(f[2])!, trades = Int(f[4])!
            let s = k.run(fast: fast, slow: slow, fee: 0.001, initialCash: 10_000)
            if abs(s.totalReturn - total) > 1e-9 * max(1, abs(total)) || s.trades != trades {
                bad.append("\(fast)/\(slow): \(s.totalReturn) vs \(total), trades \(s.trades) vs \(trades)")
            }
            checked += 1
        }
        #expect(checked == 14_751)
        #expect(bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(5))")
    }
}
