import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Testing

@testable import Analytics

/// Golden values from empyrical-reloaded, quantstats and statsmodels (scripts/make_analytics_fixtures.py).
@Suite struct GoldenValueTests {
    nonisolated(unsafe) static let fixture: [String: Any] = {
        let url = Bundle.module.url(forResource: "Fixtures/analytics-golden", withExtension: "json")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()
    static var cases: [String: [String: Any]] { fixture["cases"] as! [String: [String: Any]] }

    static func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool { Tolerance.close(a, b, rel: rel) }

    /// Compares every golden key with ours; returns the mismatches.
    static func compare(_ golden: [String: Any], _ ours: JSONValue, path: String = "") -> [String] {
        var bad: [String] = []
        for (k, g) in golden {
            let here = path + k
            let mine = ours[k] ?? (k == "excess_sharpe" ? ours["information_ratio"] : nil)
            guard let mine else {
                bad.append("\(here): missing")
                continue
            }
            switch g {
            case let d as [String: Any]:
                bad += compare(d, mine, path: here + ".")
            case let list as [Any]:
                let expected = list.map { ($0 as? Double) ?? Double.nan }
                guard case .array(let items) = mine else {
                    bad.append("\(here): not an array")
                    continue
                }
                let values: [Double] = items.map { item in
                    if case .number(let v)? = item["return"] ?? item["value"] { return v }
                    return .nan
                }
                let filtered = k.hasPrefix("rolling") ? expected.filter { !$0.isNaN } : expected
                if filtered.count != values.count {
                    bad.append("\(here): \(values.count) values, expected \(filtered.count)")
                    continue
                }
                for (i, (e, v)) in zip(filtered, values).enumerated() where !close(e, v) {
                    bad.append("\(here)[\(i)]: \(v) vs \(e)")
                    break
                }
            case is NSNull:
                if case .number(let v) = mine, !v.isNaN { bad.append("\(here): \(v), expected NaN/null") }
            case let n as NSNumber:
                let e = n.doubleValue
                switch mine {
                case .number(let v):
                    if !close(e, v) { bad.append("\(here): \(v) vs \(e) (rel \(abs(v - e) / abs(e)))") }
                case .integer(let v): if Double(v) != e { bad.append("\(here): \(v) vs \(e)") }
                case .null: bad.append("\(here): null vs \(e)")
                default: bad.append("\(here): wrong type")
                }
            default: break
            }
        }
        return bad
    }

    @Test func embeddedSeriesMatchesEmpyricalQuantstatsAndStatsmodels() throws {
        let c = Self.cases["embedded"]!
        let input = c["input"] as! [String: Any]
        let dates = (input["dates"] as! [String]).map { TradingDay(iso: $0)! }
        let f = input["factors"] as! [String: [Double]]
        let report = MetricsReport(
            dates: dates, returns: input["returns"] as! [Double], benchmark: input["benchmark"] as? [Double],
            riskFree: nil,
            factors: .init(
                names: ["f1", "f2", "f3"], values: [f["f1"]!, f["f2"]!, f["f3"]!], riskFree: input["rf"] as? [Double]))
        let ours = try report.json()
        let bad = Self.compare(c["metrics"] as! [String: Any], ours)
        #expect(bad.isEmpty, "\(bad.joined(separator: "\n"))")
    }

    @Test func allZeroReturnsGiveZeroDrawdownAndNaNSharpe() throws {
        let c = Self.cases["zeros"]!
        let input = c["input"] as! [String: Any]
        let report = MetricsReport(
            dates: (input["dates"] as! [String]).map { TradingDay(iso: $0)! }, returns: input["returns"] as! [Double])
        let bad = Self.compare(c["metrics"] as! [String: Any], try report.json())
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test(.enabled(if: TestPaths.sharedDataAvailable, "../shared/data is not present"))
    func realSeriesMatchReferences() throws {
        var parser = PriceFileParser()
        try parser.parse(file: TestPaths.shared("us-equities/prices.csv.gz"))
        let rows = parser.rows
        func closes(_ t: String) -> [(TradingDay, Double)] {
            let k = Int32(rows.tickers.firstIndex(of: t)!)
            return (0..<rows.count).filter { rows.tickerIndex[$0] == k }.map { (rows.dates[$0], rows.close[$0]) }.sorted
            { $0.0 < $1.0 }
        }
        func returns(_ c: [(TradingDay, Double)]) -> [TradingDay: Double] {
            var out: [TradingDay: Double] = [:]
            for i in 1..<c.count { out[c[i].0] = c[i].1 / c[i - 1].1 - 1 }
            return out
        }
        let ff = try TimeSeriesTable.read(TestPaths.shared("ff3-daily-percent.csv"))
        var ffIndex: [TradingDay: Int] = [:]
        for (i, d) in ff.dates.enumerated() { ffIndex[d] = i }
        let spy = returns(closes("SPY"))
        for t in ["SPY", "AAPL", "XOM", "JPM"] {
            let c = closes(t)
            let r = returns(c)
            let dates = c.dropFirst().map(\.0).filter { spy[$0] != nil && ffIndex[$0] != nil }
            let col = { (name: String) in dates.map { ff.column(named: name)![ffIndex[$0]!] / 100 } }
            let report = MetricsReport(
                dates: dates, returns: dates.map { r[$0]! }, benchmark: t == "SPY" ? nil : dates.map { spy[$0]! },
                factors: .init(
                    names: ["mkt_rf", "smb", "hml"], values: [col("mkt_rf"), col("smb"), col("hml")],
                    riskFree: col("rf")))
            let golden = Self.cases[t]!
            #expect((golden["input"] as! [String: Any])["n"] as? Int == dates.count)
            let bad = Self.compare(golden["metrics"] as! [String: Any], try report.json())
            #expect(bad.isEmpty, "\(t):\n\(bad.joined(separator: "\n"))")
        }
        let spx = try TimeSeriesTable.read(TestPaths.shared("sp500-index-1999-2018.csv"))
        let close = spx.column(named: "close")!
        let rr = (1..<close.count).map { close[$0] / close[$0 - 1] - 1 }
        let bad = Self.compare(
            Self.cases["SPX"]!["metrics"] as! [String: Any],
            try MetricsReport(dates: Array(spx.dates.dropFirst()), returns: rr).json())
        #expect(bad.isEmpty, "SPX:\n\(bad.joined(separator: "\n"))")
    }
}
