import Analytics
import Foundation
import HindsightCore
import Storage

/// Everything a sweep report shows, read from the database alone.
struct SweepReportData: Sendable {
    /// One planned point (a class: reports copy points into several orderings, and copies of a struct this size cost).
    /// Its parameters and its rank and trial metrics live in the report's `PointColumns`; only the best ranked
    /// points (`SweepReportData.fullPoints`) carry all their metrics, JSON and run id, so a point costs about 100
    /// bytes (10^6 points: 350 MB of separate arrays and strings before).
    final class Point: Sendable {
        let id: String
        let index: Int
        /// nil while the point has no stored run ("missing").
        let status: RunRecord.Status?
        var statusText: String { status?.rawValue ?? "missing" }
        let columns: PointColumns
        let full: Full?
        let error: String?

        /// What only the best ranked points keep (a class: an optional struct would widen every point by 48 bytes).
        final class Full: Sendable {
            let metrics: FieldRow<Double>
            let metricsJSON: String?
            let runID: String?
            init(metrics: FieldRow<Double>, metricsJSON: String?, runID: String?) {
                self.metrics = metrics
                self.metricsJSON = metricsJSON
                self.runID = runID
            }
        }

        init(id: String, index: Int, status: RunRecord.Status?, columns: PointColumns, full: Full?, error: String?) {
            self.id = id
            self.index = index
            self.status = status
            self.columns = columns
            self.full = full
            self.error = error
        }

        var params: Params { Params(columns: columns, row: index) }
        /// Numeric metrics (other fields are left out): all of them for the best ranked points, else only the rank
        /// and trial metrics.
        var metrics: Metrics { Metrics(point: self) }
        /// The stored metrics JSON and run id, for the best ranked points only.
        var metricsJSON: String? { full?.metricsJSON }
        var runID: String? { full?.runID }

        /// The point without what only the best keep.
        func slimmed() -> Point {
            Point(id: id, index: index, status: status, columns: columns, full: nil, error: error)
        }

        struct Params {
            let columns: PointColumns
            let row: Int
            subscript(path: String) -> String? { columns.param(path, row: row) }
        }

        struct Metrics {
            let point: Point
            subscript(name: String) -> Double? {
                if let full = point.full { return full.metrics[name] }
                return point.columns.metric(name, row: point.index)
            }
        }
    }

    /// Every point's parameters (each a code into its parameter's distinct values) and rank and trial metrics in
    /// flat arrays, by point index. Filled while the report data is read, read-only after.
    final class PointColumns: @unchecked Sendable {
        /// The names read with, and how many of their first columns this table keeps (the names grow as rows add keys).
        private let paramNames: FieldNames, metricNames: FieldNames
        private let paths: Int, slim: Int
        private var values: [[String]]
        private var codeOf: [[String: UInt32]]
        private var codes: [UInt32] = []
        private var metrics: [Double] = []
        private var present: [Bool] = []
        private static let none = UInt32.max

        init(params: FieldNames, metrics: FieldNames) {
            paramNames = params
            metricNames = metrics
            paths = params.count
            slim = metrics.count
            values = Array(repeating: [], count: paths)
            codeOf = Array(repeating: [:], count: paths)
        }

        /// Appends a point's row: `params` and `row` hold the paths and metric names first, in this table's order.
        func append(params: FieldRow<String>, metrics row: FieldRow<Double>) {
            for c in 0..<paths {
                guard c < params.values.count, let v = params.values[c] else {
                    codes.append(Self.none)
                    continue
                }
                if let code = codeOf[c][v] {
                    codes.append(code)
                } else {
                    let code = UInt32(values[c].count)
                    values[c].append(v)
                    codeOf[c][v] = code
                    codes.append(code)
                }
            }
            for c in 0..<slim {
                let v = c < row.values.count ? row.values[c] : nil
                metrics.append(v ?? .nan)
                present.append(v != nil)
            }
        }

        func param(_ path: String, row: Int) -> String? {
            guard let c = paramNames.index(path), c < paths else { return nil }
            let code = codes[row * paths + c]
            return code == Self.none ? nil : values[c][Int(code)]
        }

        func metric(_ name: String, row: Int) -> Double? {
            guard let c = metricNames.index(name), c < slim else { return nil }
            let i = row * slim + c
            return present[i] ? metrics[i] : nil
        }
    }

