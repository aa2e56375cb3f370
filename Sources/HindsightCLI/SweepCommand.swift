import ArgumentParser
import Backtest
import Foundation
import HindsightCore
import Reports
import Storage
import Sweep

struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep", abstract: "Plan, run, shard, merge and report parameter sweeps.",
        subcommands: [
            SweepPlanCommand.self, SweepRunCommand.self, SweepReportCommand.self, SweepMergeCommand.self,
            SweepSlurmCommand.self, SweepTimeCommand.self, SweepExportCommand.self,
        ])
}

struct SweepPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Print a sweep's number of points, a sample and its plan hash; runs nothing.")
    @Argument(help: "The sweep file (YAML).") var sweep: String
    @Flag(help: "Allow more than 1,000,000 points.") var force = false
    @Option(help: "How many sample points to print.") var sample: Int = 5

    func validate() throws {
        guard sample >= 0 else { throw ValidationError("--sample must be ≥ 0, got \(sample)") }
    }

    func run() async throws {
        try await CLI.run {
            let plan = try SweepPlan(try SweepSpec.load(path: sweep), force: force)
            print(
                "sweep \(plan.spec.name): \(CLI.formatCount(plan.points.count)) points (\(CLI.formatCount(plan.excluded)) removed by constraints)"
            )
            print("sweep id: \(plan.sweepID)")
            print("plan hash: \(plan.hash)")
            print("parameters: \(plan.spec.parameterPaths.joined(separator: ", "))")
            print("rank by: \(plan.spec.lowerIsBetter ? "-" : "")\(plan.spec.rankBy)")
            let n = plan.points.count
            let picks = n <= sample ? Array(0..<n) : (0..<sample).map { $0 * (n - 1) / max(1, sample - 1) }
            for i in picks { print("  \(plan.points[i].id)  \(plan.points[i].paramsJSON)") }
            let (invalid, checked) = plan.invalidPoints(longestHistory: SweepPlanCommand.longestHistory())
            if !invalid.isEmpty {
                // One line per distinct error, with where it is and how many points it makes invalid.
                var counts: [(String, Int)] = []
                for (_, e) in invalid {
                    let text = e.description
                    if let i = counts.firstIndex(where: { $0.0 == text }) {
                        counts[i].1 += 1
                    } else {
                        counts.append((text, 1))
                    }
                }
                var text =
                    "\(CLI.formatCount(invalid.count)) of \(CLI.formatCount(checked)) points checked are invalid:\n"
                for (message, n) in counts.prefix(5) { text += "  \(n) point\(n == 1 ? "" : "s"): \(message)\n" }
                if counts.count > 5 { text += "  ... and \(counts.count - 5) more distinct errors\n" }
                text += "  fix the values or add a constraint; `sweep run` stores such points as invalid and exits 2\n"
                FileHandle.standardError.write(Data(text.utf8))
                throw ExitCode(2)
            }
            if checked < plan.points.count {
                print("checked an even sample of \(CLI.formatCount(checked)) points: all valid")
            }
        }
    }
}

extension SweepPlanCommand {
    /// The most bars any of a config's tickers has up to its `end`, read from its database (bar counts are read
    /// once per database and end date).
    static func longestHistory() -> (RunConfig) throws -> Int? {
        var counts: [String: [String: Int]] = [:]
        return { c in
            guard case .database(let path) = c.data else { return nil }
            let key = "\(path)|\(c.end)"
            if counts[key] == nil {
                counts[key] = try HindsightDatabase.openExisting(path: path, readOnly: true).barCounts(to: c.end)
            }
            let all = counts[key] ?? [:]
            if case .tickers(let t) = c.universe { return t.compactMap { all[$0] }.max() ?? 0 }
            return all.values.max() ?? 0
        }
    }
}

