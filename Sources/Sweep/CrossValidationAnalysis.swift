import Analytics
import Foundation
import HindsightCore
import Storage

/// Combinatorial purged cross-validation over a finished sweep: on each split the point with the best in-sample
/// `rank_by` is chosen, and its out-of-sample Sharpe ratio read. The distribution of those values, and how often
/// the choice falls below the median point out of sample, go to the report.
public enum CrossValidationAnalysis {
    public static func metadataKey(_ sweepID: String) -> String { "cpcv:" + sweepID }

    static func numbers(_ v: JSONValue?) -> [Double]? {
        guard case .array(let a)? = v else { return nil }
        return a.map { x in
            switch x {
            case .number(let d): d
            case .integer(let n): Double(n)
            default: .nan
            }
        }
    }

    @discardableResult
    static func run(context: SweepContext, store: HindsightDatabase) throws -> Bool {
        guard let cv = context.crossValidation, let spec = context.plan.spec.crossValidation else { return false }
        let lower = context.plan.spec.lowerIsBetter
        var isv: [(Int, [Double])] = [], oos: [(Int, [Double])] = []
        for (pointID, notes) in try store.sweepPointNotes(id: context.plan.sweepID) {
            guard let i = context.plan.points.index(of: pointID), let o = try? JSONValue.parse(notes),
                let a = numbers(o["cpcv_in_sample"]),
                let b = numbers(o["cpcv_out_of_sample"]), a.count == cv.splits.count, b.count == cv.splits.count
            else { continue }
            isv.append((i, a))
            oos.append((i, b))
        }
        isv.sort { $0.0 < $1.0 }
        oos.sort { $0.0 < $1.0 }
        var rows: [JSONValue] = [], chosenOOS: [Double] = []
        var below = 0
        for (s, split) in cv.splits.enumerated() {
            var best: (Int, Double, Int)?  // (point index, score, position)
            for (k, (i, v)) in isv.enumerated() where v[s].isFinite {
                let score = lower ? -v[s] : v[s]
                if best == nil || score > best!.1 || (score == best!.1 && i < best!.0) { best = (i, score, k) }
            }
            guard let b = best else { continue }
            let chosen = oos[b.2].1[s]
            let all = oos.map { $0.1[s] }.filter(\.isFinite).sorted()
            let median = all.isEmpty ? Double.nan : (all[(all.count - 1) / 2] + all[all.count / 2]) / 2
            let rank = all.isEmpty ? Double.nan : Double(all.filter { $0 < chosen }.count) / Double(all.count)
            if chosen < median { below += 1 }
            chosenOOS.append(chosen)
            rows.append(
                .object([
                    ("test_groups", .array(split.testGroups.map { .integer($0 + 1) })),
                    ("point", .string(context.plan.points[b.0].id)), ("in_sample", .number(lower ? -b.1 : b.1)),
                    ("out_of_sample_sharpe", .number(chosen)), ("median_out_of_sample_sharpe", .number(median)),
                    ("out_of_sample_rank", .number(rank)),
                ]))
        }
        let sorted = chosenOOS.filter(\.isFinite).sorted()
        func q(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let x = p * Double(sorted.count - 1), lo = Int(x.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - Double(lo))
        }
        let mean = sorted.isEmpty ? Double.nan : sorted.reduce(0, +) / Double(sorted.count)
        let json = JSONValue.object([
            ("groups", .integer(spec.groups)), ("test_groups", .integer(spec.testGroups)),
            ("embargo", .integer(spec.embargo)), ("metric", .string(context.plan.spec.rankBy)),
            ("points", .integer(isv.count)), ("splits", .array(rows)),
            (
                "summary",
                .object([
                    ("mean", .number(mean)), ("p05", .number(q(0.05))), ("p25", .number(q(0.25))),
                    ("median", .number(q(0.5))), ("p75", .number(q(0.75))), ("p95", .number(q(0.95))),
                    (
                        "probability_negative",
                        .number(sorted.isEmpty ? .nan : Double(sorted.filter { $0 < 0 }.count) / Double(sorted.count))
                    ),
                    ("probability_below_median", .number(rows.isEmpty ? .nan : Double(below) / Double(rows.count))),
                ])
            ),
        ])
        try store.setMetadataValue(metadataKey(context.plan.sweepID), json.render())
        return !rows.isEmpty
    }
}