    let sweep: SweepRecord
    let spec: [(String, JSONValue)]
    let points: [Point]
    let paramPaths: [String]
    /// Every numeric metric any point has, in first-seen order.
    let metricNames: FieldNames
    /// The rank metrics (key, lower is better); points rank by the first.
    let objectives: [(key: String, lowerIsBetter: Bool)]
    var rankBy: String { objectives[0].key }
    var lowerIsBetter: Bool { objectives[0].lowerIsBetter }
    /// The spec's metric filters, and how many ok points failed one.
    let filters: [ConstraintExpression]
    let filteredOut: Int
    let reportTop: Int
    let heatmaps: Bool
    /// ok points, best first.
    let ranked: [Point]
    let deflated: [String: Double]
    let sharpeVariance: Double
    /// Trials the deflated Sharpe ratio counts: every ok point with a Sharpe ratio (filtered ones included) of
    /// every sweep on this data so far (the ledger), or of this sweep alone with `trials: sweep`.
    let trials: Int
    /// The sweeps the trials came from (1 with `trials: sweep`), and whether the ledger was used.
    let trialSweeps: Int
    let usesLedger: Bool
    /// With several objectives, the ranked points no other ranked point beats in all of them (best first).
    let paretoFront: [Point]
    /// Each ranked point's plateau score (the median primary metric over its grid neighbourhood), by point id.
    let plateau: [String: Double]

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
        var ranks = ["sharpe_ratio"]
        switch o.first(where: { $0.0 == "rank_by" })?.1 {
        case .string(let s)?: ranks = [s]
        case .array(let a)?:
            ranks = a.compactMap { if case .string(let s) = $0 { s } else { nil } }
            if ranks.isEmpty { ranks = ["sharpe_ratio"] }
        default: break
        }
        objectives = ranks.map { ($0.hasPrefix("-") ? String($0.dropFirst()) : $0, $0.hasPrefix("-")) }
        var filterTexts: [String] = []
        switch o.first(where: { $0.0 == "filters" })?.1 {
        case .string(let s)?: filterTexts = [s]
        case .array(let a)?: filterTexts = a.compactMap { if case .string(let s) = $0 { s } else { nil } }
        default: break
        }
        filters = try filterTexts.map { try ConstraintExpression(stored: $0) }
        var top = 20, heat = true
        for (k, v) in obj("report") {
            if k == "top", case .integer(let n) = v { top = n }
            if k == "heatmaps", case .bool(let b) = v { heat = b }
        }
        reportTop = top
        heatmaps = heat
        // One pass over the stored points. Each point keeps only what the report needs of every point (its
        // parameters, status and the rank and trial metrics); the best `keep` points keep all their metrics and JSON
        // for the leaderboard and the top pages. So memory follows the plan's size only by a few values a point.
        let objectiveKeys = objectives.map(\.key)
        let slimNames = objectiveKeys + (objectiveKeys.contains("sharpe_per_period") ? [] : ["sharpe_per_period"])
        let paramNames = FieldNames(paths), metricNames = FieldNames(slimNames)
        let keep = max(top, SweepReportData.fullPoints)
        let lower = objectives[0].lowerIsBetter, key = objectives[0].key
        let filters = self.filters
        typealias Scan = (pts: [Point], keys: [(value: Double, index: Int)], filtered: Int)
        @Sendable func scan() throws -> Scan {
            var pts: [Point] = []
            var best: [(value: Double, index: Int)] = []
            var keys: [(value: Double, index: Int)] = []
            var filtered = 0
            var scratch = FieldRow<Double>(names: metricNames, values: [])
            let columns = PointColumns(params: paramNames, metrics: metricNames)
            func text(_ b: UnsafeBufferPointer<UInt8>?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
            let slim = slimNames.count
            let filterKeys = Set(filters.flatMap(\.names))
            let wanted: (Int) -> Bool =
                filterKeys.isEmpty ? { $0 < slim } : { $0 < slim || filterKeys.contains(metricNames.names[$0]) }
            try store.scanSweepPoints(id: sweepID) { row in
                SweepReportData.readMetrics(row.metricsJSON, into: &scratch, parsing: wanted)
                let params = SweepReportData.readParams(row.paramsJSON, names: paramNames)
                let index = pts.count
                var rankValue: Double?
                if row.status == .ok {
                    if filters.allSatisfy({ $0.holds { scratch[$0] } }) {
                        if let v = scratch[key], v.isFinite { rankValue = lower ? -v : v }
                    } else {
                        filtered += 1
                    }
                }
                columns.append(params: params, metrics: scratch)
                func point(full: Bool) -> Point {
                    var all = FieldRow<Double>(names: metricNames, values: [])
                    if full { SweepReportData.readMetrics(row.metricsJSON, into: &all) }
                    return Point(
                        id: text(row.pointID) ?? "", index: index, status: row.status, columns: columns,
                        full: full
                            ? Point.Full(metrics: all, metricsJSON: text(row.metricsJSON), runID: text(row.runID))
                            : nil,
                        error: text(row.error))
                }
                guard let v = rankValue else { return pts.append(point(full: false)) }
                keys.append((v, index))
                // Ties keep the earlier point ahead (the ranking's order).
                guard best.count < keep || v > best[best.count - 1].value else { return pts.append(point(full: false)) }
                var at = best.count
                while at > 0 && best[at - 1].value < v { at -= 1 }
                best.insert((v, index), at: at)
                pts.append(point(full: true))
                if best.count > keep {
                    let out = best.removeLast().index
                    pts[out] = pts[out].slimmed()
                }
            }
            return (pts, keys, filtered)
        }
        var perSweep = false
        if case .string(let t)? = o.first(where: { $0.0 == "trials" })?.1 { perSweep = t == "sweep" }
        // The trial ledger reads every sweep's stored Sharpe ratios: on a second reader, beside the scan.
        let record = sweep
        nonisolated(unsafe) var scanned: Result<Scan, any Error> = .success(([], [], 0))
        nonisolated(unsafe) var ledgerRead: Result<TrialLedger?, any Error> = .success(nil)
        DispatchQueue.concurrentPerform(iterations: perSweep ? 1 : 2) { task in
            if task == 0 {
                scanned = Result { try scan() }
            } else {
                ledgerRead = Result { try store.trialLedger(upTo: record) }
            }
        }
        var (pts, keys, filtered) = try scanned.get()
        self.metricNames = metricNames
        points = pts
        filteredOut = filtered
        keys.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
        ranked = keys.map { pts[$0.index] }
        let srs = pts.compactMap { $0.status == .ok ? $0.metrics["sharpe_per_period"] : nil }.filter(\.isFinite)
        let mean = srs.isEmpty ? 0 : srs.reduce(0, +) / Double(srs.count)
        let ledger = try ledgerRead.get()
        if let ledger, ledger.trials >= srs.count, ledger.trials > 0 {
            trials = ledger.trials
            trialSweeps = ledger.sweeps
            sharpeVariance = ledger.sharpeVariance
            usesLedger = true
        } else {
            trials = srs.count
            trialSweeps = 1
            sharpeVariance =
                srs.count > 1 ? srs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(srs.count - 1) : 0
            usesLedger = false
        }
        var dsr: [String: Double] = [:]
        for p in ranked.prefix(keep) {
            dsr[p.id] = Metrics.deflatedSharpe(
                sharpePerPeriod: p.metrics["sharpe_per_period"] ?? .nan, skewness: p.metrics["skewness_g3"] ?? .nan,
                kurtosis: p.metrics["kurtosis_g4"] ?? .nan, observations: Int(p.metrics["n_obs"] ?? 0),
                trials: trials, trialSharpeVariance: sharpeVariance)
        }
        deflated = dsr
        let ranked = self.ranked
        let objectives = self.objectives
        paretoFront =
            objectives.count < 2
            ? []
            : Metrics.paretoFront(
                ranked.map { p in objectives.map { o in (p.metrics[o.key] ?? .nan) * (o.lowerIsBetter ? -1 : 1) } }
            ).map { ranked[$0] }
        // Grid coordinates: each numeric parameter's value as its index among the parameter's sorted values; the
        // other parameters group the points (only points equal in them are neighbours).
        // Each parameter's values read once (they were parsed three times a point, and each level found by a
        // linear search: 40 ms of a 14,751-point report).
        var numeric: [String] = [], parsed: [[Double]] = []
        for p in paths {
            var column: [Double] = []
            column.reserveCapacity(ranked.count)
            for pt in ranked {
                guard let v = Double(pt.params[p] ?? "x"), !v.isNaN else { break }
                column.append(v)
            }
            if column.count == ranked.count {
                numeric.append(p)
                parsed.append(column)
            }
        }
        let levelIndex = parsed.map { column in
            Dictionary(uniqueKeysWithValues: Array(Set(column)).sorted().enumerated().map { ($1, $0) })
        }
        let coordinates = ranked.indices.map { i in parsed.indices.map { d in levelIndex[d][parsed[d][i]]! } }
        let categorical = paths.filter { !numeric.contains($0) }
        var groups: [String: Int] = [:]
        let group = ranked.map { pt in
            guard !categorical.isEmpty else { return 0 }
            let k = categorical.map { pt.params[$0] ?? "" }.joined(separator: "\u{1}")
            if let g = groups[k] { return g }
            groups[k] = groups.count
            return groups.count - 1
        }
        let scores = Metrics.plateauScores(
            values: ranked.map { ($0.metrics[key] ?? .nan) * (lower ? -1 : 1) }, coordinates: coordinates,
            group: group)
        var plat: [String: Double] = [:]
        for (p, v) in zip(ranked, scores) { plat[p.id] = lower ? -v : v }
        plateau = plat
    }

