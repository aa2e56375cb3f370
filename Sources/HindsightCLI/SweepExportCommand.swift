import Analytics
import ArgumentParser
import Backtest
import Engine
import Foundation
import HindsightCore
import MarketData
import Storage
import Sweep
import TimeMachine
import YAMLConfig

/// `sweep export`: a sweep's stored results as CSV, for pandas and spreadsheets.
struct SweepExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a sweep's metrics, daily returns or stored daily equity as CSV.",
        discussion: """
            metrics: one row per point (point_id, status, each parameter, each scalar metric of metrics_json).
            returns: point_id,date,return for every point whose returns are stored (`sweep_returns`: a little-endian
            float64 array per point, one value per session from first_date on the sweep's calendar).
            equity: point_id,date,equity,drawdown for the points whose daily equity is stored (store: {equity: ...}).
            attribution: point_id,dimension,period,key,pnl,exposure,contribution for the stored (top) points.
            """)
    @Argument(help: "The sweep id, or its name when the database holds one sweep of that name.") var sweepID: String
    @Option(help: "Results database.") var db: String
    @Option(help: "What to export: metrics, returns, equity or attribution.") var what: String = "metrics"
    @Option(help: "Output format (csv).") var format: String = "csv"
    @Option(help: "Write to this file instead of standard output.") var out: String?
    @Flag(help: "Replace --out if it exists.") var force = false

    func validate() throws {
        guard ["metrics", "returns", "equity", "attribution"].contains(what) else {
            throw ValidationError("--what must be metrics, returns, equity or attribution, got '\(what)'")
        }
        guard format == "csv" else { throw ValidationError("--format must be csv, got '\(format)'") }
    }

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase.openExisting(path: db, readOnly: true)
            let id = try CLI.resolveSweep(sweepID, store: store, db: db)
            if let out, FileManager.default.fileExists(atPath: out), !force {
                throw HindsightError(
                    .invalidArgument, "\(out) exists; nothing was written", cause: "pass --force to replace it")
            }
            let points = try store.sweepPoints(id: id)
            var text = ""
            switch what {
            case "metrics": text = try metrics(points)
            case "returns": text = try returns(store: store, id: id, points: points)
            case "attribution": text = try attribution(store: store, id: id, points: points)
            default: text = try equity(store: store, id: id, points: points)
            }
            if let out {
                try CLI.writeAtomically(text, to: out)
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }

    /// The `backtest_attribution` rows of every point that has them (the points whose trades are stored).
    func attribution(store: HindsightDatabase, id: String, points: [Point]) throws -> String {
        var text = "point_id,dimension,period,key,pnl,exposure,contribution\n"
        var any = false
        for p in points {
            guard let run = p.runID else { continue }
            for a in try store.attribution(runID: run) {
                any = true
                text +=
                    [
                        p.pointID, a.dimension, a.period, a.key, JSONText.number(a.pnl), JSONText.number(a.exposure),
                        JSONText.number(a.contribution),
                    ].map(Self.field).joined(separator: ",") + "\n"
            }
        }
        guard any else {
            throw HindsightError(
                .invalidArgument, "sweep \(id) has no stored attribution; nothing was written",
                cause:
                    "attribution is stored with the top points' trades (report: {top: N}); re-run the sweep with this version"
            )
        }
        return text
    }

    /// A stored point, as `HindsightDatabase.sweepPoints` lists it.
    typealias Point = (
        pointID: String, paramsJSON: String, runID: String?, status: RunRecord.Status?, metricsJSON: String?,
        error: String?
    )

    static func field(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n")
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    func metrics(
        _ points: [Point]
    ) throws -> String {
        var paramNames: [String] = [], metricNames: [String] = []
        var seenP = Set<String>(), seenM = Set<String>()
        var rows: [(String, String, [String: String], [String: String])] = []
        func scalar(_ v: JSONValue) -> String? {
            switch v {
            case .number(let x): return JSONText.number(x)
            case .integer(let i): return String(i)
            case .string(let s): return s
            case .bool(let b): return b ? "true" : "false"
            case .null: return ""
            default: return nil
            }
        }
        for p in points {
            var params: [String: String] = [:], metrics: [String: String] = [:]
            if case .object(let o) = try JSONValue.parse(p.paramsJSON) {
                for (k, v) in o {
                    params[k] = scalar(v) ?? v.render()
                    if seenP.insert(k).inserted { paramNames.append(k) }
                }
            }
            if let m = p.metricsJSON, case .object(let o) = try JSONValue.parse(m) {
                for (k, v) in o {
                    guard let s = scalar(v) else { continue }
                    metrics[k] = s
                    if seenM.insert(k).inserted { metricNames.append(k) }
                }
            }
            rows.append((p.pointID, p.status?.rawValue ?? "missing", params, metrics))
        }
        var text = (["point_id", "status"] + paramNames + metricNames).map(Self.field).joined(separator: ",") + "\n"
        for (id, status, params, metrics) in rows {
            let cells = [id, status] + paramNames.map { params[$0] ?? "" } + metricNames.map { metrics[$0] ?? "" }
            text += cells.map(Self.field).joined(separator: ",") + "\n"
        }
        return text
    }

    func returns(
        store: HindsightDatabase, id: String,
        points: [Point]
    ) throws -> String {
        let stored = try store.sweepReturns(id: id)
        guard !stored.isEmpty else {
            throw HindsightError(
                .invalidArgument, "sweep \(id) has no stored returns",
                cause: "returns are kept for the points the report samples and the top points; re-run with a report")
        }
        let calendar = try Self.calendar(store: store, id: id)
        var text = "point_id,date,return\n"
        for p in points {
            guard let (first, r) = stored[p.pointID], let start = calendar.index(of: first) else { continue }
            for (i, v) in r.enumerated() where start + i < calendar.count {
                text += "\(p.pointID),\(calendar.day(at: start + i).iso),\(JSONText.number(v))\n"
            }
        }
        return text
    }

    func equity(
        store: HindsightDatabase, id: String,
        points: [Point]
    ) throws -> String {
        // Rows (`backtest_daily_equity`, the top points) where stored, else the compact blobs of `equity: all`.
        let compact = try store.sweepEquity(id: id)
        let calendar = compact.isEmpty ? nil : try Self.calendar(store: store, id: id)
        var text = "point_id,date,equity,drawdown\n"
        for p in points where p.status == .ok {
            let rows = try p.runID.map { try store.equityRows(runID: $0) } ?? []
            if !rows.isEmpty {
                for e in rows {
                    text += "\(p.pointID),\(e.date.iso),\(JSONText.number(e.equity)),\(JSONText.number(e.drawdown))\n"
                }
            } else if let calendar, let (first, values) = compact[p.pointID], let start = calendar.index(of: first) {
                // Drawdown from the running peak, as the engine writes it (the initial cash starts the peak).
                var peak = Self.initialCash(p.metricsJSON) ?? values.first ?? 0
                for (i, v) in values.enumerated() where start + i < calendar.count {
                    peak = max(peak, v)
                    let dd = peak > 0 ? v / peak - 1 : 0
                    text +=
                        "\(p.pointID),\(calendar.day(at: start + i).iso),\(JSONText.number(v)),\(JSONText.number(dd))\n"
                }
            }
        }
        return text
    }

    static func initialCash(_ metrics: String?) -> Double? {
        guard let m = metrics, case .object(let o)? = try? JSONValue.parse(m) else { return nil }
        switch o.first(where: { $0.0 == "initial_cash" })?.1 {
        case .number(let x)?: return x
        case .integer(let x)?: return Double(x)
        default: return nil
        }
    }

    /// The sweep's calendar: the base config's data, loaded as a run would.
    static func calendar(store: HindsightDatabase, id: String) throws -> TradingCalendar {
        let sweep = try store.loadSweep(id: id)
        guard case .object(let spec) = try JSONValue.parse(sweep.specJSON),
            let base = spec.first(where: { $0.0 == "base" })?.1
        else { throw HindsightError(.invalidData, "sweep \(id) has an unreadable spec") }
        let root = try YAMLDocument.parse(base.render(), file: "the base config of sweep \(id)")
        let config = try RunConfig.parse(root, strategyKinds: StrategyRegistry.kinds)
        return try MarketInputs.load(for: config).panel.calendar
    }
}

extension CLI {
    /// A sweep id, or the name of the database's one sweep of that name.
    static func resolveSweep(_ given: String, store: HindsightDatabase, db: String) throws -> String {
        let ids = try store.sweepIDs()
        if ids.contains(given) { return given }
        let named = ids.filter { $0.hasPrefix(given + "-") }
        if named.count == 1 { return named[0] }
        if named.count > 1 {
            throw HindsightError(
                .invalidArgument, "\(db) holds \(named.count) sweeps named \(given)",
                cause: "give the full id, one of: \(named.joined(separator: ", "))")
        }
        throw HindsightError(
            .invalidArgument, "\(db) has no sweep \(given)",
            cause: ids.isEmpty ? "run one with `hindsight sweep run`" : "stored sweeps: \(ids.joined(separator: ", "))")
    }
}
