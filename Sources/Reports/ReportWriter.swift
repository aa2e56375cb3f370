import Analytics
import Foundation
import HindsightCore
import Storage

/// Writes `README.md`, `points.csv`, `top/<point>.md` and `charts/*.svg` for one stored sweep, reading only the database.
/// Files are written to a temporary folder and moved into place, so a report is never half-written.
public struct ReportWriter: Sendable {
    let store: HindsightDatabase
    let sweepID: String

    public init(store: HindsightDatabase, sweepID: String) {
        self.store = store
        self.sweepID = sweepID
    }

    /// The report's pass over the stored points (and the trial ledger), read ahead of `write`: `sweep run` reads
    /// them while the top points' details are stored.
    public struct Prepared: Sendable {
        let data: SweepReportData
    }

    public func prepare() throws -> Prepared { Prepared(data: try SweepReportData(store: store, sweepID: sweepID)) }

    public func write(to dir: String, wallSeconds: Double?, prepared: Prepared? = nil) async throws {
        let data = try prepared?.data ?? SweepReportData(store: store, sweepID: sweepID)
        let fm = FileManager.default
        try ReportWriter.checkOwnership(dir)
        ReportWriter.removeStaleTemporaries(of: dir)
        let tmp = dir + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try? fm.removeItem(atPath: tmp)
        do {
            try fm.createDirectory(atPath: tmp + "/charts", withIntermediateDirectories: true)
            try Data(ReportWriter.markerText.utf8).write(to: URL(fileURLWithPath: tmp + "/" + ReportWriter.marker))
            try fm.createDirectory(atPath: tmp + "/top", withIntermediateDirectories: true)
            // The overfitting section and points.csv run beside the rest (about as long as the top points'
            // bootstraps and the sections); the overfitting section replaces its placeholder.
            let builder = ReportBuilder(
                data: data, store: store, wallSeconds: wallSeconds, overfittingPlaceholder: true)
            let (overfitting, (readme, built, details)) = try await Parallel.both(
                {
                    let overfitting = try builder.overfitting()
                    try writePointsCSV(data, to: tmp + "/points.csv")
                    return overfitting
                },
                {
                    var f: [String: String] = [:]
                    let details = try builder.topDetails()
                    let md = try builder.build(files: &f, details: details)
                    return (md, f, details)
                })
            var files = built
            // The verdict reconciles the sections, so it is written last, at the top.
            files["README.md"] = readme.replacingOccurrences(
                of: ReportBuilder.overfittingMarker, with: overfitting.markdown
            ).replacingOccurrences(
                of: ReportBuilder.verdictMarker, with: try builder.verdict(overfitting, details: details))
            for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: tmp + "/" + name)) }
            // Only a folder this tool wrote (its marker) or an empty one is replaced.
            if fm.fileExists(atPath: dir) {
                try ReportWriter.checkOwnership(dir)
                try fm.removeItem(atPath: dir)
            }
            try fm.createDirectory(
                atPath: (dir as NSString).deletingLastPathComponent.isEmpty
                    ? "." : (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.moveItem(atPath: tmp, toPath: dir)
        } catch let e as HindsightError {
            try? fm.removeItem(atPath: tmp)
            throw e
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw HindsightError(.io, "\(dir): cannot write the report", cause: error.localizedDescription)
        }
    }

    /// The file that marks a folder as a report this tool wrote (and may replace).
    public static let marker = ".hindsight-report"
    static let markerText = "This folder is a Hindsight report; `hindsight sweep report` may replace it.\n"

    /// Refuses a folder that exists and is neither empty nor a report (never delete what Hindsight did not write).
    static func checkOwnership(_ dir: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir) else { return }
        guard isDir.boolValue else {
            throw HindsightError(
                .invalidArgument, "\(dir) is a file, not a report folder",
                cause: "give --out a folder path that does not exist yet")
        }
        let entries = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
        if entries.isEmpty || entries.contains(marker) { return }
        // Reports written before the marker existed: README.md headed "# Sweep `" beside points.csv, nothing else.
        let legacy =
            Set(entries).isSubset(of: ["README.md", "points.csv", "charts", "top"]) && entries.contains("points.csv")
            && ((try? String(contentsOfFile: dir + "/README.md", encoding: .utf8))?.hasPrefix("# Sweep `") ?? false)
        if legacy { return }
        throw HindsightError(
            .invalidArgument,
            "\(dir) already exists and is not a Hindsight report (no \(marker) file); nothing was written",
            cause:
                "give a new folder, e.g. --out \(dir == "." ? "reports/NAME" : dir + "/report"); Hindsight replaces only folders it wrote"
        )
    }

    /// Temporary folders left by a killed report (`<dir>.tmp-<pid>` whose process is gone and which hold the marker).
    static func removeStaleTemporaries(of dir: String) {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: dir).standardizedFileURL
        let parent = url.deletingLastPathComponent().path, prefix = url.lastPathComponent + ".tmp-"
        for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != ProcessInfo.processInfo.processIdentifier,
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            let path = parent + "/" + name
            if fm.fileExists(atPath: path + "/" + marker) { try? fm.removeItem(atPath: path) }
        }
    }

    /// One row per point: id, status, every parameter, every scalar metric. Streamed from a second pass over the
    /// stored points, so a million-point report never holds the table in memory.
    func writePointsCSV(_ data: SweepReportData, to path: String) throws {
        let metricNames = data.metricNames.names.sorted()
        // This pass's own name tables: the report's are shared with the sections built meanwhile.
        let names = FieldNames(data.metricNames.names), paramNames = FieldNames(data.paramPaths)
        let columns = metricNames.map { names.index($0)! }
        func cell(_ s: String, _ out: inout String) {
            if s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 }) {
                out += "\""
                out += s.replacingOccurrences(of: "\"", with: "\"\"")
                out += "\""
            } else {
                out += s
            }
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let fh = FileHandle(forWritingAtPath: path)
        else {
            throw HindsightError(
                .io, "\(path): cannot create the points table", cause: "check the folder's permissions")
        }
        defer { try? fh.close() }
        var out = ""
        out.reserveCapacity(1 << 20)
        for (i, name) in (["point_id", "status"] + data.paramPaths + metricNames + ["error"]).enumerated() {
            if i > 0 { out += "," }
            cell(name, &out)
        }
        out += "\n"
        var metrics = FieldRow<Double>(names: names, values: [])
        try store.scanSweepPoints(id: sweepID) { row in
            SweepReportData.readMetrics(row.metricsJSON, into: &metrics)
            let params = SweepReportData.readParams(row.paramsJSON, names: paramNames)
            cell(row.pointID.map { String(decoding: $0, as: UTF8.self) } ?? "", &out)
            out += ","
            cell(row.status?.rawValue ?? "missing", &out)
            out += ","
            for path in data.paramPaths {
                cell(params[path] ?? "", &out)
                out += ","
            }
            for c in columns {
                if c < metrics.values.count, let v = metrics.values[c], v.isFinite { v.write(to: &out) }
                out += ","
            }
            cell(row.error.map { String(decoding: $0, as: UTF8.self) } ?? "", &out)
            out += "\n"
            if out.utf8.count >= 1 << 20 {
                try fh.write(contentsOf: Data(out.utf8))
                out.removeAll(keepingCapacity: true)
            }
        }
        try fh.write(contentsOf: Data(out.utf8))
    }
}
