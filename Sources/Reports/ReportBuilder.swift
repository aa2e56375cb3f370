import Analytics
import Foundation
import HindsightCore
import Storage

/// Builds the report's Markdown and charts from `SweepReportData`.
struct ReportBuilder: Sendable {
    let data: SweepReportData
    let store: HindsightDatabase
    let wallSeconds: Double?
    /// Leave a marker where the overfitting section goes (the writer computes it alongside).
    var overfittingPlaceholder = false
    static let overfittingMarker = "<!-- hindsight:overfitting -->"
    static let verdictMarker = "<!-- hindsight:verdict -->"
    /// The base config's benchmark, compared with in every table that shows points.
    let benchmark: BenchmarkSeries?

    init(data: SweepReportData, store: HindsightDatabase, wallSeconds: Double?, overfittingPlaceholder: Bool = false) {
        self.data = data
        self.store = store
        self.wallSeconds = wallSeconds
        self.overfittingPlaceholder = overfittingPlaceholder
        benchmark = BenchmarkSeries(ticker: data.baseString("benchmark"), store: store)
    }

    /// The benchmark's summary metrics over the sessions of `dates`.
    func benchmarkSummary(_ dates: [TradingDay]) -> Metrics.SeriesSummary? {
        benchmark?.returns(on: dates).map { Metrics.summary($0) }
    }

    /// Stored details of one top point: dated daily returns, equity rows and trades.
    struct Detail: Sendable {
        var point: SweepReportData.Point
        var dates: [TradingDay]
        var returns: [Double]
        var equity: [EquityRow]
        var trades: [TradeRow]
        var roundTrips: [RoundTripRow] = []
        /// The headline statistics' bootstrap intervals, shared by the leaderboard and the point's page.
        var intervals: BootstrapIntervals? = nil
    }

