import Foundation
import HindsightTestSupport
import Storage
import Testing

/// Bad input and faults from issue 13: each gets a clear error, a non-zero exit, and nothing lost or half-written.
struct BrokenPromiseTests {
    let dir = TestPaths.makeTempDir("hindsight-promises")

    static let sweep = """
        sweep: tiny
        base:
          name: tiny
          data: {synthetic: {assets: 4, start: 2015-01-02, end: 2016-12-30, seed: 3}}
          start: 2015-01-02
          end: 2016-12-30
          universe: {tickers: [MKT]}
          strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
          execution: {fill: close, commission: {model: bps, bps: 5}}
        grid:
          strategy.params.fast: [5, 10]
        rank_by: sharpe_ratio
        """

    func file(_ name: String, _ text: String) -> String {
        let path = dir + "/" + name
        TestPaths.write(text, to: path)
        return path
    }

    func hindsight(_ args: [String]) throws -> HindsightBinary.Result { try HindsightBinary.run(args, cwd: dir) }

    func sweepDatabase(_ name: String = "s.sqlite", sweep: String = Self.sweep) throws -> String {
        let db = dir + "/" + name
        let r = try hindsight([
            "sweep", "run", file(name + ".yaml", sweep), "--db", db, "--no-report", "--quiet", "--jobs", "1",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        return db
    }

    @Test func aFinishedSweepsDatabaseFileAloneHoldsEveryPointAndTheTopDetails() throws {
        // The WAL is copied into the database in the background while the report is written; the process waits
        // for it, so a user who copies only the .sqlite file afterwards has everything.
        let db = dir + "/whole.sqlite"
        let r = try hindsight([
            "sweep", "run", file("whole.yaml", Self.sweep), "--db", db, "--report-dir", dir + "/reports", "--quiet",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let copy = dir + "/copy.sqlite"
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        let store = try HindsightDatabase.openExisting(path: copy, readOnly: true)
        let id = try #require(try store.sweepIDs().first)
        let points = try store.sweepPoints(id: id)
        #expect(points.count == 2 && points.allSatisfy { $0.status == .ok })
        // Both points are top points: their daily rows were the sweep's last writes.
        for p in points {
            let run = try store.loadRun(id: try #require(p.runID))
            #expect(run.equity.count > 400, "\(p.pointID)")
        }
    }

    @Test func sweepReportRefusesAFolderItDidNotWriteAndKeepsItsFiles() throws {
        let db = try sweepDatabase()
        let mine = dir + "/mine"
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
        TestPaths.write("keep me", to: mine + "/notes.txt")
        let r = try hindsight(["sweep", "report", "tiny", "--db", db, "--out", mine])
        #expect(r.status != 0)
        #expect(r.stderr.contains("not a Hindsight report") && r.stderr.count < 2_000, "\(r.stderr)")
        #expect((try? String(contentsOfFile: mine + "/notes.txt", encoding: .utf8)) == "keep me")
        let dot = try hindsight(["sweep", "report", "tiny", "--db", db, "--out", "."])
        #expect(dot.status != 0 && !dot.stderr.contains("NSCocoaErrorDomain"), "\(dot.stderr)")
        #expect(FileManager.default.fileExists(atPath: db))
        // A folder it wrote is replaced, twice over.
        for _ in 0..<2 {
            let ok = try hindsight(["sweep", "report", "tiny", "--db", db, "--out", dir + "/report"])
            #expect(ok.status == 0, "\(ok.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/report/README.md"))
    }

    @Test func aKilledReportsTemporaryFolderIsCleanedByTheNextRun() throws {
        let db = try sweepDatabase()
        // A process id that cannot be alive (above the kernel's pid_max).
        let stale = dir + "/report.tmp-99999999"
        try FileManager.default.createDirectory(atPath: stale + "/charts", withIntermediateDirectories: true)
        TestPaths.write("x", to: stale + "/.hindsight-report")
        let r = try hindsight(["sweep", "report", "tiny", "--db", db, "--out", dir + "/report"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func mergeRefusesShardsOfDifferentSweepsAndADatabaseWithoutSweeps() throws {
        let a = try sweepDatabase("a.sqlite")
        let b = try sweepDatabase("b.sqlite", sweep: Self.sweep.replacingOccurrences(of: "[5, 10]", with: "[6, 12]"))
        let mixed = try hindsight(["sweep", "merge", "--into", dir + "/m.sqlite", a, b])
        #expect(mixed.status != 0 && mixed.stderr.contains("holds sweep"), "\(mixed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.sqlite"))
        let empty = dir + "/empty.sqlite"
        #expect(try hindsight(["data", "init", "--db", empty]).status == 0)
        let none = try hindsight(["sweep", "merge", "--into", dir + "/n.sqlite", a, empty])
        #expect(none.status != 0 && none.stderr.contains("holds no sweep"), "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/n.sqlite"))
    }

    @Test func dataInitRefusesAnotherApplicationsDatabaseWithoutTouchingIt() throws {
        let other = dir + "/other.sqlite"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table notes(x)'); c.commit()", other,
        ]
        try p.run()
        p.waitUntilExit()
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        let r = try hindsight(["data", "init", "--db", other])
        #expect(r.status != 0 && r.stderr.contains("another application"), "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
        #expect(!FileManager.default.fileExists(atPath: other + "-wal"))
        let folder = try hindsight(["data", "init", "--db", dir])
        #expect(folder.status != 0 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        let text = file("text.sqlite", "hello, not a database\n")
        let notSQLite = try hindsight(["data", "init", "--db", text])
        #expect(notSQLite.status != 0 && notSQLite.stderr.contains("not a SQLite database"), "\(notSQLite.stderr)")
        #expect((try? String(contentsOfFile: text, encoding: .utf8)) == "hello, not a database\n")
    }

    @Test func aMarketDatabaseIsOnlyReadWhenResultsGoElsewhere() throws {
        let data = dir + "/market.sqlite"
        #expect(
            try hindsight([
                "data", "synth", "--db", data, "--assets", "3", "--start", "2015-01-02", "--end", "2016-12-30",
            ]).status == 0)
        // Bring the file to a resting state, then a run with another --db must not change a byte of it.
        _ = try HindsightDatabase.openExisting(path: data).startCheckpoint()()
        let before = try Data(contentsOf: URL(fileURLWithPath: data))
        let config = file(
            "run.yaml",
            """
            data: {db: \(data)}
            start: 2015-06-01
            end: 2016-12-30
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            """)
        let r = try hindsight(["backtest", "run", config, "--db", dir + "/results.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: data)) == before)
    }

    @Test func aSweepWithInvalidPointsStoresTheOthersAndExitsTwo() throws {
        let sweep = Self.sweep.replacingOccurrences(
            of: "strategy.params.fast: [5, 10]",
            with: "strategy.params.fast: [5, 10]\n  universe.tickers: [[MKT], [NOPE]]")
        let db = dir + "/inv.sqlite"
        let r = try hindsight([
            "sweep", "run", file("inv.yaml", sweep), "--db", db, "--no-report", "--quiet", "--jobs", "1",
        ])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("2 invalid"), "\(r.stdout)")
        #expect(try HindsightDatabase.openExisting(path: db).count(table: "backtest_runs") == 4)
    }

    @Test func anOverflowingPointIsStoredFailedAndTheSweepKeepsTheRest() throws {
        let data = dir + "/ov.sqlite"
        #expect(
            try hindsight([
                "data", "synth", "--db", data, "--assets", "3", "--start", "2015-01-02", "--end", "2016-12-30",
            ]).status == 0)
        // Database content is input too: an absurd price written by another tool.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"update equity_prices_daily set open=1e308, high=1e308, low=1e308, close=1e308 where ticker='MKT' and date >= '2016-06-01'\"); c.commit()",
            data,
        ]
        try p.run()
        p.waitUntilExit()
        let sweep = Self.sweep.replacingOccurrences(
            of: "data: {synthetic: {assets: 4, start: 2015-01-02, end: 2016-12-30, seed: 3}}",
            with: "data: {db: \(data)}"
        )
        .replacingOccurrences(of: "[MKT]}", with: "[MKT]}\n  initial_cash: 1000000000000000\n  fractional_shares: true")
        .replacingOccurrences(of: "fill: close", with: "fill: next_open")
        let db = dir + "/ovr.sqlite"
        let r = try hindsight([
            "sweep", "run", file("ov.yaml", sweep), "--db", db, "--no-report", "--quiet", "--jobs", "1",
        ])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        let store = try HindsightDatabase.openExisting(path: db)
        let id = try #require(try store.sweepIDs().first)
        let rows = try store.sweepPoints(id: id)
        #expect(
            rows.count == 2
                && rows.allSatisfy { $0.status == .failed && ($0.error ?? "").contains("equity became inf") })
        // The same config in `backtest run` fails the same way, with the cause.
        let config = file(
            "ov-run.yaml",
            """
            data: {db: \(data)}
            start: 2015-01-02
            end: 2016-12-30
            initial_cash: 1000000000000000
            fractional_shares: true
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            execution: {fill: next_open}
            """)
        let run = try hindsight(["backtest", "run", config, "--db", dir + "/ovrun.sqlite"])
        #expect(
            run.status != 0 && run.stderr.contains("equity became inf") && run.stderr.contains("status failed"),
            "\(run.stderr)")
    }

    @Test func importRefusesPricesThatAreNotFiniteOrAbsurd() throws {
        let csv = file(
            "bad.csv",
            "date,ticker,open,high,low,close,volume\n2015-01-02,AAA,1e308,1e308,1e308,1e308,100\n2015-01-05,AAA,10,10,10,10,100\n"
        )
        let db = dir + "/imp.sqlite"
        let r = try hindsight(["data", "import", "prices", csv, "--db", db])
        #expect(r.status != 0 && r.stderr.contains("absurdly large"), "\(r.stderr)")
        if FileManager.default.fileExists(atPath: db) {
            #expect(try HindsightDatabase.openExisting(path: db).count(table: "equity_prices_daily") == 0)
        }
    }

    @Test func rejectsNeverReplaceAFolderAnInputOrAForeignFileAndAnUnwritableOneCommitsNothing() throws {
        let text =
            "date,ticker,open,high,low,close,volume\n2015-01-02,AAA,10,10,10,10,100\n2015-01-05,AAA,-1,10,10,10,100\n"
        let csv = file("p.csv", text)
        let db = dir + "/rej.sqlite"
        func rows() throws -> Int {
            FileManager.default.fileExists(atPath: db)
                ? try HindsightDatabase.openExisting(path: db).count(table: "equity_prices_daily") : 0
        }
        let folder = dir + "/folder"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        TestPaths.write("mine", to: folder + "/x.txt")
        let a = try hindsight(["data", "import", "prices", csv, "--db", db, "--skip-invalid", "--rejects", folder])
        #expect(a.status != 0 && a.stderr.contains("is a folder"), "\(a.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/x.txt"))
        let b = try hindsight(["data", "import", "prices", csv, "--db", db, "--skip-invalid", "--rejects", csv])
        #expect(b.status != 0 && b.stderr.contains("is the input file"), "\(b.stderr)")
        #expect((try? String(contentsOfFile: csv, encoding: .utf8)) == text)
        let notes = file("notes.csv", "my,own,file\n")
        let c = try hindsight(["data", "import", "prices", csv, "--db", db, "--skip-invalid", "--rejects", notes])
        #expect(c.status != 0 && c.stderr.contains("not a rejects file"), "\(c.stderr)")
        #expect((try? String(contentsOfFile: notes, encoding: .utf8)) == "my,own,file\n")
        let d = try hindsight([
            "data", "import", "prices", csv, "--db", db, "--skip-invalid", "--rejects", dir + "/no/such/folder/r.csv",
        ])
        #expect(d.status != 0 && d.stderr.contains("nothing was imported"), "\(d.stderr)")
        #expect(try rows() == 0)
        let ok = try hindsight([
            "data", "import", "prices", csv, "--db", db, "--skip-invalid", "--rejects", dir + "/r.csv",
        ])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try rows() == 1)
        #expect(try String(contentsOfFile: dir + "/r.csv", encoding: .utf8).hasPrefix("file,line,column,value,reason"))
    }

    @Test func importRefusesTickersItWouldChangeAndNamesColumnsItIgnores() throws {
        func write(_ name: String, _ bytes: [UInt8]) -> String {
            let path = dir + "/" + name
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return path
        }
        let head = Array("date,ticker,open,high,low,close,volume\n".utf8)
        let row = { (t: [UInt8]) in Array("2015-01-02,".utf8) + t + Array(",10,10,10,10,100\n".utf8) }
        for (name, ticker, reason) in [
            ("latin1.csv", Array("B".utf8) + [0xE9] + Array("B".utf8), "0xE9"),
            ("nul.csv", Array("C".utf8) + [0] + Array("C".utf8), "0x0"),
            ("long.csv", [UInt8](repeating: 0x41, count: 5_000), "more than 32"),
        ] {
            let db = dir + "/" + name + ".sqlite"
            let r = try hindsight(["data", "import", "prices", write(name, head + row(ticker)), "--db", db])
            #expect(
                r.status != 0 && r.stderr.contains(reason) && r.stderr.utf8.count < 2_000,
                "\(name): \(r.stderr.prefix(300))")
            let stored =
                FileManager.default.fileExists(atPath: db)
                ? try HindsightDatabase.openExisting(path: db).count(table: "equity_prices_daily") : 0
            #expect(stored == 0)
        }
        let dup = write(
            "dup.csv", Array("date,ticker,open,high,low,close,close,volume\n2015-01-02,AAA,10,10,10,10,11,100\n".utf8))
        let d = try hindsight(["data", "import", "prices", dup, "--db", dir + "/dup.sqlite"])
        #expect(d.status != 0 && d.stderr.contains("appears twice"), "\(d.stderr)")
        let extra = write(
            "extra.csv", Array("date,ticker,open,high,low,close,volume,note\n2015-01-02,AAA,10,10,10,10,100,x\n".utf8))
        let e = try hindsight(["data", "import", "prices", extra, "--db", dir + "/extra.sqlite"])
        #expect(
            e.status == 0 && e.stdout.contains("ignored columns in") && e.stdout.contains("note"),
            "\(e.stdout) \(e.stderr)")
    }

    @Test func csvFilesThatWouldBeMisreadGetAMessageThatSaysWhy() throws {
        func write(_ name: String, _ bytes: [UInt8]) -> String {
            let path = dir + "/" + name
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return path
        }
        let text =
            "date,ticker,open,high,low,close,volume\n2015-01-02,AAA,10,10,10,10,100\n2015-01-05,AAA,10,10,10,10,100\n"
        let utf16: [UInt8] =
            [0xFF, 0xFE] + text.utf16.flatMap { (u: UInt16) -> [UInt8] in [UInt8(u & 0xFF), UInt8(u >> 8)] }
        let cases: [(String, [UInt8], String)] = [
            ("u16.csv", utf16, "UTF-16"),
            ("cr.csv", Array(text.replacingOccurrences(of: "\n", with: "\r").utf8), "CR only"),
            (
                "quote.csv", Array(text.replacingOccurrences(of: "2015-01-02,AAA", with: "2015-01-02,\"AAA").utf8),
                "never closed"
            ),
        ]
        for (name, bytes, expected) in cases {
            let r = try hindsight(["data", "import", "prices", write(name, bytes), "--db", dir + "/\(name).sqlite"])
            #expect(r.status != 0 && r.stderr.contains(expected), "\(name): \(r.stderr)")
        }
        // A quote inside an unquoted field is text, as the reader reads it, not an unclosed quote.
        let inch = try hindsight([
            "data", "import", "profiles",
            write("inch.csv", Array("ticker,sector,industry\nAAA,Tech,Display 15\" panels\n".utf8)),
            "--db", dir + "/inch.sqlite",
        ])
        #expect(inch.status == 0, "\(inch.stderr)")
        let folder = try hindsight(["data", "import", "prices", dir, "--db", dir + "/f.sqlite"])
        #expect(folder.status != 0 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        let yamlFolder = try hindsight(["sweep", "plan", dir])
        #expect(yamlFolder.status != 0 && yamlFolder.stderr.contains("is a folder"), "\(yamlFolder.stderr)")
    }

    @Test func inFileDuplicatesAreReportedAsSuchWithOrWithoutReplace() throws {
        let factors = file("f.csv", "date,mkt,rf\n2015-01-02,0.01,0.0001\n2015-01-02,0.02,0.0001\n")
        for extra in [[], ["--replace"]] {
            let db = dir + "/f\(extra.count).sqlite"
            let r = try hindsight(["data", "import", "factors", factors, "--db", db] + extra)
            #expect(
                r.status != 0 && r.stderr.contains("duplicate (date, factor) in the file; first seen on line 2"),
                "\(r.stderr)")
            #expect(!r.stderr.contains("already in the database"))
        }
        let actions = file("ca.csv", "ticker,date,kind,value\nAAA,2015-01-02,split,2\nAAA,2015-01-02,split,3\n")
        let c = try hindsight(["data", "import", "corporate-actions", actions, "--db", dir + "/ca.sqlite", "--replace"])
        #expect(c.status != 0 && c.stderr.contains("in the file"), "\(c.stderr)")
    }

