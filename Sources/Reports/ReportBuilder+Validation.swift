import Analytics
import Foundation
import HindsightCore

/// The combinatorial purged cross-validation section.
extension ReportBuilder {
    struct CrossValidation {
        var groups: Int, testGroups: Int, embargo: Int, points: Int, metric: String
        var splits: [(groups: String, point: String, inSample: Double, oos: Double, median: Double)]
        var median: Double, p05: Double, p95: Double, mean: Double, negative: Double, belowMedian: Double
    }

    func crossValidation() -> CrossValidation? {
        guard let text = try? store.metadataValue("cpcv:" + data.sweep.sweepID), let o = try? JSONValue.parse(text)
        else { return nil }
        func n(_ v: JSONValue?) -> Double {
            switch v {
            case .number(let x)?: x
            case .integer(let i)?: Double(i)
            default: .nan
            }
        }
        func s(_ v: JSONValue?) -> String { if case .string(let x)? = v { x } else { "" } }
        var splits: [(String, String, Double, Double, Double)] = []
        if case .array(let rows)? = o["splits"] {
            for r in rows {
                var g = ""
                if case .array(let a)? = r["test_groups"] { g = a.map { $0.render() }.joined(separator: "+") }
                splits.append(
                    (
                        g, s(r["point"]), n(r["in_sample"]), n(r["out_of_sample_sharpe"]),
                        n(r["median_out_of_sample_sharpe"])
                    ))
            }
        }
        let sum = o["summary"]
        return CrossValidation(
            groups: Int(n(o["groups"])), testGroups: Int(n(o["test_groups"])), embargo: Int(n(o["embargo"])),
            points: Int(n(o["points"])), metric: s(o["metric"]), splits: splits, median: n(sum?["median"]),
            p05: n(sum?["p05"]), p95: n(sum?["p95"]), mean: n(sum?["mean"]), negative: n(sum?["probability_negative"]),
            belowMedian: n(sum?["probability_below_median"]))
    }

    func crossValidationSection(_ files: inout [String: String]) -> String {
        guard case .object? = data.spec.first(where: { $0.0 == "validation" })?.1 else { return "" }
        var md = "## Combinatorial purged cross-validation\n\n"
        guard let cv = crossValidation() else {
            return md
                + "Configured, but no result is stored: it is computed once every point of the plan is in one database.\n\n"
        }
        md +=
            "The run's sessions in \(cv.groups) groups; each of the \(cv.splits.count) choices of \(cv.testGroups) test groups trains on the rest "
        md +=
            "(less \(cv.embargo) embargoed sessions after each test group), picks the point with the best in-sample `\(cv.metric)` among \(cv.points), "
        md += "and reads its Sharpe ratio on the test groups (López de Prado).\n\n"
        md +=
            ReportBuilder.table(
                ["", "out-of-sample Sharpe of the in-sample choice"],
                [
                    ["median", num(cv.median, 3)], ["mean", num(cv.mean, 3)],
                    ["5% .. 95%", "\(num(cv.p05, 3)) .. \(num(cv.p95, 3))"],
                    ["P(Sharpe < 0)", pct(cv.negative)],
                    ["P(choice below the median point out of sample)", pct(cv.belowMedian)],
                ]) + "\n"
        md += ReportBuilder.table(
            ["test groups", "chosen point", "in-sample \(cv.metric)", "OOS Sharpe", "median point's OOS Sharpe"],
            cv.splits.map { ["\($0.groups)", "`\($0.point)`", num($0.inSample, 3), num($0.oos, 3), num($0.median, 3)] })
        let ordered = cv.splits.sorted { $0.oos < $1.oos }
        files["charts/cpcv.svg"] = SVGChart.bars(
            title: "Out-of-sample Sharpe of the in-sample choice, by split", xTitle: "test groups",
            yTitle: "OOS Sharpe", categories: ordered.map(\.groups), values: ordered.map(\.oos))
        return md + "\n![cpcv out-of-sample Sharpe](charts/cpcv.svg)\n\n"
    }
}