    func num(_ v: Double?, _ digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: "%.\(digits)g", v)
    }

    func pct(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: "%.2f%%", v * 100)
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var s =
            "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
        for r in rows {
            s += "| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        return s
    }

    func build(files: inout [String: String], details: [Detail]) throws -> String {
        let d = data
        let ok = d.points.filter { $0.status == .ok }.count
        let invalid = d.points.filter { $0.status == .invalid }.count
        let failed = d.points.filter { $0.status == .failed }.count
        let missing = d.points.filter { $0.status == nil }.count
        var md = "# Sweep `\(d.sweep.name)`\n\n"
        // Overview.
        let first = details.first?.dates.first?.iso ?? "–", last = details.first?.dates.last?.iso ?? "–"
        md += "## Overview\n\n"
        md += ReportBuilder.table(
            ["", ""],
            [
                ["sweep id", "`\(d.sweep.sweepID)`"], ["plan hash", "`\(d.sweep.planHash)`"],
                ["data fingerprint", "`\(d.sweep.dataFingerprint ?? "–")`"], ["date range", "\(first) .. \(last)"],
                [
                    "points",
                    "\(d.points.count) planned: \(ok) ok, \(invalid) invalid, \(failed) failed, \(missing) not run",
                ],
                ["parameters", d.paramPaths.map { "`\($0)`" }.joined(separator: ", ")],
                [
                    "rank by",
                    d.objectives.map { "`\($0.lowerIsBetter ? "-" : "")\($0.key)`" }.joined(separator: ", ")
                        + " (\(d.lowerIsBetter ? "lower" : "higher") is better\(d.objectives.count > 1 ? "; ranked by the first, Pareto front over all" : ""))",
                ],
                [
                    "filters",
                    d.filters.isEmpty
                        ? "–"
                        : d.filters.map { "`\($0.text)`" }.joined(separator: ", ")
                            + " (\(d.filteredOut) ok points filtered out, still counted as trials)",
                ],
                [
                    "benchmark",
                    benchmark.map { "`\($0.ticker)` (total return)" } ?? "– (set `benchmark:` in the base config)",
                ],
                [
                    "wall time",
                    wallSeconds.map {
                        String(format: "%.2f s (%.0f runs/s)", $0, Double(d.points.count) / max($0, 1e-9))
                    } ?? "– (report rebuilt from the database)",
                ],
                ["created", d.sweep.createdAt],
            ])
        md +=
            "\nFiles: [`points.csv`](points.csv) (every point, every parameter and metric), `top/` (one page per top point), `charts/`.\n\n"
        let over = overfittingPlaceholder ? nil : try overfitting()
        md += overfittingPlaceholder ? ReportBuilder.verdictMarker : try verdict(over!, details: details)
        md += leaderboard(&files, details: details)
        md += pareto(&files)
        md += robustPick()
        md += over?.markdown ?? ReportBuilder.overfittingMarker
        md += lookAheadSection()
        md += sensitivity(&files)
        md += curves(details, &files)
        md += regimeTable(details)
        md += try factorExposures(details)
        md += sectorAttribution(details)
        md += try intrabar()
        md += walkForward(&files)
        md += crossValidationSection(&files)
        md += scenariosSection(&files)
        for (rank, det) in details.enumerated() {
            files["top/\(det.point.id).md"] = topPage(det, rank: rank + 1, files: &files)
        }
        if invalid + failed > 0 {
            md += "## Points that did not run\n\n"
            md += ReportBuilder.table(
                ["point", "status", "error"],
                d.points.filter { $0.status == .invalid || $0.status == .failed }.prefix(20).map {
                    [$0.id, $0.statusText, String(($0.error ?? "").prefix(160))]
                })
            md += "\n"
        }
        return md
    }

    /// The top points under both intrabar policies, when their stops and targets can share a bar.
    func intrabar() throws -> String {
        let d = data
        let notes = try store.sweepPointNotes(id: d.sweep.sweepID, points: d.ranked.prefix(d.reportTop).map(\.id))
        var rows: [[String]] = []
        var flagged = 0
        let values = d.ranked.compactMap { $0.metrics[d.rankBy] }
        for (i, p) in d.ranked.prefix(d.reportTop).enumerated() {
            guard let n = notes[p.id], case .object(let o)? = try? JSONValue.parse(n),
                case .object(let alt)? = o.first(where: { $0.0 == "intrabar_alternative" })?.1
            else { continue }
            func field(_ k: String) -> Double? {
                switch alt.first(where: { $0.0 == k })?.1 {
                case .number(let x)?: return x
                case .integer(let x)?: return Double(x)
                default: return nil
                }
            }
            let here = p.metrics[d.rankBy] ?? .nan, there = field("rank_value") ?? .nan
            // Its rank among the other points if only this point's policy changed.
            let better = values.enumerated().filter { $0.offset != i }.filter {
                d.lowerIsBetter ? $0.element < there : $0.element > there
            }.count
            let moved = there.isFinite && better != i
            if moved { flagged += 1 }
            var policy = "pessimistic"
            if case .string(let s)? = alt.first(where: { $0.0 == "policy" })?.1 { policy = s }
            rows.append([
                "\(i + 1)", "[`\(p.id)`](top/\(p.id).md)", num(p.metrics["ambiguous_bars"], 6),
                policy == "optimistic" ? num(here) : num(there), policy == "optimistic" ? num(there) : num(here),
                num(there - here), moved ? "**\(better + 1)** (moves)" : "\(i + 1)",
            ])
        }
        guard !rows.isEmpty else { return "" }
        var md =
            "## Intrabar ambiguity\n\nOn a daily bar that holds both a stop and the target, the data cannot say which came first. "
        md +=
            "Each top point ran again under the other `stops.intrabar` policy: `\(d.rankBy)` under both, the spread, and the rank it would have. \(flagged) of \(rows.count) change rank.\n\n"
        return md
            + ReportBuilder.table(
                ["#", "point", "ambiguous bars", "pessimistic", "optimistic", "spread", "rank under the other"], rows)
            + "\n"
    }

    func leaderboard(_ files: inout [String: String], details: [Detail]) -> String {
        let d = data
        var md =
            "## Leaderboard\n\nThe top \(min(d.reportTop, d.ranked.count)) of \(d.ranked.count) ranked points by `\(d.rankBy)`. "
        md +=
            "DSR is the deflated Sharpe ratio with \(d.trials) trials\(d.usesLedger && d.trialSweeps > 1 ? " (every sweep on this data so far)" : "") and the variance of their Sharpe ratios; PSR the probabilistic Sharpe ratio against 0."
        md +=
            " SR SE is the standard error of the annualised Sharpe ratio (Lo 2002, with a Newey–West long-run variance, so serial correlation widens it), SR 95% CI its BCa interval from 1,000 stationary-bootstrap paths (Politis–White block length, seed 0)"
        md +=
            benchmark.map {
                "; p vs \($0.ticker) the two-sided p-value of the Sharpe-ratio difference to the benchmark (Ledoit–Wolf 2008, HAC). The last row is the benchmark over the best point's sessions."
            } ?? "."
        md += "\n\n"
        // Per top point: its Sharpe standard error and the test against the benchmark, from its stored returns.
        var inference: [String: (se: Double, p: Double, ci: (lo: Double, hi: Double))] = [:]
        for det in details {
            let se = Metrics.sharpeStandardError(det.returns) * 252.0.squareRoot()
            let p = benchmark?.returns(on: det.dates).map { Metrics.sharpeDifferenceTest(det.returns, $0).pValue }
            let ci = det.intervals?.intervals.first { $0.name == BootstrapIntervals.sharpe.name }
            inference[det.point.id] = (se, p ?? .nan, ci?.bca ?? (.nan, .nan))
        }
        // The key metrics, with the rank metric first and not repeated.
        let keyMetrics: [(name: String, title: String, percent: Bool)] = [
            (SummaryMetric.sharpeRatio.key, "sharpe", false), (SummaryMetric.cagr.key, "cagr", true),
            (SummaryMetric.maxDrawdown.key, "max dd", true), (SummaryMetric.totalReturn.key, "total return", true),
            ("trades", "trades", false),
        ].filter { $0.name != d.rankBy }
        let header =
            ["#", "point"] + d.paramPaths.map { d.short($0) } + [d.rankBy] + keyMetrics.map(\.title) + [
                "SR SE", "SR 95% CI", "DSR", "PSR",
            ] + (benchmark.map { ["p vs \($0.ticker)"] } ?? [])
        var rows: [[String]] = []
        for (i, p) in d.ranked.prefix(d.reportTop).enumerated() {
            rows.append(
                ["\(i + 1)", "[`\(p.id)`](top/\(p.id).md)"] + d.paramPaths.map { p.params[$0] ?? "" } + [
                    num(p.metrics[d.rankBy])
                ]
                    + keyMetrics.map {
                        $0.percent ? pct(p.metrics[$0.name]) : num(p.metrics[$0.name], $0.name == "trades" ? 6 : 3)
                    }
                    + [
                        num(inference[p.id]?.se, 3),
                        inference[p.id].map { "[\(num($0.ci.lo, 3)), \(num($0.ci.hi, 3))]" } ?? "–",
                        num(d.deflated[p.id], 3),
                        num(p.metrics["probabilistic_sharpe_ratio"], 3),
                    ] + (benchmark == nil ? [] : [num(inference[p.id]?.p, 2)]))
        }
        if let b = benchmark, let dates = details.first?.dates, let s = benchmarkSummary(dates) {
            func value(_ key: String) -> Double? {
                if let m = SummaryMetric(key: key) { return s.values[m] }
                // The benchmark against itself.
                return [
                    "alpha": 0, "beta": 1, "excess_return": 0, "tracking_error": 0, "up_capture": 1,
                    "down_capture": 1,
                ][key]
            }
            rows.append(
                ["", "**\(b.label)**"] + d.paramPaths.map { _ in "" } + [num(value(d.rankBy))]
                    + keyMetrics.map { $0.percent ? pct(value($0.name)) : num(value($0.name), 3) }
                    + [
                        num(
                            benchmark?.returns(on: dates).map { Metrics.sharpeStandardError($0) * 252.0.squareRoot() },
                            3),
                        "", num(s.values[.probabilisticSharpeRatio], 3), "",
                    ])
        }
        return md + ReportBuilder.table(header, rows) + "\n"
    }

    /// The overfitting section and its probability of backtest overfitting (nil when not computed).
    struct Overfitting: Sendable {
        var markdown: String
        var pbo: Double?
    }

    func overfitting() throws -> Overfitting {
        var md = "## Overfitting\n\n"
        let stored = try store.sweepReturns(id: data.sweep.sweepID)
        // The plan's even sample only: top points re-run for their details also keep returns, and in a merged
        // sweep each shard had its own top points.
        let n = data.points.count
        let okIDs = Set(
            data.points.enumerated().filter {
                $0.element.status == .ok && ReturnsSample.contains(index: $0.offset, points: n)
            }.map(\.element.id))
        var cols = stored.filter { okIDs.contains($0.key) }.sorted { $0.key < $1.key }
        if let n = cols.first?.value.returns.count {
            cols = cols.filter { $0.value.returns.count == n && $0.value.first == cols[0].value.first }
        }
        // Points that never held anything (all-zero returns) carry no ranking information.
        let flat = cols.filter { $0.value.returns.allSatisfy { $0 == 0 } }.count
        cols = cols.filter { !$0.value.returns.allSatisfy { $0 == 0 } }
        if flat > 0 && cols.count < 2 {
            return Overfitting(
                markdown: md
                    + "Not computed: \(flat) of the sampled points have all-zero daily returns (they never held a position), which leaves fewer than 2 series to compare.\n\n",
                pbo: nil)
        }
        guard cols.count >= 2, let rows = cols.first?.value.returns.count, rows >= 32 else {
            return Overfitting(
                markdown: md
                    + "Not enough stored return series for a CSCV estimate (needs at least 2 points with 32+ sessions).\n\n",
                pbo: nil)
        }
        let m = try ReturnsMatrix(rows: rows, columns: cols.count, values: cols.flatMap { $0.value.returns })
        let r = try Metrics.backtestOverfitting(m, blocks: 16)
        let verdict: String
        switch r.pbo {
        case ..<0.1:
            verdict =
                "Low: the in-sample winner usually stays above the median out of sample. The ranking carries information."
        case ..<0.3:
            verdict =
                "Moderate: the in-sample winner often falls below the median out of sample. Prefer robust regions of the parameter space to the single best point."
        case ..<0.5:
            verdict =
                "High: the in-sample winner falls below the median out of sample close to half the time. Treat the top of the leaderboard with suspicion."
        default:
            verdict =
                "Very high: picking the in-sample best is no better than picking at random. The leaderboard is mostly noise."
        }
        md +=
            "Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado and Zhu), "
        md +=
            "\(r.blocks) blocks, \(r.splits) splits, over \(cols.count) points\(cols.count < data.ranked.count ? " (an even sample of the \(data.ranked.count) ok points)" : ""):\n\n"
        md += ReportBuilder.table(
            ["PBO", "P(out-of-sample loss of the IS best)", "degradation slope (OOS on IS Sharpe)"],
            [[num(r.pbo, 3), num(r.probabilityOfLoss, 3), num(r.degradationSlope, 3)]])
        md += "\n**Verdict.** \(verdict)\n\n"
        if let best = data.ranked.first, let dsr = data.deflated[best.id] {
            md +=
                "The best point's deflated Sharpe ratio is \(num(dsr, 3)): "
                + (dsr > 0.95
                    ? "its Sharpe ratio survives the number of trials.\n\n"
                    : "after \(data.trials) trials its Sharpe ratio is not significant at 95%.\n\n")
        }
        return Overfitting(markdown: md, pbo: r.pbo)
    }

    func sensitivity(_ files: inout [String: String]) -> String {
        let d = data
        let numeric = d.numericParams
        let categorical = d.paramPaths.filter { !numeric.contains($0) }
        guard !d.paramPaths.isEmpty else { return "" }
        var md =
            "## Parameter sensitivity\n\nThe median `\(d.rankBy)` over the other parameters, for each value (lines; bars for a categorical or list parameter) and each pair of values (heatmaps).\n\n"
        // Each ok point's rank value and numeric parameter values, as plain arrays.
        let ok = d.points.filter { $0.status == .ok && ($0.metrics[d.rankBy]?.isFinite ?? false) }
        let y = ok.map { $0.metrics[d.rankBy]! }
        for p in categorical {
            var order: [String] = [], groups: [String: [Double]] = [:]
            for (i, pt) in ok.enumerated() {
                let v = pt.params[p] ?? ""
                if groups[v] == nil { order.append(v) }
                groups[v, default: []].append(y[i])
            }
            guard order.count > 1 else { continue }
            let name = "param-" + slug(p) + ".svg"
            files["charts/" + name] = SVGChart.bars(
                title: "median \(d.rankBy) by \(d.short(p))", xTitle: p, yTitle: d.rankBy, categories: order,
                values: order.map { median(groups[$0]!) })
            md += "![\(d.rankBy) by \(p)](charts/\(name))\n\n"
        }
        var x: [String: [Double]] = [:]
        for p in numeric { x[p] = ok.map { Double($0.params[p]!)! } }
        func median(_ v: [Double]) -> Double {
            guard !v.isEmpty else { return .nan }
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        /// Distinct values, ascending, and each point's position among them.
        func levels(_ v: [Double]) -> (values: [Double], of: [Int]) {
            let values = Array(Set(v)).sorted()
            let at = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
            return (values, v.map { at[$0]! })
        }
        for p in numeric {
            let (xs, of) = levels(x[p]!)
            guard xs.count > 1 else { continue }
            var groups = [[Double]](repeating: [], count: xs.count)
            for (i, g) in of.enumerated() { groups[g].append(y[i]) }
            let name = "param-" + slug(p) + ".svg"
            files["charts/" + name] = SVGChart.lines(
                title: "\(d.rankBy) by \(d.short(p))", xTitle: p, yTitle: d.rankBy,
                series: [
                    .init(name: "median", x: xs, y: groups.map(median)),
                    .init(name: "best", x: xs, y: groups.map { d.lowerIsBetter ? $0.min()! : $0.max()! }),
                ])
            md += "![\(d.rankBy) by \(p)](charts/\(name))\n\n"
        }
        guard d.heatmaps else { return md }
        var pairs = 0
        for (i, a) in numeric.enumerated() {
            for b in numeric[(i + 1)...] where pairs < 6 {
                let (xa, ofA) = levels(x[a]!), (xb, ofB) = levels(x[b]!)
                guard xa.count > 1, xb.count > 1 else { continue }
                // Beyond `heatmapBins` levels an axis is binned (equal runs of consecutive levels, each cell the
                // median of its points): a 1,000 × 1,000 grid drew a 37 MB SVG no browser opens.
                let ba = ReportBuilder.bins(xa.count), bb = ReportBuilder.bins(xb.count)
                var cells = [[Double]](repeating: [], count: ba.count * bb.count)
                for k in ofA.indices { cells[bb.of(ofB[k]) * ba.count + ba.of(ofA[k])].append(y[k]) }
                let values = (0..<bb.count).map { jb in
                    (0..<ba.count).map { ja in
                        cells[jb * ba.count + ja].isEmpty ? .nan : median(cells[jb * ba.count + ja])
                    }
                }
                func labels(_ v: [Double], _ b: (count: Int, of: (Int) -> Int)) -> [String] {
                    guard b.count < v.count else { return v.map { SVGChart.fmt($0) } }
                    var first = [Int](repeating: -1, count: b.count), last = first
                    for i in v.indices {
                        let j = b.of(i)
                        if first[j] < 0 { first[j] = i }
                        last[j] = i
                    }
                    return (0..<b.count).map { "\(SVGChart.fmt(v[first[$0]]))–\(SVGChart.fmt(v[last[$0]]))" }
                }
                let binned = ba.count < xa.count || bb.count < xb.count
                let name = "heatmap-" + slug(a) + "-" + slug(b) + ".svg"
                files["charts/" + name] = SVGChart.heatmap(
                    title: "median \(d.rankBy): \(d.short(a)) × \(d.short(b))"
                        + (binned ? " (binned \(ba.count) × \(bb.count))" : ""),
                    xTitle: a, yTitle: b, xValues: labels(xa, ba), yValues: labels(xb, bb),
                    values: values, valueTitle: d.rankBy)
                md += "![heatmap \(a) × \(b)](charts/\(name))\n\n"
                pairs += 1
            }
        }
        return md
    }

    /// Most cells a heatmap axis draws.
    static let heatmapBins = 100

    /// `n` levels in at most `heatmapBins` bins of consecutive levels: the bin count and each level's bin.
    static func bins(_ n: Int) -> (count: Int, of: (Int) -> Int) {
        guard n > heatmapBins else { return (n, { $0 }) }
        let count = heatmapBins
        return (count, { $0 * count / n })
    }

    func slug(_ s: String) -> String { String(s.map { $0.isLetter || $0.isNumber ? $0 : "-" }) }

    /// The top points' stored details (at most 5 for charts and pages; report.top for the pages).
    func topDetails() throws -> [Detail] {
        let returns = try store.sweepReturns(id: data.sweep.sweepID)
        var out: [Detail] = []
        for p in data.ranked.prefix(min(data.reportTop, 20)) {
            guard let runID = p.runID else { continue }
            let run = try store.loadRun(id: runID)
            var dates = run.equity.map(\.date)
            var r: [Double] = []
            if let stored = returns[p.id] {
                r = stored.returns
                if dates.count != r.count { dates = [] }
            }
            if r.isEmpty, !run.equity.isEmpty {
                let initial = p.metrics["initial_cash"] ?? run.equity[0].equity
                var prev = initial
                r = run.equity.map { e in
                    defer { prev = e.equity }
                    return prev != 0 ? e.equity / prev - 1 : 0
                }
            }
            guard !r.isEmpty, !dates.isEmpty else { continue }
            out.append(
                Detail(
                    point: p, dates: dates, returns: r, equity: run.equity, trades: run.trades,
                    roundTrips: try store.roundTrips(runID: runID)))
        }
        // Each point's bootstrap is independent of the others: one a core.
        let series = out.map(\.returns)
        let found = Locked([Int: BootstrapIntervals]())
        DispatchQueue.concurrentPerform(iterations: series.count) { k in
            let ci = ReportBuilder.intervals(series[k])
            found.withLock { $0[k] = ci }
        }
        for (k, ci) in found.value { out[k].intervals = ci }
        return out
    }

    /// 95% intervals of the headline statistics from 1,000 stationary-bootstrap paths (Politis–White block, seed 0).
    static func intervals(_ returns: [Double]) -> BootstrapIntervals {
        BootstrapIntervals(returns, bootstrap: .automatic(.stationary, for: returns), paths: 1000, seed: 0)
    }

    /// Growth of 1 held in a price series with its corporate actions: each day multiplies by
    /// split · (close + dividend) / previous close, the convention the engine's adjusted closes use.
    static func totalReturnIndex(dates: [TradingDay], closes: [Double], actions: [CorporateAction]) -> [Double] {
        var split: [TradingDay: Double] = [:], dividend: [TradingDay: Double] = [:]
        for a in actions {
            switch a.kind {
            case .split: split[a.date, default: 1] *= a.value
            case .dividend: dividend[a.date, default: 0] += a.value
            }
        }
        var out = [Double](repeating: .nan, count: closes.count)
        var g = 1.0
        for i in closes.indices {
            if i > 0, closes[i - 1] > 0 {
                g *= (split[dates[i]] ?? 1) * (closes[i] + (dividend[dates[i]] ?? 0)) / closes[i - 1]
            }
            out[i] = g
        }
        return out
    }

    func curves(_ details: [Detail], _ files: inout [String: String]) -> String {
        guard !details.isEmpty else { return "" }
        let shown = details.prefix(5)
        let dates = shown[0].dates
        let label = SVGChart.indexLabels(dates.map(\.iso))
        var series = shown.map { det in
            SVGChart.Series(
                name: data.label(det.point), x: det.equity.indices.map(Double.init), y: det.equity.map(\.equity))
        }
        let benchReturns = benchmark?.returns(on: dates)
        var benchEquity: [Double] = []
        if let b = benchmark, let r = benchReturns, let first = shown[0].equity.first {
            // A total-return line (splits and dividends on their ex-dates), never the raw close, which halves on a split.
            var e = first.equity
            benchEquity = r.map {
                e *= 1 + $0
                return e
            }
            series.append(.init(name: b.label + " (total return)", x: dates.indices.map(Double.init), y: benchEquity))
        }
        files["charts/equity-top.svg"] = SVGChart.lines(
            title: "Equity of the top \(shown.count) points", xTitle: "date", yTitle: "equity", series: series,
            xLabel: label)
        files["charts/drawdown-top.svg"] = SVGChart.lines(
            title: "Drawdowns of the top \(shown.count) points", xTitle: "date", yTitle: "drawdown",
            series: shown.map {
                .init(name: data.label($0.point), x: $0.equity.indices.map(Double.init), y: $0.equity.map(\.drawdown))
            }
                + (benchmark.map { b in
                    var peak = -Double.infinity
                    let dd = benchEquity.map { e in
                        peak = max(peak, e)
                        return e / peak - 1
                    }
                    return dd.isEmpty ? [] : [.init(name: b.label, x: dd.indices.map(Double.init), y: dd)]
                } ?? []),
            xLabel: label, fillToZero: true)
        var md = "## Equity curves\n\n![equity of the top points](charts/equity-top.svg)\n\n"
        md += "## Drawdowns\n\n![drawdowns of the top points](charts/drawdown-top.svg)\n\n"
        let benchRow = benchReturns.map { r -> [String] in
            let s = Metrics.summary(r)
            return [
                "**\(benchmark!.label)**", pct(s.values[.maxDrawdown]), num(s.values[.maxDrawdownDurationDays], 6),
                num(s.values[.ulcerIndex], 3),
            ]
        }
        md += ReportBuilder.table(
            ["point", "max drawdown", "longest drawdown (sessions)", "ulcer index"],
            shown.map {
                [
                    $0.point.id, pct($0.point.metrics["max_drawdown"]),
                    num($0.point.metrics["max_drawdown_duration_days"], 6), num($0.point.metrics["ulcer_index"], 3),
                ]
            } + (benchRow.map { [$0] } ?? []))
        return md + "\n"
    }

    func regimeTable(_ details: [Detail]) -> String {
        guard let best = details.first, !best.equity.isEmpty else { return "" }
        var byRegime: [String: [Double]] = [:], benchByRegime: [String: [Double]] = [:]
        var order: [String] = []
        let bench = benchmark?.returns(on: best.dates)
        for (i, e) in best.equity.enumerated() where i < best.returns.count {
            let label = FlatJSON.fields(e.exposureJSON)["regime"] ?? "unknown"
            if byRegime[label] == nil { order.append(label) }
            byRegime[label, default: []].append(best.returns[i])
            if let bench, i < bench.count { benchByRegime[label, default: []].append(bench[i]) }
        }
        func stats(_ r: [Double]) -> (mean: Double, sd: Double) {
            let mean = r.reduce(0, +) / Double(r.count)
            let sd =
                r.count > 1
                ? (r.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(r.count - 1)).squareRoot() : .nan
            return (mean, sd)
        }
        func sharpe(_ x: (mean: Double, sd: Double)) -> Double { x.sd > 0 ? x.mean / x.sd * 252.0.squareRoot() : .nan }
        var md = "## Regimes\n\nThe best point's daily returns split by the regime of each session"
        md += benchmark.map { ", beside the benchmark `\($0.ticker)` on the same sessions" } ?? ""
        md += ".\n\n"
        let benchHeader = bench == nil ? [] : ["benchmark annual return", "benchmark Sharpe"]
        md += ReportBuilder.table(
            ["regime", "sessions", "annual return (mean × 252)", "annual volatility", "Sharpe", "hit rate"]
                + benchHeader,
            order.sorted().map { label in
                let r = byRegime[label]!
                let x = stats(r)
                var row = [
                    label, "\(r.count)", pct(x.mean * 252), pct(x.sd * 252.0.squareRoot()), num(sharpe(x), 3),
                    pct(Double(r.filter { $0 > 0 }.count) / Double(r.count)),
                ]
                if bench != nil, let b = benchByRegime[label] {
                    let y = stats(b)
                    row += [pct(y.mean * 252), num(sharpe(y), 3)]
                }
                return row
            })
        return md + "\n"
    }

    func factorExposures(_ details: [Detail]) throws -> String {
        guard let best = details.first else { return "" }
        let factors = try store.loadFactorReturns()
        guard !factors.isEmpty else { return "" }
        var series: [String: [TradingDay: Double]] = [:]
        for f in factors { series[f.factor, default: [:]][f.date] = f.value }
        let names = series.keys.filter { $0 != "rf" }.sorted()
        let rows = best.dates.indices.filter { i in names.allSatisfy { series[$0]![best.dates[i]] != nil } }
        guard rows.count > names.count + 10 else { return "" }
        let rf = series["rf"]
        let y = rows.map { best.returns[$0] - (rf?[best.dates[$0]] ?? 0) }
        let x = names.map { n in rows.map { series[n]![best.dates[$0]]! } }
        let fit = try Metrics.linearRegression(y: y, regressors: x, names: names)
        var md =
            "## Factor exposures\n\nThe best point's daily \(rf == nil ? "" : "excess ")returns regressed on the factors in `factor_returns` (\(rows.count) sessions; Newey-West t-statistics).\n\n"
        md += ReportBuilder.table(
            ["term", "coefficient", "t (HAC)"],
            fit.names.indices.map { [fit.names[$0], num(fit.coefficients[$0], 4), num(fit.hacTStats[$0], 3)] })
        return md + "\nR² = \(num(fit.rSquared, 3)); alpha is per session.\n\n"
    }

    func sectorAttribution(_ details: [Detail]) -> String {
        guard let best = details.first, let json = best.point.metricsJSON,
            case .object(let o)? = try? JSONValue.parse(json),
            case .object(let attr)? = o.first(where: { $0.0 == "attribution" })?.1
        else { return "" }
        var md = "## Attribution\n\nThe best point's P&L by sector, by assessment model and by regime (in cash).\n\n"
        for (key, title) in [("pnl_by_sector", "sector"), ("pnl_by_model", "model"), ("pnl_by_regime", "regime")] {
            guard case .object(let pairs)? = attr.first(where: { $0.0 == key })?.1 else { continue }
            // Rows that never traded (exactly zero P&L) say nothing.
            let rows: [[String]] = pairs.compactMap { k, v in
                if case .number(let x) = v { return x == 0 ? nil : [k, String(format: "%.2f", x)] }
                if case .integer(let x) = v { return x == 0 ? nil : [k, "\(x)"] }
                return nil
            }
            guard !rows.isEmpty else { continue }
            md += ReportBuilder.table([title, "P&L"], rows) + "\n"
        }
        return md
    }

    func walkForward(_ files: inout [String: String]) -> String {
        guard case .object? = data.spec.first(where: { $0.0 == "walk_forward" })?.1 else { return "" }
        var md = "## Walk-forward\n\n"
        guard let text = try? store.metadataValue("walk_forward:" + data.sweep.sweepID),
            case .object(let o)? = try? JSONValue.parse(text)
        else {
            return md
                + "Configured, but no walk-forward result is stored for this sweep: it is computed once every point of the plan is in one database "
                + "(after an unsharded run, or `hindsight sweep run SWEEP --db MERGED --resume` after a merge).\n\n"
        }
        func field(_ obj: [(String, JSONValue)], _ k: String) -> JSONValue? { obj.first { $0.0 == k }?.1 }
        func double(_ v: JSONValue?) -> Double? {
            if case .number(let x)? = v { return x }
            if case .integer(let n)? = v { return Double(n) }
            return nil
        }
        func string(_ v: JSONValue?) -> String {
            if case .string(let s)? = v { return s }
            return ""
        }
        if case .string(let e)? = field(o, "error") { return md + "Not computed: \(e).\n\n" }
        let metric = string(field(o, "metric"))
        md +=
            "Rolling windows of \(Int(double(field(o, "train_months")) ?? 0)) months in sample and \(Int(double(field(o, "test_months")) ?? 0)) months out of sample, "
        md +=
            "stepping \(Int(double(field(o, "step_months")) ?? 0)) months. In each window the point with the best in-sample `\(metric)` is run again, alone, "
        md +=
            "on the following test months (fresh portfolio, indicators warmed on earlier data); the out-of-sample runs are stitched together.\n\n"
        var rows: [[String]] = []
        if case .array(let ws)? = field(o, "windows") {
            for case .object(let w) in ws {
                var params = ""
                if case .object(let p)? = field(w, "params") {
                    params = p.map { k, v in
                        let text: String
                        if case .string(let s) = v { text = s } else { text = v.render() }
                        return "\(data.short(k))=\(text)"
                    }.joined(separator: ", ")
                }
                var row = [
                    "\(string(field(w, "train_start"))) .. \(string(field(w, "train_end")))",
                    "\(string(field(w, "test_start"))) .. \(string(field(w, "test_end")))",
                    "`\(string(field(w, "point")))` \(params)", num(double(field(w, "in_sample")), 3),
                    num(double(field(w, "out_of_sample")), 3),
                    pct(double(field(w, "oos_return"))),
                ]
                if let b = benchmark {
                    let from = TradingDay(iso: string(field(w, "test_start"))),
                        to = TradingDay(iso: string(field(w, "test_end")))
                    row.append(pct(from.flatMap { f in to.flatMap { b.totalReturn(from: f, to: $0) } }))
                }
                rows.append(row)
            }
        }
        md +=
            ReportBuilder.table(
                ["train", "test", "chosen point", "in-sample \(metric)", "out-of-sample \(metric)", "OOS return"]
                    + (benchmark.map { ["\($0.ticker) return"] } ?? []), rows)
            + "\n"
        let isMean = double(field(o, "mean_in_sample")), oosMean = double(field(o, "mean_out_of_sample"))
        var stitched: [(String, JSONValue)] = []
        if case .object(let st)? = field(o, "stitched") { stitched = st }
        let oos = walkForwardOutOfSample()
        let b = oos?.benchmark
        let bh = benchmark.map { ["\($0.ticker), same sessions"] } ?? []
        func bcell(_ v: Double?, percent: Bool) -> [String] {
            benchmark == nil ? [] : [percent ? pct(v) : num(v, 3)]
        }
        md +=
            ReportBuilder.table(
                ["", "walk-forward"] + bh,
                [
                    ["mean in-sample \(metric)", num(isMean, 3)] + bh.map { _ in "" },
                    ["mean out-of-sample \(metric)", num(oosMean, 3)] + bh.map { _ in "" },
                    [
                        "walk-forward efficiency (OOS / IS)",
                        num(isMean.flatMap { i in oosMean.map { i != 0 ? $0 / i : .nan } }, 3),
                    ] + bh.map { _ in "" },
                    ["stitched OOS total return", pct(double(field(stitched, "total_return")))]
                        + bcell(b?.values[.totalReturn], percent: true),
                    ["stitched OOS CAGR", pct(double(field(stitched, "cagr")))]
                        + bcell(b?.values[.cagr], percent: true),
                    ["stitched OOS Sharpe", num(double(field(stitched, "sharpe_ratio")), 3)]
                        + bcell(b?.values[.sharpeRatio], percent: false),
                    ["stitched OOS max drawdown", pct(double(field(stitched, "max_drawdown")))]
                        + bcell(b?.values[.maxDrawdown], percent: true),
                ]) + "\n"
        if let i = isMean, let oo = oosMean, i.isFinite, oo.isFinite {
            let eff = i != 0 ? oo / i : .nan
            md +=
                "**Degradation.** "
                + (eff >= 0.5
                    ? "Out of sample keeps \(num(eff * 100, 3))% of the in-sample \(metric): the in-sample edge persists (whether it beats the benchmark is the verdict's question)."
                    : eff > 0
                        ? "Out of sample keeps only \(num(eff * 100, 3))% of the in-sample \(metric): most of the in-sample edge is selection, not skill."
                        : "Out of sample the chosen points lose the in-sample edge entirely: the in-sample ranking does not carry over.")
                + "\n\n"
        }
        if case .array(let ds)? = field(o, "dates"), case .array(let rs)? = field(o, "returns"), ds.count == rs.count,
            ds.count > 1
        {
            let dates = ds.map { string($0) }
            var eq = 1.0
            let curve = rs.map { v -> Double in
                eq *= 1 + (double(v) ?? 0)
                return eq
            }
            var series: [SVGChart.Series] = [
                .init(name: "walk-forward OOS", x: curve.indices.map(Double.init), y: curve)
            ]
            if let bm = benchmark, let r = oos?.benchmarkReturns {
                var g = 1.0
                series.append(
                    .init(
                        name: bm.label + " (total return)", x: r.indices.map(Double.init),
                        y: r.map {
                            g *= 1 + $0
                            return g
                        }))
            }
            files["charts/walk-forward.svg"] = SVGChart.lines(
                title: "Stitched out-of-sample equity (growth of 1)", xTitle: "date", yTitle: "growth of 1",
                series: series,
                xLabel: SVGChart.indexLabels(dates))
            md += "![stitched out-of-sample equity](charts/walk-forward.svg)\n\n"
        }
        return md
    }

    func topPage(_ det: Detail, rank: Int, files: inout [String: String]) -> String {
        let p = det.point
        var md = "# Point `\(p.id)` (rank \(rank))\n\n[back to the report](../README.md)\n\n"
        md += ReportBuilder.table(["parameter", "value"], data.paramPaths.map { [$0, p.params[$0] ?? ""] }) + "\n"
        md +=
            ReportBuilder.table(
                ["metric", "value"],
                ([.totalReturn, .cagr, .annualVolatility, .sharpeRatio, .sortinoRatio, .calmarRatio, .maxDrawdown]
                    .map { (m: SummaryMetric) in m.key } + ["trades", "final_equity"])
                    .map { [$0, num(p.metrics[$0], 5)] }) + "\n"
        let ci = det.intervals ?? ReportBuilder.intervals(det.returns)
        md +=
            "## Intervals\n\n95% intervals from 1,000 stationary-bootstrap paths of the daily returns (block \(num(ci.bootstrap.block, 3)) sessions, Politis–White; seed 0).\n\n"
        md +=
            ReportBuilder.table(
                ["metric", "estimate", "std error", "BCa", "percentile"],
                ci.intervals.map {
                    [
                        $0.name, num($0.estimate, 4), num($0.standardError, 3),
                        "[\(num($0.bca.lo, 4)), \(num($0.bca.hi, 4))]",
                        "[\(num($0.percentile.lo, 4)), \(num($0.percentile.hi, 4))]",
                    ]
                }) + "\n"
        md += "## Monthly returns\n\n"
        let monthly = Metrics.periodReturns(det.returns, dates: det.dates, by: .month)
        var years: [String: [String: Double]] = [:]
        for m in monthly { years[String(m.period.prefix(4)), default: [:]][String(m.period.suffix(2))] = m.value }
        let yearly = Dictionary(
            uniqueKeysWithValues: Metrics.periodReturns(det.returns, dates: det.dates, by: .year).map {
                ($0.period, $0.value)
            })
        let months = (1...12).map { String(format: "%02d", $0) }
        md +=
            ReportBuilder.table(
                ["year"] + ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] + [
                    "year"
                ],
                years.keys.sorted().map { y in
                    [y] + months.map { m in years[y]![m].map { String(format: "%.1f%%", $0 * 100) } ?? "" } + [
                        yearly[y].map { String(format: "%.1f%%", $0 * 100) } ?? ""
                    ]
                }) + "\n"
        md += "## Drawdowns\n\n"
        md +=
            ReportBuilder.table(
                ["peak", "valley", "recovery", "depth", "sessions"],
                Metrics.drawdownTable(det.returns, top: 5).map { s in
                    [
                        s.peak >= 0 ? det.dates[s.peak].iso : "start", det.dates[s.valley].iso,
                        s.recovery.map { det.dates[$0].iso } ?? "not recovered", pct(s.depth), "\(s.length)",
                    ]
                }) + "\n"
        md += attributionSection(det, files: &files)
        md += "## Round trips\n\n"
        md +=
            ReportBuilder.table(
                ["statistic", "value"],
                [
                    ("closed round trips", "round_trips"), ("win rate", "trade_win_rate"),
                    ("average win", "average_win"), ("average loss", "average_loss"), ("expectancy", "expectancy"),
                    ("profit factor", "profit_factor_trades"), ("average bars held", "average_bars_held"),
                    ("median bars held", "median_bars_held"), ("SQN", "sqn"),
                ].map { [$0.0, num(p.metrics[$0.1], 5)] }) + "\n"
        if !det.roundTrips.isEmpty {
            var reasons: [String: Int] = [:]
            for t in det.roundTrips { reasons[t.exitReason, default: 0] += 1 }
            md +=
                "Exits: "
                + reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
                    "\($0.key) \($0.value)"
                }.joined(separator: ", ") + ".\n\n"
            md +=
                ReportBuilder.table(
                    ["ticker", "side", "entry", "exit", "return", "bars", "mae", "mfe", "reason"],
                    det.roundTrips.prefix(10).map {
                        [
                            $0.ticker, $0.direction, $0.entryDate.iso, $0.exitDate.iso, pct($0.ret), "\($0.barsHeld)",
                            pct($0.mae), pct($0.mfe), $0.exitReason,
                        ]
                    }) + "\n"
        }
        md += "## Trades\n\n"
        if det.trades.isEmpty {
            md += "No trades stored for this point (see `store:` in the sweep file).\n"
        } else {
            let buys = det.trades.filter { $0.direction == "buy" }, sells = det.trades.filter { $0.direction == "sell" }
            let value = det.trades.reduce(0) { $0 + $1.size * $1.price }
            md +=
                ReportBuilder.table(
                    ["", ""],
                    [
                        ["fills", "\(det.trades.count) (\(buys.count) buys, \(sells.count) sells)"],
                        ["names traded", "\(Set(det.trades.map(\.ticker)).count)"],
                        ["traded value", String(format: "%.0f", value)],
                        ["commission", String(format: "%.2f", det.trades.reduce(0) { $0 + $1.commission })],
                        ["slippage", String(format: "%.2f", det.trades.reduce(0) { $0 + $1.slippage })],
                        ["first / last fill", "\(det.trades.first!.date.iso) / \(det.trades.last!.date.iso)"],
                    ]) + "\n"
            md += ReportBuilder.table(
                ["date", "ticker", "side", "size", "price"],
                det.trades.prefix(10).map {
                    [
                        $0.date.iso, $0.ticker, $0.direction, String(format: "%.4g", $0.size),
                        String(format: "%.4g", $0.price),
                    ]
                })
            if det.trades.count > 10 {
                md += "\n(first 10 of \(det.trades.count); all in `backtest_trades`, run `\(p.runID ?? "")`)\n"
            }
        }
        return md
    }
}