    /// Ranked points that keep all their metrics (at least the report's `top`): the leaderboard, the top pages and
    /// the deflated Sharpe ratios read them.
    static let fullPoints = 50

    /// A row's numeric metrics (other fields are left out), replacing `row`'s values.
    /// With `parsing`, only the columns it accepts get values; every other number's key is still registered (the
    /// scan of every point needs the rank and filter metrics only, and parsing the other 70 numbers of each was
    /// a third of a 14,751-point report's serial read).
    static func readMetrics(
        _ json: UnsafeBufferPointer<UInt8>?, into row: inout FieldRow<Double>, parsing wanted: ((Int) -> Bool)? = nil
    ) {
        row.values.removeAll(keepingCapacity: true)
        guard let json else { return }
        let names = row.names
        FlatJSON.scan(bytes: json) { field, key, value, quoted in
            guard !quoted else { return }
            if let wanted {
                // The stored JSON's numbers (`JSONText.number`) start with a digit or a minus sign.
                guard let first = value.first, first == 45 || (first >= 48 && first <= 57) else { return }
                let c = names.column(key: key, field: field)
                if wanted(c), let d = FlatJSON.number(value) { row.set(c, d) }
                return
            }
            guard let d = FlatJSON.number(value) else { return }
            row.set(names.column(key: key, field: field), d)
        }
    }

