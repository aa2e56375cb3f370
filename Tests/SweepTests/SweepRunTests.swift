import Analytics
import Foundation
import GRDB
import HindsightCore
import HindsightTestSupport
import Reports
import Storage
import Sweep
import Testing

/// Running sweeps: one row per point, resume, shards and merge, and the report built from the database.
struct SweepRunTests {
    let dir = TestPaths.makeTempDir("hindsight-sweep")

    static let sweep = """
        sweep: small
        base:
          name: small
          data: {synthetic: {assets: 6, start: 2014-01-02, end: 2016-12-30, seed: 5}}
          start: 2014-01-02
          end: 2016-12-30
          universe: {tickers: [MKT]}
          strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
          execution: {fill: close, commission: {model: bps, bps: 10}}
          benchmark: MKT
        grid:
          strategy.params.fast: [5, 10, 15, 20]
          strategy.params.slow: [30, 60]
          execution.fill: [close, next_open]
          execution.commission.bps: [0, 10]
        rank_by: sharpe_ratio
        walk_forward: {train: 12m, test: 6m}
        store: {equity: {top: 3}, trades: {top: 3}}
        report: {top: 3}
        """

    func plan() throws -> SweepPlan {
        let path = dir + "/small.yaml"
        TestPaths.write(Self.sweep, to: path)
        return try SweepPlan(try SweepSpec.load(path: path))
    }

    @discardableResult
    func run(_ db: String, resume: Bool = false, shard: (Int, Int)? = nil) async throws -> SweepRunner.Summary {
        let context = try SweepContext(plan: try plan())
        let options = SweepRunner.Options(
            jobs: 2, resume: resume, shard: shard.map { (index: $0.0, count: $0.1) }, quiet: true)
        return try await SweepRunner.run(context: context, store: try HindsightDatabase(path: db), options: options)
    }

    /// Point id → (status, metrics JSON, config hash) as stored.
    func stored(_ db: String) throws -> [String: String] {
        let store = try HindsightDatabase.openExisting(path: db)
        let id = try plan().sweepID
        var out: [String: String] = [:]
        for row in try store.sweepPoints(id: id) {
            out[row.pointID] = "\(row.status?.rawValue ?? "-") \(row.metricsJSON ?? "-")"
        }
        return out
    }