    @Test func pathsInARunConfigAreRelativeToItsFolderAndAMissingDataDatabaseIsNotCreated() throws {
        let sub = dir + "/project/configs"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        #expect(
            try hindsight([
                "data", "synth", "--db", dir + "/project/market.sqlite", "--assets", "3", "--start", "2015-01-02",
                "--end", "2015-12-31",
            ]).status == 0)
        let config = sub + "/run.yaml"
        TestPaths.write(
            """
            data: {db: ../market.sqlite}
            start: 2015-03-02
            end: 2015-12-31
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            """, to: config)
        // Run from an unrelated folder: the data is found next to the config, and results go there by default.
        let elsewhere = dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let r = try HindsightBinary.run(["backtest", "run", config], cwd: elsewhere)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("configs/../market.sqlite"), "\(r.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        TestPaths.write(
            """
            data: {db: ../missing.sqlite}
            start: 2015-03-02
            end: 2015-12-31
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            """, to: sub + "/missing.yaml")
        let m = try HindsightBinary.run(["backtest", "run", sub + "/missing.yaml"], cwd: elsewhere)
        #expect(m.status != 0 && m.stderr.contains("does not exist; nothing was created"), "\(m.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/project/missing.sqlite"))
    }

    @Test func datesOutsideTheDataAreSaidNotClampedSilently() throws {
        let data = dir + "/dates.sqlite"
        #expect(
            try hindsight([
                "data", "synth", "--db", data, "--assets", "3", "--start", "2015-01-02", "--end", "2016-12-30",
            ]).status == 0)
        let config = file(
            "dates.yaml",
            """
            data: {db: \(data)}
            start: 2010-01-04
            end: 2018-12-31
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            """)
        let r = try hindsight(["backtest", "run", config, "--db", dir + "/dates-results.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("warning: start 2010-01-04 is before the data's first session 2015-01-02"), "\(r.stderr)")
        #expect(r.stderr.contains("warning: end 2018-12-31 is after the data's last bar 2016-12-30"), "\(r.stderr)")
        let inside = file(
            "inside.yaml",
            """
            data: {db: \(data)}
            start: 2015-03-02
            end: 2016-12-30
            universe: {tickers: [MKT]}
            strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            """)
        let ok = try hindsight(["backtest", "run", inside, "--db", dir + "/dates-results.sqlite"])
        #expect(ok.status == 0 && !ok.stderr.contains("warning"), "\(ok.stderr)")
    }

    @Test func versionIsPrinted() throws {
        let r = try hindsight(["--version"])
        #expect(r.status == 0 && r.stdout.contains("."), "\(r.stdout) \(r.stderr)")
    }
}

