import Foundation
import HindsightTestSupport
import Storage
import Testing

private let bin = HindsightBinary.self

@Suite struct DataCommandTests {
    let dir = TestPaths.makeTempDir("hindsight-cli")

    private func write(_ name: String, _ text: String) -> String {
        let p = dir + "/" + name
        TestPaths.write(text, to: p)
        return p
    }

    @Test func initTwiceIsHarmless() throws {
        let db = dir + "/x.sqlite"
        let a = try bin.run(["data", "init", "--db", db])
        let b = try bin.run(["data", "init", "--db", db])
        #expect(a.status == 0 && b.status == 0)
        #expect(b.stdout.contains("v1-initial"))
    }

    @Test func strictImportOfACorruptFileNamesTheLineAndLeavesTheDatabaseUnchanged() throws {
        let db = dir + "/s.sqlite"
        let good = write("good.csv", "date,ticker,open,high,low,close,volume\n2020-01-02,AAA,10,11,9,10,100\n")
        #expect(try bin.run(["data", "import", "prices", good, "--db", db]).status == 0)
        let bad = write(
            "bad.csv",
            "date,ticker,open,high,low,close,volume\n2020-01-03,AAA,10,11,9,10,100\n2020-01-06,AAA,25.102,2.6138,2.59,2.61,100\n2020-01-07,BBB,1,1,1,1,1\n"
        )
        let r = try bin.run(["data", "import", "prices", bad, "--db", db])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.csv:3"))
        #expect(r.stderr.contains("'open'"))
        #expect(r.stderr.contains("25.102"))
        #expect(r.stderr.contains("--skip-invalid"))
        #expect(!r.stderr.contains("Fatal"))
        #expect(try HindsightDatabase(path: db).count(table: "equity_prices_daily") == 1)
    }

