import Foundation
import HindsightTestSupport
import MarketData
import Signals
import Testing

/// Every listed indicator against the `ta-lib` package on the real stocks of ../shared/data
/// (scripts/make_signal_fixtures.py writes the fixture).
@Suite(.enabled(if: TestPaths.sharedDataAvailable, "../shared/data is not present"))
struct IndicatorGoldenTests {
    /// Each fixture ticker's own bars in date order, from the shared price file.
    static let bars: [String: AssetBars] = {
        let bytes = try! FileBytes.read(TestPaths.shared("us-equities/prices.csv.gz"))
        var rows: [String: [(String, [Double])]] = [:]
        let wanted: Set<String> = ["AAPL", "JPM", "SPY", "XOM", "FB", "KO"]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let ticker = String(f[1])
            guard wanted.contains(ticker) else { continue }
            rows[ticker, default: []].append((String(f[0]), f[2...6].map { Double($0)! }))
        }
        return rows.mapValues { r in
            let s = r.sorted { $0.0 < $1.0 }.map(\.1)
            let close = s.map { $0[3] }
            return AssetBars(
                open: s.map { $0[0] }, high: s.map { $0[1] }, low: s.map { $0[2] }, close: close,
                volume: s.map { $0[4] }, adjClose: close)
        }
    }()

    /// (expression, ticker) → [(bar, value or nil for NaN)].
    static let golden: [String: [(Int, Double?)]] = {
        let url = Bundle.module.url(forResource: "Fixtures/talib-us-equities.csv", withExtension: "gz")!
        let text = String(decoding: try! FileBytes.read(url.path), as: UTF8.self)
        var out: [String: [(Int, Double?)]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            // The expression is quoted when it holds commas.
            let s = String(line)
            let expr: String, rest: [Substring]
            if s.hasPrefix("\"") {
                let end = s.index(after: s.dropFirst().firstIndex(of: "\"")!)
                expr = String(s[s.index(after: s.startIndex)..<s.index(before: end)])
                rest = s[s.index(after: end)...].split(separator: ",", omittingEmptySubsequences: false)
            } else {
                let f = s.split(separator: ",", omittingEmptySubsequences: false)
                expr = String(f[0])
                rest = Array(f[1...])
            }
            out[expr + "|" + rest[0], default: []].append((Int(rest[1])!, rest[2].isEmpty ? nil : Double(rest[2])!))
        }
        return out
    }()

    @Test func everyIndicatorEqualsTALibAt1e9OnEachTickersFullHistory() throws {
        #expect(Self.golden.count == 40 * 6)
        var checked = 0
        for (key, values) in Self.golden.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|").map(String.init)
            let program = try SignalProgram.compile(parts[0], params: [:])
            let bars = try #require(Self.bars[parts[1]])
            let ours = program.evaluate(bars)
            #expect(ours.count == bars.count)
            for (bar, want) in values {
                let got = ours[bar]
                if let want {
                    #expect(Tolerance.close(got, want, rel: 1e-9), "\(key) bar \(bar): \(got) vs TA-Lib \(want)")
                } else {
                    #expect(got.isNaN, "\(key) bar \(bar): \(got) where TA-Lib has no value yet")
                }
                checked += 1
            }
        }
        #expect(checked > 100_000)
    }
}
