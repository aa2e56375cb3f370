import Foundation
import HindsightTestSupport
import Storage
import Testing

/// `hindsight sweep plan|run|report|merge|slurm` end to end, including kills.
struct SweepCommandTests {
    let dir = TestPaths.makeTempDir("hindsight-sweep-cli")

    /// Full-engine points (next-open fills), slow enough in a debug build to be killed part-way.
    static let sweep = """
        sweep: cli-kill
        base:
          name: cli-kill
          data: {synthetic: {assets: 8, start: 2012-01-03, end: 2019-12-31, seed: 11}}
          start: 2012-01-03
          end: 2019-12-31
          universe: {tickers: [MKT]}
          strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
          execution: {fill: next_open, commission: {model: bps, bps: 5}}
          benchmark: MKT
        grid:
          strategy.params.fast: {range: [2, 41, 1]}
          strategy.params.slow: [60, 120, 180, 240]
        rank_by: sharpe_ratio
        store: {equity: {top: 2}, trades: {top: 2}}
        report: {top: 2}
        """

    func write(_ text: String = Self.sweep) -> String {
        let path = dir + "/kill.yaml"
        TestPaths.write(text, to: path)
        return path
    }

    func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: HindsightBinary.path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func runs(_ db: String) -> Int {
        guard FileManager.default.fileExists(atPath: db), let s = try? HindsightDatabase.openExisting(path: db) else {
            return 0
        }
        return (try? s.count(table: "backtest_runs")) ?? 0
    }

    func points(_ db: String) throws -> [String: String] {
        let s = try HindsightDatabase.openExisting(path: db)
        let id = try #require(try s.sweepIDs().first)
        return Dictionary(
            uniqueKeysWithValues: try s.sweepPoints(id: id).map {
                ($0.pointID, "\($0.status?.rawValue ?? "-") \($0.metricsJSON ?? "-")")
            })
    }

