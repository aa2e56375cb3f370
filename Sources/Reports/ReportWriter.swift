import Analytics
import Foundation
import HindsightCore
import Storage

/// Writes `README.md`, `points.csv`, `top/<point>.md` and `charts/*.svg` for one stored sweep, reading only the database.
/// Files are written to a temporary folder and moved into place, so a report is never half-written.
public struct ReportWriter {
    let store: HindsightDatabase
    let sweepID: String

    public init(store: HindsightDatabase, sweepID: String) { self.store = store; self.sweepID = sweepID }

    public func write(to dir: String, wallSeconds: Double?) throws {
        let data = try SweepReportData(store: store, sweepID: sweepID)
        let fm = FileManager.default
        let tmp = dir + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try? fm.removeItem(atPath: tmp)
        do {
            try fm.createDirectory(atPath: tmp + "/charts", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: tmp + "/top", withIntermediateDirectories: true)
            // The overfitting section runs beside the rest (and points.csv); the section replaces its placeholder.
            let builder = ReportBuilder(data: data, store: store, wallSeconds: wallSeconds, overfittingPlaceholder: true)
            let (overfitting, (readme, built, csv)) = try Parallel.both({
                try builder.overfitting()
            }, {
                var f: [String: String] = [:]
                let md = try builder.build(files: &f)
                return (md, f, pointsCSV(data))
            })
            var files = built
            files["README.md"] = readme.replacingOccurrences(of: ReportBuilder.overfittingMarker, with: overfitting)
            files["points.csv"] = csv
            for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: tmp + "/" + name)) }
            if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
            try fm.createDirectory(atPath: (dir as NSString).deletingLastPathComponent.isEmpty ? "." : (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.moveItem(atPath: tmp, toPath: dir)
        } catch let e as HindsightError {
            try? fm.removeItem(atPath: tmp)
            throw e
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw HindsightError(.io, "\(dir): cannot write the report", cause: error.localizedDescription)
        }
    }

    /// One row per point: id, status, every parameter, every scalar metric.
    func pointsCSV(_ data: SweepReportData) -> String {
        let metricNames = data.metricNames.names.sorted()
        let columns = metricNames.map { data.metricNames.index($0)! }
        func cell(_ s: String, _ out: inout String) {
            if s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 }) {
                out += "\""
                out += s.replacingOccurrences(of: "\"", with: "\"\"")
                out += "\""
            } else {
                out += s
            }
        }
        var out = ""
        out.reserveCapacity(data.points.count * (32 + 24 * (metricNames.count + data.paramPaths.count)))
        for (i, name) in (["point_id", "status"] + data.paramPaths + metricNames + ["error"]).enumerated() {
            if i > 0 { out += "," }
            cell(name, &out)
        }
        out += "\n"
        for p in data.points {
            cell(p.id, &out); out += ","
            cell(p.status, &out); out += ","
            for path in data.paramPaths { cell(p.params[path] ?? "", &out); out += "," }
            for c in columns {
                if c < p.metrics.values.count, let v = p.metrics.values[c], v.isFinite { v.write(to: &out) }
                out += ","
            }
            cell(p.error ?? "", &out)
            out += "\n"
        }
        return out
    }
}