struct SweepTimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time",
        abstract:
            "Time a sweep's simulation alone (no metrics, nothing stored): load once, then simulate every point --repeat times."
    )
    @Argument(help: "The sweep file (YAML).") var sweep: String
    @Option(parsing: .unconditional, help: "Threads (default: all cores).") var jobs: Int = ProcessInfo.processInfo
        .activeProcessorCount
    @Option(help: "Timed passes over all points.") var `repeat`: Int = 5
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Allow more than 1,000,000 points.") var force = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be ≥ 1, got \(jobs)") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be ≥ 1") }
    }

    func run() async throws {
        try await CLI.run {
            let clock = ContinuousClock.now
            let plan = try SweepPlan(try SweepSpec.load(path: sweep), force: force)
            let context = try SweepContext(plan: plan)
            let load = CLI.seconds(since: clock)
            var passes: [SweepTimer.Pass] = []
            for _ in 0..<`repeat` { passes.append(try SweepTimer.simulate(context: context, jobs: jobs)) }
            let times = passes.map(\.seconds).sorted()
            let median = CLI.median(sorted: times)
            let evals = passes[0].barEvaluations
            if json {
                print(
                    JSONText.object([
                        ("points", String(plan.points.count)), ("jobs", String(jobs)),
                        ("load_s", JSONText.number(load)),
                        ("simulate_s", "[" + passes.map { JSONText.number($0.seconds) }.joined(separator: ",") + "]"),
                        ("simulate_s_min", JSONText.number(times[0])), ("simulate_s_median", JSONText.number(median)),
                        ("bar_evaluations", JSONText.number(evals)),
                        ("bar_evaluations_per_s", JSONText.number(evals / times[0])),
                        ("checksum", JSONText.number(passes[0].checksum)),
                        ("assets", String(context.inputs.panel.assetCount)),
                        ("sessions", String(context.inputs.panel.dayCount)),
                        ("panel_bytes", String(context.inputs.panel.byteCount)),
                        ("panel_allocated_bytes", String(context.inputs.panel.allocatedByteCount)),
                        ("peak_rss_bytes", String(SweepTimeCommand.peakRSS())),
                    ]))
            } else {
                print(
                    "sweep \(plan.spec.name): \(CLI.formatCount(plan.points.count)) points, \(jobs) jobs, load \(String(format: "%.3f", load)) s"
                )
                print(
                    String(
                        format: "simulate: min %.4f s, median %.4f s over %d passes; %.0f M bar-evaluations/s",
                        times[0], median, passes.count, evals / times[0] / 1e6))
            }
        }
    }
}

extension SweepTimeCommand {
    /// Peak resident set size of this process (getrusage reports KiB on Linux).
    static func peakRSS() -> Int {
        var u = rusage()
        #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &u)
            return Int(u.ru_maxrss) * 1024
        #else
            getrusage(RUSAGE_SELF, &u)
            return Int(u.ru_maxrss)
        #endif
    }
}

