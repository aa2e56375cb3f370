import Analytics
import Foundation
import HindsightCore
import Storage

/// Everything a sweep report shows, read from the database alone.
struct SweepReportData: Sendable {
    /// One planned point (a class: reports copy points into several orderings, and copies of a struct this size cost).
    final class Point: Sendable {
        let id: String
        let index: Int
        let params: FieldRow<String>
        /// nil while the point has no stored run ("missing").
        let status: RunRecord.Status?
        var statusText: String { status?.rawValue ?? "missing" }
        /// Numeric metrics (other fields are left out).
        let metrics: FieldRow<Double>
        let metricsJSON: String?
        let runID: String?
        let error: String?
        init(
            id: String, index: Int, params: FieldRow<String>, status: RunRecord.Status?, metrics: FieldRow<Double>,
            metricsJSON: String?, runID: String?, error: String?
        ) {
            self.id = id
            self.index = index
            self.params = params
            self.status = status
            self.metrics = metrics
            self.metricsJSON = metricsJSON
            self.runID = runID
            self.error = error
        }
    }

    let sweep: SweepRecord
    let spec: [(String, JSONValue)]
    let points: [Point]
    let paramPaths: [String]
    /// Every numeric metric any point has, in first-seen order.
    let metricNames: FieldNames
    let rankBy: String
    let lowerIsBetter: Bool
    let reportTop: Int
    let heatmaps: Bool
    /// ok points, best first.
    let ranked: [Point]
    let deflated: [String: Double]
    let sharpeVariance: Double

    init(store: HindsightDatabase, sweepID: String) throws {
        sweep = try store.loadSweep(id: sweepID)
        guard case .object(let o) = try JSONValue.parse(sweep.specJSON) else {
            throw HindsightError(
                .invalidData, "\(store.path): sweep \(sweepID) has an unreadable spec",
                cause: "re-run the sweep into a new database")
        }
        spec = o
        func obj(_ k: String) -> [(String, JSONValue)] {
            if case .object(let x)? = o.first(where: { $0.0 == k })?.1 { return x }
            return []
        }
        var paths = obj("grid").map(\.0) + obj("zip").map(\.0)
        if case .object(let r)? = obj("random").first(where: { $0.0 == "params" })?.1 { paths += r.map(\.0) }
        paramPaths = paths
        var rank = "sharpe_ratio"
        if case .string(let s)? = o.first(where: { $0.0 == "rank_by" })?.1 { rank = s }
        lowerIsBetter = rank.hasPrefix("-")
        rankBy = lowerIsBetter ? String(rank.dropFirst()) : rank
        var top = 20, heat = true
        for (k, v) in obj("report") {
            if k == "top", case .integer(let n) = v { top = n }
            if k == "heatmaps", case .bool(let b) = v { heat = b }
        }
        reportTop = top
        heatmaps = heat
        var pts: [Point] = []
        let paramNames = FieldNames(paths), metricNames = FieldNames()
        func text(_ b: UnsafeBufferPointer<UInt8>?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
        try store.scanSweepPoints(id: sweepID) { row in
            var m = FieldRow<Double>(names: metricNames, values: [])
            m.values.reserveCapacity(metricNames.count)
            if let j = row.metricsJSON {
                FlatJSON.scan(bytes: j) { field, key, value, quoted in
                    guard !quoted, let d = FlatJSON.number(value) else { return }
                    m.set(metricNames.column(key: key, field: field), d)
                }
            }
            var params = FieldRow<String>(names: paramNames, values: [])
            if let j = row.paramsJSON {
                FlatJSON.scan(bytes: j) { field, key, value, quoted in
                    params.set(
                        paramNames.column(key: key, field: field),
                        quoted ? FlatJSON.unescape(value) : String(decoding: value, as: UTF8.self))
                }
            }
            pts.append(
                Point(
                    id: text(row.pointID) ?? "", index: pts.count, params: params,
                    status: row.status,
                    metrics: m, metricsJSON: text(row.metricsJSON), runID: text(row.runID), error: text(row.error)))
        }
        self.metricNames = metricNames
        points = pts
        let lower = lowerIsBetter, key = rankBy
        // Sort (value, index) pairs, not the points: a point is a large value and copying it dominates a big sort.
        var keys: [(value: Double, index: Int)] = []
        keys.reserveCapacity(pts.count)
        for p in pts where p.status == .ok {
            if let v = p.metrics[key], v.isFinite { keys.append((lower ? -v : v, p.index)) }
        }
        keys.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
        ranked = keys.map { pts[$0.index] }
        let srs = pts.compactMap { $0.status == .ok ? $0.metrics["sharpe_per_period"] : nil }.filter(\.isFinite)
        let mean = srs.isEmpty ? 0 : srs.reduce(0, +) / Double(srs.count)
        sharpeVariance = srs.count > 1 ? srs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(srs.count - 1) : 0
        var dsr: [String: Double] = [:]
        for p in ranked.prefix(max(top, 50)) {
            dsr[p.id] = Metrics.deflatedSharpe(
                sharpePerPeriod: p.metrics["sharpe_per_period"] ?? .nan, skewness: p.metrics["skewness_g3"] ?? .nan,
                kurtosis: p.metrics["kurtosis_g4"] ?? .nan, observations: Int(p.metrics["n_obs"] ?? 0),
                trials: srs.count, trialSharpeVariance: sharpeVariance)
        }
        deflated = dsr
    }

    /// The base run config inside the spec.
    var base: [(String, JSONValue)] {
        if case .object(let b)? = spec.first(where: { $0.0 == "base" })?.1 { return b }
        return []
    }

    func baseString(_ key: String) -> String? {
        if case .string(let s)? = base.first(where: { $0.0 == key })?.1 { return s }
        return nil
    }

    /// Swept parameters whose every value is a number.
    var numericParams: [String] {
        paramPaths.filter { p in points.allSatisfy { Double($0.params[p] ?? "x") != nil } }
    }

    /// A short label for a dotted path (its last component, or two if that is ambiguous).
    func short(_ path: String) -> String {
        let last = path.split(separator: ".").last.map(String.init) ?? path
        return paramPaths.filter { $0.hasSuffix("." + last) || $0 == last }.count > 1
            ? path.split(separator: ".").suffix(2).joined(separator: ".") : last
    }
}