/// Hostile or malformed files and flags: an error naming the cause, never a trap or an unbounded expansion.
struct HostileInputTests {
    let dir = TestPaths.makeTempDir("hindsight-hostile")

    func file(_ name: String, _ text: String) -> String {
        let path = dir + "/" + name
        TestPaths.write(text, to: path)
        return path
    }

    func hindsight(_ args: [String], cwd: String? = nil) throws -> HindsightBinary.Result {
        try HindsightBinary.run(args, cwd: cwd ?? dir)
    }

    func expectCleanError(
        _ r: HindsightBinary.Result, _ text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(r.status == 1 || r.status == 64, "exit \(r.status)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(text), "\(r.stderr.prefix(500))", sourceLocation: sourceLocation)
        #expect(
            r.stderr.utf8.count < 2_000 && !r.stderr.contains("Fatal error") && !r.stderr.contains("Backtrace"),
            sourceLocation: sourceLocation)
    }

    func sweep(constraint: String) -> String {
        BrokenPromiseTests.sweep + "\nconstraints: [\"\(constraint)\"]\n"
    }

    @Test func deeplyNestedConstraintsAreRefusedNotOverflowed() throws {
        let parens =
            String(repeating: "(", count: 10_000) + "strategy.params.fast < 3" + String(repeating: ")", count: 10_000)
        expectCleanError(try hindsight(["sweep", "plan", file("p.yaml", sweep(constraint: parens))]), "tokens")
        let minus = "strategy.params.fast < " + String(repeating: "-", count: 200) + "3"
        expectCleanError(try hindsight(["sweep", "plan", file("m.yaml", sweep(constraint: minus))]), "nests deeper")
    }