    @Test func skipInvalidImportsValidRowsAndWritesRejects() throws {
        let db = dir + "/k.sqlite"
        let bad = write(
            "mixed.csv",
            "date,ticker,open,high,low,close,volume\n2020-01-03,AAA,10,11,9,10,100\n2020-01-06,AAA,10,11,9,10,-1\n2020-01-03,AAA,10,11,9,10,100\n2020-01-07,AAA,10,11,9,10,100\n"
        )
        let rejects = dir + "/rej.csv"
        let r = try bin.run(["data", "import", "prices", bad, "--db", db, "--skip-invalid", "--rejects", rejects])
        #expect(r.status == 0)
        #expect(r.stdout.contains("imported 2 rows"))
        #expect(r.stdout.contains("rejected: 2 rows"))
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("\(bad),3,volume,-1,negative volume"))
        #expect(lines[2].contains(",4,date,2020-01-03,\"duplicate (ticker AAA, date); first seen on line 2\""))
        // A repeat import is refused, and --replace allows it.
        let again = try bin.run(["data", "import", "prices", bad, "--db", db, "--skip-invalid", "--rejects", rejects])
        #expect(again.status == 1 && again.stderr.contains("already in the database"))
        #expect(
            try bin.run([
                "data", "import", "prices", bad, "--db", db, "--skip-invalid", "--rejects", rejects, "--replace",
            ]).status == 0)
    }

    @Test func badFlagsAndKindsGetClearErrors() throws {
        let r = try bin.run(["data", "import", "price", "x.csv", "--db", dir + "/f.sqlite"])
        #expect(r.status != 0 && r.stderr.contains("did you mean 'prices'"))
        let m = try bin.run(["data", "import", "prices", dir + "/missing.csv", "--db", dir + "/f.sqlite"])
        #expect(m.status != 0 && m.stderr.contains("file not found"))
        let c = try bin.run(["calendar", "days", "--calendar", "LSE", "--from", "2020-01-01", "--to", "2020-02-01"])
        #expect(c.status != 0 && c.stderr.contains("unknown calendar"))
        let d = try bin.run(["calendar", "days", "--from", "2020-02-30", "--to", "2020-03-01"])
        #expect(d.status != 0 && d.stderr.contains("YYYY-MM-DD"))
        let k = try bin.run(["data", "check", "--db", dir + "/nope.sqlite"])
        #expect(k.status != 0 && k.stderr.contains("no such database"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/nope.sqlite"))
    }

    @Test func calendarDaysPrintsTheNYSEListOfExchangeCalendars() throws {
        let r = try bin.run(["calendar", "days", "--calendar", "NYSE", "--from", "1995-01-01", "--to", "2030-12-31"])
        #expect(r.status == 0)
        let fixture = try String(
            contentsOfFile: TestPaths.repositoryRoot + "/Tests/TimeMachineTests/Fixtures/nyse-sessions-1995-2030.txt",
            encoding: .utf8)
        let expected = fixture.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(r.stdout.split(separator: "\n") == expected)
    }

    @Test func synthWithTheSameSeedGivesIdenticalDatabases() throws {
        let args = ["--assets", "25", "--start", "2015-01-02", "--end", "2016-06-30", "--seed", "9"]
        let a = try bin.run(["data", "synth", "--db", dir + "/a.sqlite"] + args)
        let b = try bin.run(["data", "synth", "--db", dir + "/b.sqlite"] + args)
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout.contains("regimes:") && a.stdout.contains("corporate actions:"))
        let da = try HindsightDatabase(path: dir + "/a.sqlite"), db = try HindsightDatabase(path: dir + "/b.sqlite")
        let pa = try da.loadPrices(), pb = try db.loadPrices()
        #expect(pa.tickers == pb.tickers && pa.dates == pb.dates)
        #expect(pa.close.map(\.bitPattern) == pb.close.map(\.bitPattern))
        #expect(pa.volume == pb.volume && pa.open == pb.open)
        #expect(try da.loadCompanyProfiles() == db.loadCompanyProfiles())
        #expect(try da.loadCorporateActions() == db.loadCorporateActions())
        #expect(try da.loadRegimes() == db.loadRegimes())
        #expect(try da.loadFactorReturns() == db.loadFactorReturns())
        for t in HindsightDatabase.inputTables { #expect(try da.count(table: t) == db.count(table: t), "\(t)") }
        // A second synth into a filled database is refused unless --replace.
        let again = try bin.run(["data", "synth", "--db", dir + "/a.sqlite"] + args)
        #expect(again.status != 0 && again.stderr.contains("--replace"))
    }

    @Test func checkReportsProblemsAsTableAndJson() throws {
        let db = dir + "/c.sqlite"
        let f = write(
            "c.csv",
            "date,ticker,open,high,low,close,volume\n2020-01-02,AAA,10,11,9,10,0\n2020-01-03,AAA,10,11,9,10,100\n2020-01-07,AAA,10,16,9,16,100\n2020-01-11,AAA,16,16,16,16,100\n"
        )
        #expect(try bin.run(["data", "import", "prices", f, "--db", db]).status == 0)
        let t = try bin.run(["data", "check", "--db", db])
        #expect(t.status == 0 && t.stdout.contains("AAA"))
        let j = try bin.run(["data", "check", "--db", db, "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let aaa = (obj["tickers"] as! [[String: Any]])[0]
        #expect(aaa["missing_sessions"] as? Int == 4)  // Jan 6, 8, 9 and 10; the Saturday row is off the calendar
        #expect(aaa["zero_volume_days"] as? Int == 1)
        #expect(aaa["stale_closes"] as? Int == 2)
        #expect(aaa["moves_over_50pct"] as? Int == 1)
        #expect(aaa["rows_outside_calendar"] as? Int == 1)
    }
}

extension DataCommandTests {
    @Test func listShowsKindDatesAndRowsAndDeleteRemovesOneTickerOnly() throws {
        let db = dir + "/list.sqlite"
        let synth = try HindsightBinary.run([
            "data", "synth", "--db", db, "--assets", "4", "--start", "2015-01-02", "--end", "2015-06-30",
        ])
        #expect(synth.status == 0, "\(synth.stderr)")
        let list = try HindsightBinary.run(["data", "list", "--db", db, "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
        #expect(rows.count == 4)
        let mkt = try #require(rows.first { $0["ticker"] as? String == "MKT" })
        #expect(mkt["kind"] as? String == "etf" && mkt["first"] as? String == "2015-01-02")
        #expect(mkt["last"] as? String == "2015-06-30" && mkt["rows"] as? Int == 124)
        let text = try HindsightBinary.run(["data", "list", "--db", db])
        #expect(text.stdout.contains("1 of kind etf or index, which universe rules leave out"), "\(text.stdout)")

        let del = try HindsightBinary.run(["data", "delete", "mkt", "--db", db])
        #expect(del.status == 0 && del.stdout.contains("124 equity_prices_daily rows"), "\(del.stdout) \(del.stderr)")
        let after = try HindsightBinary.run(["data", "list", "--db", db, "--json"])
        let left = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as! [[String: Any]]
        #expect(left.count == 3 && !left.contains { $0["ticker"] as? String == "MKT" })
        #expect(left.allSatisfy { $0["rows"] as? Int == 124 })
        let again = try HindsightBinary.run(["data", "delete", "MKT", "--db", db])
        #expect(again.status == 1 && again.stderr.contains("has no ticker MKT"), "\(again.stderr)")
    }
}
