import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import Storage

/// Rolling walk-forward: in each window the best point in sample (by `rank_by`) is run out of sample on the next
/// `test` months, and those out-of-sample runs are stitched into one equity curve.
public enum WalkForwardAnalysis {
    /// One window as offsets into a run's sessions: train `trainStart..<testStart`, test `testStart..<testEnd`.
    public struct Window: Sendable, Equatable {
        public var trainStart: Int
        public var testStart: Int
        public var testEnd: Int
    }

    /// The metadata key under which a sweep's walk-forward result is stored (JSON) for the report.
    public static func metadataKey(_ sweepID: String) -> String { "walk_forward:" + sweepID }

    /// Windows over `dates` (a run's sessions): train starts every `step` months from the first session, the test
    /// window follows the train window, and a window is kept while its test window has at least 5 sessions.
    public static func windows(_ wf: SweepSpec.WalkForward, dates: [TradingDay]) -> [Window] {
        guard let first = dates.first else { return [] }
        func index(_ d: TradingDay) -> Int {  // first session on or after d
            var lo = 0, hi = dates.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if dates[mid] < d { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        var out: [Window] = []
        var k = 0
        while true {
            let t0 = first.adding(months: k * wf.stepMonths)
            let test = index(t0.adding(months: wf.trainMonths))
            let end = min(index(t0.adding(months: wf.trainMonths + wf.testMonths)), dates.count)
            guard test < dates.count, end - test >= 5 else { break }
            out.append(Window(trainStart: index(t0), testStart: test, testEnd: end))
            k += 1
        }
        return out
    }

    /// The in-sample value of the rank metric in each window (NaN when it cannot be computed).
    static func inSampleValues(_ returns: [Double], windows: [Window], metric: SummaryMetric) -> [Double] {
        windows.map { w in
            guard w.testStart <= returns.count, w.testStart - w.trainStart >= 2 else { return .nan }
            return Metrics.summary(Array(returns[w.trainStart..<w.testStart])).values[metric]
        }
    }

    /// Picks each window's in-sample best from the stored points, runs it out of sample and stores the result.
    /// Returns false when nothing could be computed (no windows or no ok points).
    @discardableResult
    static func run(context: SweepContext, store: HindsightDatabase) throws -> Bool {
        let spec = context.plan.spec
        guard let wf = spec.walkForward else { return false }
        let panel = context.inputs.panel
        let range = BacktestEngine.sessions(context.base, panel: panel)
        let dates = range.map { panel.calendar.day(at: $0) }
        let windows = windows(wf, dates: dates)
        guard !windows.isEmpty else {
            try store.setMetadataValue(
                metadataKey(context.plan.sweepID),
                JSONText.object([
                    (
                        "error",
                        JSONText.quote(
                            "the run's \(dates.count) sessions hold no \(wf.trainMonths)-month train window followed by a test window"
                        )
                    )
                ]))
            return false
        }
        // Best in-sample point of every window, from the values each point stored with its metrics.
        var best = [(index: Int, value: Double)?](repeating: nil, count: windows.count)
        for (pointID, notes) in try store.sweepPointNotes(id: context.plan.sweepID) {
            guard let i = context.plan.points.index(of: pointID), case .object(let o)? = try? JSONValue.parse(notes),
                case .array(let values)? = o.first(where: { $0.0 == "walk_forward_in_sample" })?.1
            else { continue }
            for (w, v) in values.enumerated() where w < windows.count {
                var x = Double.nan
                if case .number(let d) = v { x = d } else if case .integer(let n) = v { x = Double(n) }
                guard x.isFinite else { continue }
                let score = spec.lowerIsBetter ? -x : x
                if best[w] == nil || score > best[w]!.value || (score == best[w]!.value && i < best[w]!.index) {
                    best[w] = (i, score)
                }
            }
        }
        let metric = SummaryMetric(key: spec.rankBy)!
        var rows: [String] = []
        var stitchedDates: [TradingDay] = [], stitched: [Double] = []
        var isValues: [Double] = [], oosValues: [Double] = []
        for (w, window) in windows.enumerated() {
            guard let b = best[w] else { continue }
            let point = context.plan.points[b.index]
            var c = try context.config(for: point)
            c.start = dates[window.testStart]
            c.end = dates[window.testEnd - 1]
            let r = try context.pipeline.simulate(c)
            let oos = r.returns(initialCash: c.initialCash)
            let oosValue = Metrics.summary(oos).values[metric]
            let isValue = spec.lowerIsBetter ? -b.value : b.value
            isValues.append(isValue)
            oosValues.append(oosValue)
            stitchedDates += dates[window.testStart..<window.testStart + oos.count]
            stitched += oos
            let total = oos.reduce(1) { $0 * (1 + $1) } - 1
            rows.append(
                JSONText.object([
                    ("train_start", JSONText.quote(dates[window.trainStart].iso)),
                    ("train_end", JSONText.quote(dates[window.testStart - 1].iso)),
                    ("test_start", JSONText.quote(dates[window.testStart].iso)),
                    ("test_end", JSONText.quote(dates[window.testEnd - 1].iso)),
                    ("point", JSONText.quote(point.id)), ("params", point.paramsJSON),
                    ("in_sample", JSONText.number(isValue)), ("out_of_sample", JSONText.number(oosValue)),
                    ("oos_return", JSONText.number(total)),
                ]))
        }
        guard !rows.isEmpty else {
            try store.setMetadataValue(
                metadataKey(context.plan.sweepID),
                JSONText.object([
                    (
                        "error",
                        JSONText.quote(
                            "no point has a finite in-sample \(spec.rankBy) in any window (do the points trade?)")
                    )
                ]))
            return false
        }
        let s = Metrics.summary(stitched)
        let mean = { (v: [Double]) -> Double in
            let f = v.filter(\.isFinite)
            return f.isEmpty ? .nan : f.reduce(0, +) / Double(f.count)
        }
        let json = JSONText.object([
            ("metric", JSONText.quote(spec.rankBy)), ("lower_is_better", spec.lowerIsBetter ? "true" : "false"),
            ("train_months", String(wf.trainMonths)), ("test_months", String(wf.testMonths)),
            ("step_months", String(wf.stepMonths)),
            ("windows", "[" + rows.joined(separator: ",") + "]"),
            ("mean_in_sample", JSONText.number(mean(isValues))),
            ("mean_out_of_sample", JSONText.number(mean(oosValues))),
            (
                "stitched",
                JSONText.object(
                    SummaryMetric.headline.map { ($0.key, JSONText.number(s.values[$0])) })
            ),
            ("dates", "[" + stitchedDates.map { JSONText.quote($0.iso) }.joined(separator: ",") + "]"),
            ("returns", "[" + stitched.map { JSONText.number($0) }.joined(separator: ",") + "]"),
        ])
        try store.setMetadataValue(metadataKey(context.plan.sweepID), json)
        return true
    }
}
