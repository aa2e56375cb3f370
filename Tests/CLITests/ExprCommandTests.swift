import Foundation
import HindsightTestSupport
import Testing

@Suite struct ExprCommandTests {
    func synthDB() throws -> (dir: String, db: String) {
        let dir = TestPaths.makeTempDir()
        let db = dir + "/s.sqlite"
        let r = try HindsightBinary.run([
            "data", "synth", "--db", db, "--assets", "2", "--start", "2015-01-02", "--end", "2015-12-31", "--seed", "4",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, db)
    }

    @Test func exprPrintsDateTickerValueWithBlanksBeforeTheFirstValidBarAndBooleansAsBits() throws {
        let (dir, db) = try synthDB()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try HindsightBinary.run(["expr", "sma(close, n)", "--db", db, "--tickers", "MKT", "--param", "n=5"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "date,ticker,value")
        #expect(lines[1].hasSuffix(",MKT,") && lines[4].hasSuffix(",MKT,") && !lines[5].hasSuffix(","))
        #expect(lines.count == 1 + 252)
        let b = try HindsightBinary.run([
            "expr", "close > sma(close, 5)", "--db", db, "--tickers", "MKT", "--from", "2015-06-01", "--to",
            "2015-06-30",
        ])
        let values = Set(
            b.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").last.map(String.init) ?? "" })
        #expect(b.status == 0 && values.isSubset(of: ["0", "1"]) && b.stdout.contains("2015-06-01,MKT,"))
    }

    @Test func badExpressionsTickersAndParametersExitOneWithTheColumnAndTheFix() throws {
        let (dir, db) = try synthDB()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = try HindsightBinary.run(["expr", "rsi(close, 14) < 30 and rsx(close)", "--db", db, "--tickers", "MKT"])
        #expect(e.status == 1 && e.stdout.isEmpty)
        #expect(e.stderr.contains("column 25: unknown function `rsx`") && e.stderr.contains("did you mean `rsi`"))
        let caret = e.stderr.split(separator: "\n").first { $0.hasSuffix("^") }
        #expect(caret?.count == 4 + 25, "a caret under column 25: \(e.stderr)")
        let t = try HindsightBinary.run(["expr", "close", "--db", db, "--tickers", "MKT,NOPE"])
        #expect(t.status == 1 && t.stderr.contains("no prices for NOPE"))
        let p = try HindsightBinary.run(["expr", "sma(close, n)", "--db", db, "--tickers", "MKT", "--param", "n"])
        #expect(p.status == 1 && p.stderr.contains("is not name=value"))
        let missing = try HindsightBinary.run(["expr", "close", "--db", dir + "/none.sqlite", "--tickers", "MKT"])
        #expect(missing.status == 1 && !missing.stderr.contains("Fatal"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"))
    }
}
