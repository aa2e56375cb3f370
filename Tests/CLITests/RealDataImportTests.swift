import Foundation
import HindsightTestSupport
import Storage
import Testing

/// Imports of the real files in ../shared/data; skipped when that folder is absent (a user's fresh clone).
@Suite(.enabled(if: TestPaths.sharedDataAvailable, "../shared/data is not present"))
struct RealDataImportTests {
    let dir = TestPaths.makeTempDir("hindsight-real")

    @Test func usEquitiesGzipImportsEveryRowAndTicker() throws {
        let db = dir + "/us.sqlite"
        let r = try HindsightBinary.run([
            "data", "import", "prices", TestPaths.shared("us-equities/prices.csv.gz"), "--db", db,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("imported 416,103 rows"))
        #expect(r.stdout.contains("tickers: 133, dates: 2005-02-25 .. 2017-11-10"))
        let store = try HindsightDatabase(path: db)
        #expect(try store.count(table: "equity_prices_daily") == 416_103)
        let p = try HindsightBinary.run([
            "data", "import", "profiles", TestPaths.shared("us-equities/profiles.csv"), "--db", db,
        ])
        #expect(p.status == 0 && p.stdout.contains("company_profiles: 133"))
        // Known quirk of this data: 105 zero-volume rows.
        let check = try HindsightBinary.run(["data", "check", "--db", db, "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as! [String: Any]
        #expect((obj["totals"] as! [String: Any])["zero_volume_days"] as? Int == 105)
    }

    @Test func plainAndYahooStyleFilesTakeTheirTickerFromTheName() throws {
        let db = dir + "/g.sqlite"
        let g = try HindsightBinary.run([
            "data", "import", "prices", TestPaths.shared("goog-2004-2013.csv"), "--db", db,
        ])
        #expect(g.status == 0 && g.stdout.contains("imported 2,148 rows"))
        let s = try HindsightBinary.run([
            "data", "import", "prices", TestPaths.shared("sp500-index-1999-2018.csv"), "--db", db, "--ticker", "SPX",
        ])
        #expect(s.status == 0 && s.stdout.contains("imported 5,031 rows"))
        #expect(try HindsightDatabase(path: db).priceTickers() == ["GOOG", "SPX"])
    }

    @Test func famaFrenchFactorsImportInPercent() throws {
        let db = dir + "/ff.sqlite"
        let r = try HindsightBinary.run([
            "data", "import", "factors", TestPaths.shared("ff3-daily-percent.csv"), "--db", db, "--percent",
        ])
        #expect(r.status == 0 && r.stdout.contains("imported 97,060 rows"))
        let first = try HindsightDatabase(path: db).loadFactorReturns().first { $0.factor == "mkt_rf" }!
        #expect(first.date.iso == "1926-07-01" && abs(first.value - 0.001) < 1e-15)
    }

    @Test func aCorruptedRealFileIsRefusedWithItsLineNumber() throws {
        var lines = try String(contentsOfFile: TestPaths.shared("goog-2004-2013.csv"), encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        ).map(String.init)
        lines[1000] = "2008-08-13,25.102,2.6138,2.59,2.61,1000"
        let path = dir + "/goog.csv"
        TestPaths.write(lines.joined(separator: "\n"), to: path)
        let db = dir + "/c.sqlite"
        let r = try HindsightBinary.run(["data", "import", "prices", path, "--db", db])
        #expect(r.status == 1)
        #expect(r.stderr.contains("goog.csv:1001"))
        #expect(try HindsightDatabase(path: db).count(table: "equity_prices_daily") == 0)
    }
}