    @Test func aReportReadAheadWhileTheTopDetailsAreStoredEqualsOneReadAfter() async throws {
        // Without walk-forward (it writes after the points), the runner says when every point's row is stored.
        let path = dir + "/ahead.yaml", db = dir + "/ahead.sqlite"
        TestPaths.write(
            Self.sweep.replacingOccurrences(of: "walk_forward: {train: 12m, test: 6m}\n", with: ""), to: path)
        let plan = try SweepPlan(try SweepSpec.load(path: path))
        let store = try HindsightDatabase(path: db)
        let ahead = Locked<[ReportWriter.Prepared]>([])
        var options = SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true)
        options.pointsStored = {
            let prepared = try? ReportWriter(store: store, sweepID: plan.sweepID).prepare()
            ahead.withLock { $0 += prepared.map { [$0] } ?? [] }
        }
        let s = try await SweepRunner.run(context: try SweepContext(plan: plan), store: store, options: options)
        #expect(s.ran == 32 && ahead.value.count == 1)
        func files(_ out: String) throws -> [String: String] {
            var all: [String: String] = [:]
            for f in FileManager.default.enumerator(atPath: out)!.compactMap({ $0 as? String })
            where f.hasSuffix(".md") || f.hasSuffix(".csv") {
                all[f] = try String(contentsOfFile: out + "/" + f, encoding: .utf8)
            }
            return all
        }
        let writer = ReportWriter(store: store, sweepID: plan.sweepID)
        try await writer.write(to: dir + "/ahead", wallSeconds: nil, prepared: ahead.value.first)
        try await writer.write(to: dir + "/after", wallSeconds: nil)
        let a = try files(dir + "/ahead"), b = try files(dir + "/after")
        #expect(a.count > 3 && a == b)
        // With walk-forward the runner never calls it.
        let called = Locked(0)
        var wf = SweepRunner.Options(jobs: 2, resume: false, shard: nil, quiet: true)
        wf.pointsStored = { called.withLock { $0 += 1 } }
        _ = try await SweepRunner.run(
            context: try SweepContext(plan: try self.plan()), store: try HindsightDatabase(path: dir + "/wf.sqlite"),
            options: wf)
        #expect(called.value == 0)
    }

    @Test func everyPointIsStoredOnceAndResumeRunsNothingTwice() async throws {
        let db = dir + "/a.sqlite"
        let s = try await run(db)
        #expect(s.planned == 32 && s.ran == 32 && s.failed == 0 && s.invalid == 0)
        let store = try HindsightDatabase.openExisting(path: db)
        #expect(try store.count(table: "backtest_runs") == 32)
        #expect(try stored(db).values.allSatisfy { $0.hasPrefix("ok ") })
        await #expect(throws: HindsightError.self) { try await run(db) }
        let again = try await run(db, resume: true)
        #expect(again.ran == 0 && again.skipped == 32)
        #expect(try store.count(table: "backtest_runs") == 32)
    }

    @Test func aPartialRunCompletedByResumeEqualsOneUninterruptedRun() async throws {
        let whole = dir + "/whole.sqlite", partial = dir + "/partial.sqlite"
        try await run(whole)
        try await run(partial, shard: (2, 3))
        let resumed = try await run(partial, resume: true)
        #expect(resumed.skipped > 0 && resumed.ran == 32 - resumed.skipped)
        let a = try stored(whole), b = try stored(partial)
        #expect(a.count == 32 && a == b)
    }

    @Test func mergedShardsEqualTheUnshardedRun() async throws {
        let whole = dir + "/whole.sqlite"
        try await run(whole)
        var shards: [String] = []
        for i in 1...3 {
            shards.append(dir + "/shard-\(i).sqlite")
            let s = try await run(shards.last!, shard: (i, 3))
            #expect(s.inShard < 32 && s.ran == s.inShard)
        }
        let merged = dir + "/merged.sqlite"
        let m = try HindsightDatabase.merge(into: merged, shards: shards)
        #expect(m.runsCopied == 32 && m.missing.values.allSatisfy(\.isEmpty))
        #expect(try stored(merged) == stored(whole))

        // Two shards only: the merge reports the missing points.
        let m2 = try HindsightDatabase.merge(into: dir + "/two.sqlite", shards: Array(shards.prefix(2)))
        #expect(m2.missing.values.first?.count == 32 - m2.runsCopied)
        // A shard whose data differs, or whose copy of a run differs, is refused and nothing is written.
        for (i, sql) in [
            "UPDATE sweeps SET data_fingerprint = 'other-data'",
            "UPDATE backtest_runs SET metrics_json = replace(metrics_json, '\"trades\":', '\"trades\":1') WHERE rowid = 1",
        ].enumerated() {
            let copy = dir + "/copy-\(i).sqlite"
            try FileManager.default.copyItem(atPath: shards[0], toPath: copy)
            try await DatabaseQueue(path: copy).write { try $0.execute(sql: sql) }
            let bad = dir + "/bad-\(i).sqlite"
            #expect(throws: HindsightError.self) { try HindsightDatabase.merge(into: bad, shards: [shards[0], copy]) }
            #expect(!FileManager.default.fileExists(atPath: bad))
        }
    }

    @Test func theReportHasEverySectionAndChartsThatRender() async throws {
        let db = dir + "/r.sqlite"
        let s = try await run(db)
        let out = dir + "/report"
        try await ReportWriter(store: try HindsightDatabase.openExisting(path: db), sweepID: s.sweepID).write(
            to: out, wallSeconds: s.seconds)
        let readme = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        for section in [
            "## Overview", "## Leaderboard", "## Overfitting", "## Parameter sensitivity", "## Equity curves",
            "## Drawdowns",
            "## Regimes", "## Factor exposures", "## Attribution", "## Walk-forward",
        ] {
            #expect(readme.contains(section), "missing \(section)")
        }
        #expect(readme.contains("32 planned: 32 ok"))
        #expect(readme.contains("**Verdict.**") && readme.contains("walk-forward efficiency"))
        // points.csv: a header with every parameter and metric, one row per point.
        let csv = try String(contentsOfFile: out + "/points.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 33)
        for column in ["point_id", "strategy.params.fast", "execution.fill", "sharpe_ratio", "max_drawdown", "trades"] {
            #expect(csv[0].split(separator: ",").contains(Substring(column)), "points.csv lacks \(column)")
        }
        let top = try FileManager.default.contentsOfDirectory(atPath: out + "/top")
        #expect(top.count == 3)
        let page = try String(contentsOfFile: out + "/top/" + top[0], encoding: .utf8)
        #expect(page.contains("## Monthly returns") && page.contains("## Drawdowns") && page.contains("## Trades"))
        #expect(page.contains("## Intervals") && page.contains("| sharpe_ratio |"))
        // Every chart named in the README exists and renders to a PNG.
        let charts = try FileManager.default.contentsOfDirectory(atPath: out + "/charts").filter {
            $0.hasSuffix(".svg")
        }
        #expect(
            charts.contains("equity-top.svg") && charts.contains("drawdown-top.svg")
                && charts.contains("walk-forward.svg"))
        #expect(charts.contains { $0.hasPrefix("heatmap-") } && charts.contains { $0.hasPrefix("param-") })
        // A top point's attribution charts are linked from its page.
        #expect(page.contains("## Attribution") && page.contains("### Turnover by component"))
        let pages = try top.map { try String(contentsOfFile: out + "/top/" + $0, encoding: .utf8) }
        for c in charts {
            #expect(
                readme.contains("charts/" + c) || pages.contains { $0.contains("../charts/" + c) }, "\(c) is not linked"
            )
        }
        #expect(
            charts.contains { $0.hasSuffix("-sector-pnl.svg") } && charts.contains { $0.hasSuffix("-turnover.svg") })
        let rsvg = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let tool = try #require(
            rsvg, "rsvg-convert is needed to check the charts (apt-get install librsvg2-bin; `make test` installs it)")
        for c in charts {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = ["-w", "600", out + "/charts/" + c, "-o", dir + "/" + c + ".png"]
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(c) does not render")
            let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + c + ".png"))
            #expect(png.count > 2_000 && png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        }
    }

    @Test func walkForwardPicksTheInSampleBestOfEachWindow() async throws {
        let db = dir + "/wf.sqlite"
        let s = try await run(db)
        let store = try HindsightDatabase.openExisting(path: db)
        let json = try #require(try store.metadataValue(WalkForwardAnalysis.metadataKey(s.sweepID)))
        guard case .object(let o) = try JSONValue.parse(json),
            case .array(let windows)? = o.first(where: { $0.0 == "windows" })?.1
        else {
            Issue.record("no windows in \(json.prefix(200))")
            return
        }
        // 3 years of sessions, 12-month train, 6-month test, 6-month step: train starts 2014-01, 2014-07, 2015-01, 2015-07.
        #expect(windows.count == 4)
        // Window 1's choice is the point with the highest in-sample value among the stored ones.
        guard case .object(let w0) = windows[0], case .string(let chosen)? = w0.first(where: { $0.0 == "point" })?.1,
            case .number(let best)? = w0.first(where: { $0.0 == "in_sample" })?.1
        else {
            Issue.record("window 0 malformed")
            return
        }
        var values: [String: Double] = [:]
        for (pointID, notes) in try store.sweepPointNotes(id: s.sweepID) {
            guard case .object(let mo) = try JSONValue.parse(notes),
                case .array(let v)? = mo.first(where: { $0.0 == "walk_forward_in_sample" })?.1,
                case .number(let x) = v[0]
            else { continue }
            values[pointID] = x
        }
        #expect(values.count == 32)
        #expect(values[chosen] == best && values.values.max() == best)
    }
}