    @Test func constraintsThatAreNotConditionsOrDivideByZeroAreRefused() throws {
        expectCleanError(try hindsight(["sweep", "plan", file("a.yaml", sweep(constraint: "42"))]), "not a condition")
        expectCleanError(
            try hindsight(["sweep", "plan", file("b.yaml", sweep(constraint: "strategy.params.fast / 0 < 1"))]),
            "divides by zero")
    }

    @Test func yamlAliasBombsAndDeepNestingAreBounded() throws {
        var bomb = "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (prev, name) in zip(names, names.dropFirst()) {
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
        }
        let path = file("bomb.yaml", bomb)
        expectCleanError(try hindsight(["sweep", "plan", path]), "expands to more than")
        expectCleanError(try hindsight(["backtest", "run", path, "--db", dir + "/r.sqlite"]), "expands to more than")
        let deep = file(
            "deep.yaml", "a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n")
        expectCleanError(try hindsight(["sweep", "plan", deep]), "nest")
    }

    @Test func aDuplicateKeyInAHugeFileIsNamedWithoutEchoingTheFile() throws {
        let path = file(
            "dup.yaml", "name: a\nname: b\n" + String(repeating: "# filler line of a large file\n", count: 200_000))
        let db = dir + "/dup.sqlite"
        let r = try hindsight(["backtest", "run", path, "--db", db])
        expectCleanError(r, "'name'")
        let stored = try HindsightDatabase.openExisting(path: db).count(table: "backtest_runs")
        #expect(stored == 1)
        let size = try #require(FileManager.default.attributesOfItem(atPath: db)[.size] as? Int)
        #expect(size < 1_000_000, "the invalid run's stored text is capped; the database has \(size) bytes")
    }

    @Test func negativeCountsAreRefusedByName() throws {
        let path = file("s.yaml", BrokenPromiseTests.sweep)
        expectCleanError(try hindsight(["sweep", "plan", path, "--sample=-3"]), "--sample must be ≥ 0")
        expectCleanError(try hindsight(["sweep", "run", path, "--jobs", "-1"]), "--jobs must be ≥ 1")
    }

    @Test func sweepPlanChecksEveryPointsValuesAndNamesWhereEachBadValueIs() throws {
        let bad = BrokenPromiseTests.sweep.replacingOccurrences(
            of: "strategy.params.fast: [5, 10]", with: "strategy.params.fast: [5, 7.5, ten]")
        let r = try hindsight(["sweep", "plan", file("vals.yaml", bad)])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("2 of 3 points checked are invalid"), "\(r.stderr)")
        #expect(
            r.stderr.contains("vals.yaml:11:29") && r.stderr.contains("'7.5'") && r.stderr.contains("'ten'"),
            "\(r.stderr)")
        let calendar = BrokenPromiseTests.sweep.replacingOccurrences(
            of: "strategy.params.fast: [5, 10]", with: "calendar: [NYSE, weekdays]")
        expectCleanError(try hindsight(["sweep", "plan", file("cal.yaml", calendar)]), "`calendar` cannot be swept")
        let data = BrokenPromiseTests.sweep.replacingOccurrences(
            of: "strategy.params.fast: [5, 10]", with: "data.db: [a.sqlite, b.sqlite]")
        expectCleanError(try hindsight(["sweep", "plan", file("data.yaml", data)]), "`data.db` cannot be swept")
    }

    @Test func aLongSweepNameIsRefusedBeforeAnythingRuns() throws {
        let long = BrokenPromiseTests.sweep.replacingOccurrences(
            of: "sweep: tiny", with: "sweep: " + String(repeating: "n", count: 300))
        let db = dir + "/long.sqlite"
        expectCleanError(try hindsight(["sweep", "run", file("long.yaml", long), "--db", db]), "more than 100")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func aHugeGridIsRefusedEvenWithForceInsteadOfFillingMemory() throws {
        let huge = BrokenPromiseTests.sweep.replacingOccurrences(
            of: "strategy.params.fast: [5, 10]",
            with: """
                strategy.params.fast: {range: [1, 1000000, 1]}
                  strategy.params.slow: {range: [1, 1000000, 1]}
                """)
        let path = file("huge.yaml", huge)
        expectCleanError(try hindsight(["sweep", "plan", path]), "above the 1,000,000 limit")
        expectCleanError(try hindsight(["sweep", "plan", path, "--force"]), "even with --force")
    }

    @Test func aShortSyntheticMarketRunsInsteadOfTrapping() throws {
        let r = try hindsight([
            "data", "synth", "--db", dir + "/short.sqlite", "--start", "2015-01-02", "--end", "2015-03-01", "--assets",
            "3",
        ])
        #expect(r.status == 0 && !r.stderr.contains("Fatal error"), "\(r.stderr.prefix(400))")
    }

    @Test func slurmScriptsQuoteEveryPathSoAHostileFolderNameStaysAName() throws {
        let hostile = dir + "/my runs $(touch PWNED)"
        try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: true)
        let sweepPath = hostile + "/s.yaml"
        TestPaths.write(BrokenPromiseTests.sweep, to: sweepPath)
        let r = try hindsight(
            ["sweep", "slurm", sweepPath, "--shards", "1", "--work-dir", hostile + "/slurm", "--cpus", "1"],
            cwd: hostile)
        #expect(r.status == 0, "\(r.stderr)")
        let script = hostile + "/slurm/tiny/array.sbatch"
        #expect(FileManager.default.fileExists(atPath: script))
        // Run the array task's body as Slurm would start it.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script]
        p.currentDirectoryURL = URL(fileURLWithPath: hostile)
        p.environment = ProcessInfo.processInfo.environment.merging(["SLURM_ARRAY_TASK_ID": "1"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: hostile + "/slurm/tiny/shard-1.sqlite"))
        for folder in [dir, hostile, hostile + "/slurm", hostile + "/slurm/tiny"] {
            #expect(
                !FileManager.default.fileExists(atPath: folder + "/PWNED"),
                "a command in the folder name ran in \(folder)")
        }
    }
}