struct SweepRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a sweep on all cores, store every point and write the report.")
    @Argument(help: "The sweep file (YAML).") var sweep: String
    @Option(help: "Results database (default: the base config's data database, or .hindsight/sweeps.sqlite).") var db:
        String?
    @Option(parsing: .unconditional, help: "Runs in flight (default: all cores).") var jobs: Int = ProcessInfo
        .processInfo.activeProcessorCount
    @Flag(help: "Skip points that already finished and run the rest.") var resume = false
    @Option(help: "Run only shard I of N (1-based), e.g. 2/8; needs its own --db.") var shard: String?
    @Option(help: "Where reports go (reports/<sweep>/).") var reportDir: String = "reports"
    @Flag(help: "No progress lines.") var quiet = false
    @Flag(help: "Allow more than 1,000,000 points.") var force = false
    @Flag(help: "Do not write the report.") var noReport = false
    @Flag(
        help:
            "Print the wall time of each phase (load, register, simulate, store with the top details and look-ahead check, report)."
    )
    var timings = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be ≥ 1, got \(jobs)") }
        if let shard, SweepRunCommand.parseShard(shard) == nil {
            throw ValidationError("--shard must look like I/N with 1 ≤ I ≤ N, e.g. 2/8; got '\(shard)'")
        }
        if shard != nil && db == nil {
            throw ValidationError(
                "--shard needs its own --db (one database per shard; merge them with `hindsight sweep merge`)")
        }
    }

    /// SIGINT and SIGTERM (what Slurm sends at a time limit or `scancel`) stop a sweep cleanly: no new points start,
    /// the points in flight finish and are committed. A signal the process was started with ignored (SIGINT in a
    /// background job of a non-interactive shell) stays ignored, as the convention is. A second signal kills.
    static func handleStopSignals(_ cancel: CancellationFlag) -> [any DispatchSourceSignal] {
        var sources: [any DispatchSourceSignal] = []
        let handled = [SIGINT, SIGTERM].filter { sig in
            unsafeBitCast(signal(sig, SIG_IGN), to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self)
        }
        for sig in handled {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                cancel.raise(signal: sig)
                let name = sig == SIGINT ? "interrupt" : "terminate"
                FileHandle.standardError.write(
                    Data("\n\(name): finishing the points in flight, then stopping (send it again to abort)\n".utf8))
                // Only the signals this process handles go back to their default; an inherited ignore stays.
                for h in handled { signal(h, SIG_DFL) }
            }
            source.resume()
            sources.append(source)
        }
        return sources
    }

    static func parseShard(_ s: String) -> (Int, Int)? {
        let parts = s.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else { return nil }
        return (i, n)
    }

    func run() async throws {
        let cancel = CancellationFlag()
        let sources = SweepRunCommand.handleStopSignals(cancel)
        defer { for source in sources { source.cancel() } }
        try await CLI.run {
            let start = Date()
            let spec = try SweepSpec.load(path: sweep)
            let plan = try SweepPlan(spec, force: force)
            let context = try SweepContext(plan: plan)
            for w in context.pipeline.dateWarnings(context.base) {
                FileHandle.standardError.write(Data("warning: \(w)\n".utf8))
            }
            let loaded = Date().timeIntervalSince(start)
            var path = db ?? ".hindsight/sweeps.sqlite"
            if db == nil, case .database(let p) = context.base.data { path = p }
            let store = try HindsightDatabase(path: path)
            let lock = try WriterLock(database: path)
            defer { withExtendedLifetime(lock) {} }
            var options = SweepRunner.Options(
                jobs: jobs, resume: resume,
                shard: shard.flatMap(SweepRunCommand.parseShard).map { (index: $0.0, count: $0.1) }, quiet: quiet)
            // The report's scan of the points starts as soon as they are all stored, beside the top points' details.
            let early = Locked<Task<ReportWriter.Prepared, Error>?>(nil)
            if !noReport && shard == nil {
                let reader = ReportWriter(store: store, sweepID: plan.sweepID)
                options.pointsStored = { early.withLock { $0 = Task.detached { try reader.prepare() } } }
            }
            let s = try await SweepRunner.run(context: context, store: store, options: options, cancel: cancel)
            let wall = Date().timeIntervalSince(start)
            var phases: [(name: String, seconds: Double)] = [("load", loaded)] + s.phases
            print(
                "sweep \(s.sweepID): \(s.ran) points run, \(s.skipped) already done, \(s.invalid) invalid, \(s.failed) failed (of \(s.inShard)\(shard.map { " in shard \($0)" } ?? ""))"
            )
            print(
                String(format: "time: %.2f s, %.0f runs/s; results in %@", wall, Double(s.ran) / max(wall, 1e-9), path))
            if s.interrupted {
                FileHandle.standardError.write(
                    Data(
                        "stopped early; finish with: hindsight sweep run \(sweep) --db \(path) --resume\(shard.map { " --shard \($0)" } ?? "")\n"
                            .utf8))
                // The shell convention: 128 + the signal (130 for SIGINT, 143 for SIGTERM from Slurm or kill).
                throw ExitCode(128 + (cancel.signal == 0 ? SIGINT : cancel.signal))
            }
            // The WAL is copied into the database file while the report (which only reads) is written.
            let checkpointed = store.startCheckpoint()
            defer { checkpointed() }
            Hindsight.releaseFreedMemory()
            if !noReport && shard == nil {
                let out = reportDir + "/" + spec.name
                // After a resume the wall time covers only part of the work: do not report it as the sweep's.
                let before = Date()
                try await ReportWriter(store: store, sweepID: s.sweepID).write(
                    to: out, wallSeconds: s.skipped == 0 ? wall : nil, prepared: try await early.value?.value)
                print("report: \(out)/README.md")
                phases.append(("report", Date().timeIntervalSince(before)))
            }
            if timings {
                print(
                    "phases: " + phases.map { String(format: "%@ %.3f s", $0.name, $0.seconds) }.joined(separator: ", ")
                )
            }
            if s.failed > 0 || s.invalid > 0 {
                FileHandle.standardError.write(
                    Data(
                        "\(s.invalid) points invalid, \(s.failed) failed; the others are stored. See their errors in the report's points.csv or in backtest_runs\n"
                            .utf8))
                throw ExitCode(2)
            }
        }
    }
}

struct SweepReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a sweep's report from the database alone.")
    @Argument(
        help:
            "The sweep id (printed by `sweep run` and `sweep plan`), or the sweep's name when the database holds one sweep of that name."
    ) var sweepID: String
    @Option(help: "Results database.") var db: String
    @Option(help: "Output folder.") var out: String

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase.openExisting(path: db)
            let id = try CLI.resolveSweep(sweepID, store: store, db: db)
            try await ReportWriter(store: store, sweepID: id).write(to: out, wallSeconds: nil)
            print("report: \(out)/README.md")
        }
    }
}