    @Test func planPrintsCountSampleAndHashAndRunsNothing() throws {
        let path = write()
        let r = try HindsightBinary.run(["sweep", "plan", path], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("sweep cli-kill: 160 points"))
        #expect(r.stdout.contains("plan hash: "))
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("  p") }.count == 5)
        let again = try HindsightBinary.run(["sweep", "plan", path])
        #expect(again.stdout == r.stdout)
        #expect(!FileManager.default.fileExists(atPath: dir + "/.hindsight"))
    }

    @Test func planRefusesASignalWindowLongerThanTheDatabasesHistoryWithItsLocation() throws {
        let data = dir + "/short.sqlite"
        let synth = try HindsightBinary.run([
            "data", "synth", "--db", data, "--assets", "3", "--start", "2015-01-02", "--end", "2015-12-31",
        ])
        #expect(synth.status == 0, "\(synth.stderr)")
        let path = dir + "/window.yaml"
        TestPaths.write(
            """
            sweep: window
            base:
              data: {db: \(data)}
              start: 2015-06-01
              end: 2015-12-31
              universe: {tickers: [MKT]}
              strategy:
                kind: signals
                params: {n: 20}
                entry: "close > sma(close, n)"
                exit: "close < sma(close, n)"
            grid:
              strategy.params.n: [20, 400]
            """, to: path)
        let r = try HindsightBinary.run(["sweep", "plan", path])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("1 of 2 points checked are invalid"), "\(r.stderr)")
        #expect(r.stderr.contains("window.yaml:10:"), "\(r.stderr)")
        #expect(
            r.stderr.contains("needs 400 bars before its first value, but no ticker has more than 252"), "\(r.stderr)")
    }

    @Test func aStopGridReportShowsTheTopPointsUnderBothIntrabarPoliciesAndTheirRoundTrips() throws {
        let path = dir + "/stops.yaml"
        TestPaths.write(
            """
            sweep: stops
            base:
              data: {synthetic: {assets: 3, start: 2015-01-02, end: 2016-12-30, seed: 5}}
              start: 2015-03-02
              end: 2016-12-30
              universe: {tickers: [MKT]}
              strategy:
                kind: signals
                params: {fast: 5, slow: 20}
                entry: "crossover(sma(close, fast), sma(close, slow))"
                exit: "crossunder(sma(close, fast), sma(close, slow))"
            grid:
              strategy.params.fast: [3, 5, 8]
              stops.stop_loss: [0.01, 0.02]
              stops.take_profit: [0.01, 0.02]
            store: {trades: {top: 3}}
            report: {top: 4}
            """, to: path)
        let db = dir + "/stops.sqlite"
        let r = try HindsightBinary.run(["sweep", "run", path, "--db", db, "--quiet"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let readme = try String(contentsOfFile: dir + "/reports/stops/README.md", encoding: .utf8)
        #expect(readme.contains("## Intrabar ambiguity"), "\(readme)")
        #expect(readme.contains("| # | point | ambiguous bars | pessimistic | optimistic | spread |"))
        let store = try HindsightDatabase.openExisting(path: db)
        let id = try #require(try store.sweepIDs().first)
        let notes = try store.sweepPointNotes(id: id)
        #expect(notes.values.filter { $0.contains("\"intrabar_alternative\"") }.count == 4)
        let top = try #require(
            try FileManager.default.contentsOfDirectory(atPath: dir + "/reports/stops/top").sorted().first)
        let page = try String(contentsOfFile: dir + "/reports/stops/top/" + top, encoding: .utf8)
        #expect(page.contains("## Round trips") && page.contains("| closed round trips |"), "\(page)")
        // The same results as CSV for pandas.
        let metrics = try HindsightBinary.run(["sweep", "export", "stops", "--db", db])
        let lines = metrics.stdout.split(separator: "\n")
        #expect(metrics.status == 0 && lines.count == 13, "\(metrics.stderr)")
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.prefix(2) == ["point_id", "status"] && header.contains("stops.stop_loss"))
        #expect(header.contains("sharpe_ratio") && header.contains("ambiguous_bars") && !header.contains("attribution"))
        let returns = try HindsightBinary.run(["sweep", "export", "stops", "--db", db, "--what", "returns"])
        #expect(returns.status == 0 && returns.stdout.hasPrefix("point_id,date,return\n"), "\(returns.stderr)")
        #expect(returns.stdout.contains(",2015-03-02,"))
        let equity = try HindsightBinary.run(["sweep", "export", "stops", "--db", db, "--what", "equity"])
        #expect(equity.status == 0 && equity.stdout.split(separator: "\n").count > 400, "\(equity.stderr)")
        let bad = try HindsightBinary.run(["sweep", "export", "nope", "--db", db])
        #expect(bad.status != 0 && bad.stderr.contains("has no sweep nope"))
    }

    @Test func equityAllIsStoredAsOneBlobPerPointAndExportsLikeTheRows() throws {
        let path = dir + "/equity.yaml"
        TestPaths.write(
            """
            sweep: eq
            base:
              data: {synthetic: {assets: 3, start: 2015-01-02, end: 2016-12-30, seed: 5}}
              start: 2015-03-02
              end: 2016-12-30
              universe: {tickers: [MKT]}
              strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
            grid:
              strategy.params.fast: [3, 5, 8, 10]
              strategy.params.slow: [20, 40, 60]
            store: {equity: all}
            report: {top: 2}
            """, to: path)
        let db = dir + "/eq.sqlite"
        let r = try HindsightBinary.run(["sweep", "run", path, "--db", db, "--quiet"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let store = try HindsightDatabase.openExisting(path: db)
        let id = try #require(try store.sweepIDs().first)
        let blobs = try store.sweepEquity(id: id)
        #expect(blobs.count == 12)
        let points = try store.sweepPoints(id: id)
        // Full rows only for the two top points; their values equal the blobs bit for bit.
        var withRows = 0
        for p in points {
            let rows = try store.equityRows(runID: try #require(p.runID))
            let blob = try #require(blobs[p.pointID])
            #expect(blob.equity.count > 450 && blob.first.iso == "2015-03-02")
            if !rows.isEmpty {
                withRows += 1
                #expect(rows.map(\.equity) == blob.equity)
            }
        }
        #expect(withRows == 2)
        let export = try HindsightBinary.run(["sweep", "export", "eq", "--db", db, "--what", "equity"])
        #expect(export.status == 0, "\(export.stderr)")
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 1 + blobs.values.reduce(0) { $0 + $1.equity.count })
        // A blob point's exported drawdown (running peak from the initial cash) is the engine's, checked on a point
        // that has both.
        for p in points {
            let rows = try store.equityRows(runID: try #require(p.runID))
            guard !rows.isEmpty else { continue }
            let mine = lines.dropFirst().filter { $0.hasPrefix(Substring(p.pointID + ",")) }.map {
                Double($0.split(separator: ",")[3])!
            }
            var peak = 10_000.0
            let fromBlob = try #require(blobs[p.pointID]).equity.map { e -> Double in
                peak = max(peak, e)
                return e / peak - 1
            }
            #expect(mine == rows.map(\.drawdown) && fromBlob == rows.map(\.drawdown))
        }
    }

    @Test func aHugeSweepNeedsForceAndBadFlagsAreExplained() throws {
        let path = write(Self.sweep.replacingOccurrences(of: "[60, 120, 180, 240]", with: "{range: [1, 30000, 1]}"))
        let r = try HindsightBinary.run(["sweep", "plan", path])
        #expect(r.status != 0 && r.stderr.contains("1,200,000 points") && r.stderr.contains("--force"), "\(r.stderr)")
        let shard = try HindsightBinary.run(["sweep", "run", write(), "--shard", "4/3", "--db", dir + "/s.sqlite"])
        #expect(shard.status != 0 && shard.stderr.contains("--shard must look like I/N"))
        let bad = write(
            Self.sweep.replacingOccurrences(
                of: "rank_by: sharpe_ratio", with: "rank_by: sharpe_ratio\nreprot: {top: 2}"))
        let y = try HindsightBinary.run(["sweep", "run", bad, "--db", dir + "/b.sqlite"])
        #expect(
            y.status == 1 && y.stderr.contains("kill.yaml:15:1") && y.stderr.contains("did you mean `report`?"),
            "\(y.stderr)")
        #expect(!y.stderr.contains("Fatal") && !FileManager.default.fileExists(atPath: dir + "/b.sqlite"))
    }

    @Test func aSweepKilledWithSIGKILLResumesWithoutLossOrDuplicates() throws {
        let path = write(), db = dir + "/killed.sqlite", whole = dir + "/whole.sqlite"
        let p = try start(["sweep", "run", path, "--db", db, "--jobs", "2", "--quiet", "--no-report"])
        let deadline = Date().addingTimeInterval(120)
        while runs(db) < 8 && p.isRunning && Date() < deadline { usleep(20_000) }
        #expect(p.isRunning, "the sweep finished before it could be killed; make it slower")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let before = runs(db)
        #expect(before >= 8 && before < 160)
        let r = try HindsightBinary.run([
            "sweep", "run", path, "--db", db, "--resume", "--quiet", "--report-dir", dir + "/reports",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\(160 - before) points run, \(before) already done"), "\(r.stdout)")
        #expect(runs(db) == 160)
        let w = try HindsightBinary.run(["sweep", "run", path, "--db", whole, "--quiet", "--no-report"])
        #expect(w.status == 0, "\(w.stderr)")
        #expect(try points(db) == points(whole))
        #expect(FileManager.default.fileExists(atPath: dir + "/reports/cli-kill/README.md"))
    }

    @Test func ctrlCFinishesInFlightPointsPrintsHowToResumeAndExits130() throws {
        let (status, text, db) = try stop(with: SIGINT)
        #expect(status == 130, "\(text)")
        #expect(text.contains("--resume"))
        let stopped = runs(db)
        #expect(stopped > 0 && stopped < 160)
        let r = try HindsightBinary.run(["sweep", "run", write(), "--db", db, "--resume", "--quiet", "--no-report"])
        #expect(r.status == 0 && runs(db) == 160)
    }

    /// Starts a sweep, waits for a few stored points, sends `sig`, and returns the exit status and stderr.
    func stop(with sig: Int32, ignoringSIGINT: Bool = false) throws -> (status: Int32, stderr: String, db: String) {
        let path = write(), db = dir + "/sig-\(sig).sqlite"
        let p = Process()
        if ignoringSIGINT {
            // As a background job of a non-interactive shell starts it: SIGINT ignored from the first instruction.
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [
                "-c", "trap '' INT; exec \"$0\" \"$@\"", HindsightBinary.path, "sweep", "run", path, "--db", db,
                "--jobs", "2", "--quiet", "--no-report",
            ]
        } else {
            p.executableURL = URL(fileURLWithPath: HindsightBinary.path)
            p.arguments = ["sweep", "run", path, "--db", db, "--jobs", "2", "--quiet", "--no-report"]
        }
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while runs(db) < 4 && p.isRunning && Date() < deadline { usleep(20_000) }
        kill(p.processIdentifier, sig)
        if ignoringSIGINT {
            usleep(300_000)
            kill(p.processIdentifier, SIGTERM)
        }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text, db)
    }

    @Test func sigtermFinishesInFlightPointsLikeCtrlCAndExits143() throws {
        let (status, text, db) = try stop(with: SIGTERM)
        #expect(status == 143, "\(text)")
        #expect(text.contains("terminate") && text.contains("--resume"))
        let stopped = runs(db)
        #expect(stopped > 0 && stopped < 160)
        let r = try HindsightBinary.run(["sweep", "run", write(), "--db", db, "--resume", "--quiet", "--no-report"])
        #expect(r.status == 0 && runs(db) == 160)
    }

    @Test func anInheritedIgnoredSigintStaysIgnored() throws {
        // SIGINT must change nothing; the SIGTERM sent after it is what stops the sweep.
        let (status, text, _) = try stop(with: SIGINT, ignoringSIGINT: true)
        #expect(status == 143, "\(text)")
        #expect(!text.contains("interrupt:") && text.contains("terminate"), "\(text)")
    }

    @Test func aSecondSweepRunOnTheSameDatabaseIsToldWhoIsWritingAndChangesNothing() throws {
        let path = write(), db = dir + "/busy.sqlite"
        let first = try start(["sweep", "run", path, "--db", db, "--jobs", "1", "--quiet", "--no-report"])
        let deadline = Date().addingTimeInterval(120)
        while runs(db) < 2 && first.isRunning && Date() < deadline { usleep(20_000) }
        let second = try HindsightBinary.run(
            ["sweep", "run", path, "--db", db, "--resume", "--quiet", "--no-report"], timeout: 120)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(
            second.stderr.contains("another hindsight process (pid \(first.processIdentifier))"), "\(second.stderr)")
        #expect(!second.stderr.contains("UNIQUE"))
        kill(first.processIdentifier, SIGINT)
        first.waitUntilExit()
        // Once the first has stopped, the same command resumes and finishes the sweep.
        let resumed = try HindsightBinary.run(["sweep", "run", path, "--db", db, "--resume", "--quiet", "--no-report"])
        #expect(resumed.status == 0 && runs(db) == 160, "\(resumed.stderr)")
    }

    @Test func slurmWritesAnArrayAndAMergeJobThatDependsOnIt() throws {
        let path = write()
        let r = try HindsightBinary.run([
            "sweep", "slurm", path, "--shards", "3", "--partition", "debug", "--time", "00:10:00", "--work-dir",
            dir + "/slurm",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let array = try String(contentsOfFile: dir + "/slurm/cli-kill/array.sbatch", encoding: .utf8)
        #expect(
            array.contains("#SBATCH --array=1-3") && array.contains("#SBATCH --partition=\"debug\"")
                && array.contains("#SBATCH --time=00:10:00"))
        #expect(array.contains("--shard \"${SLURM_ARRAY_TASK_ID}/3\"") && array.contains("--resume"))
        let merge = try String(contentsOfFile: dir + "/slurm/cli-kill/merge.sbatch", encoding: .utf8)
        #expect(merge.contains("sweep merge --into") && merge.contains("shard-3.sqlite") && merge.contains("--resume"))
        #expect(r.stdout.contains("--dependency=afterok"))
    }
}