/// A sweep's identity is its spec and its data, not where the data file lies.
struct SweepIdentityTests {
    let dir = TestPaths.makeTempDir("hindsight-identity")

    @Test func shardsRunOnCopiesOfTheDataInDifferentPlacesMerge() throws {
        let original = dir + "/a/market.sqlite", copy = dir + "/b/market.sqlite"
        try FileManager.default.createDirectory(atPath: dir + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/b", withIntermediateDirectories: true)
        #expect(
            try HindsightBinary.run([
                "data", "synth", "--db", original, "--assets", "3", "--start", "2015-01-02", "--end", "2016-12-30",
            ]).status == 0)
        _ = try HindsightDatabase.openExisting(path: original).startCheckpoint()()
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        func sweep(_ data: String) -> String {
            let path = dir + "/s-\(data.hashValue).yaml"
            TestPaths.write(
                BrokenPromiseTests.sweep.replacingOccurrences(
                    of: "data: {synthetic: {assets: 4, start: 2015-01-02, end: 2016-12-30, seed: 3}}",
                    with: "data: {db: \(data)}"), to: path)
            return path
        }
        let planA = try HindsightBinary.run(["sweep", "plan", sweep(original)]),
            planB = try HindsightBinary.run(["sweep", "plan", sweep(copy)])
        let id = { (r: HindsightBinary.Result) in r.stdout.split(separator: "\n").first { $0.hasPrefix("sweep id:") } }
        #expect(id(planA) != nil && id(planA) == id(planB), "\(planA.stdout)\n\(planB.stdout)")
        for (i, data) in [(1, original), (2, copy)] {
            let r = try HindsightBinary.run([
                "sweep", "run", sweep(data), "--db", dir + "/shard-\(i).sqlite", "--shard", "\(i)/2", "--quiet",
                "--jobs", "1",
            ])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let m = try HindsightBinary.run([
            "sweep", "merge", "--into", dir + "/merged.sqlite", dir + "/shard-1.sqlite", dir + "/shard-2.sqlite",
        ])
        #expect(m.status == 0 && m.stdout.contains("complete"), "\(m.stdout) \(m.stderr)")
    }
}