    /// A row's parameters as people read them (a swept list or mapping as compact flow text).
    static func readParams(_ json: UnsafeBufferPointer<UInt8>?, names: FieldNames) -> FieldRow<String> {
        var params = FieldRow<String>(names: names, values: [])
        guard let json else { return params }
        FlatJSON.scan(bytes: json, nested: true) { field, key, value, quoted in
            let text: String
            if quoted {
                text = FlatJSON.unescape(value)
            } else if value.first == 123 || value.first == 91 {
                text = FlatJSON.readable(String(decoding: value, as: UTF8.self))
            } else {
                text = String(decoding: value, as: UTF8.self)
            }
            params.set(names.column(key: key, field: field), text)
        }
        return params
    }

    /// The ranked point with the best plateau score (ties to the better rank), or nil without a ranked point.
    var mostRobust: Point? {
        var best: (Point, Double)?
        for p in ranked {
            guard let v = plateau[p.id], v.isFinite else { continue }
            let score = lowerIsBetter ? -v : v
            if best == nil || score > best!.1 { best = (p, score) }
        }
        return best?.0
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

    /// A point's parameters for people (chart legends): `fast=10, slow=50`.
    func label(_ p: Point) -> String {
        paramPaths.map { "\(short($0))=\(p.params[$0] ?? "")" }.joined(separator: ", ")
    }

    /// A short label for a dotted path (its last component, or two if that is ambiguous).
    func short(_ path: String) -> String { ConfigNode.shortPath(path, among: paramPaths) }
}
