import Analytics
import Foundation
import HindsightCore

/// The report's choosing sections: the Pareto front, the robust pick, and the verdict that reconciles the rest.
extension ReportBuilder {
    func pareto(_ files: inout [String: String]) -> String {
        let d = data
        guard d.objectives.count > 1, !d.paretoFront.isEmpty else { return "" }
        let keys = d.objectives.map(\.key)
        var md = "## Pareto front\n\n"
        md +=
            "\(d.paretoFront.count) of \(d.ranked.count) ranked points are not beaten in every objective at once by another point "
        md += "(\(d.objectives.map { "`\($0.lowerIsBetter ? "-" : "")\($0.key)`" }.joined(separator: ", "))).\n\n"
        let rankOf = Dictionary(uniqueKeysWithValues: d.ranked.enumerated().map { ($1.id, $0 + 1) })
        md += ReportBuilder.table(
            ["rank", "point"] + d.paramPaths.map { d.short($0) } + keys,
            d.paretoFront.prefix(50).map { p in
                ["\(rankOf[p.id] ?? 0)", "`\(p.id)`"] + d.paramPaths.map { p.params[$0] ?? "" }
                    + keys.map { num(p.metrics[$0], 4) }
            })
        if d.paretoFront.count > 50 { md += "\n(first 50 of \(d.paretoFront.count) by `\(d.rankBy)`)\n" }
        let (kx, ky) = (keys[0], keys[1])
        let others = d.ranked.filter { p in !d.paretoFront.contains { $0 === p } }
        let front = d.paretoFront.sorted { ($0.metrics[kx] ?? 0) < ($1.metrics[kx] ?? 0) }
        files["charts/pareto.svg"] = SVGChart.lines(
            title: "Pareto front: \(ky) against \(kx)", xTitle: kx, yTitle: ky,
            series: [
                .init(
                    name: "Pareto front", x: front.map { $0.metrics[kx] ?? .nan },
                    y: front.map { $0.metrics[ky] ?? .nan },
                    dots: true, line: true),
                .init(
                    name: "other points", x: others.map { $0.metrics[kx] ?? .nan },
                    y: others.map { $0.metrics[ky] ?? .nan }, dots: true, line: false),
            ])
        return md + "\n![Pareto front](charts/pareto.svg)\n\n"
    }

    func robustPick() -> String {
        let d = data
        guard let best = d.ranked.first, let robust = d.mostRobust else { return "" }
        let numeric = d.paramPaths.filter { p in d.ranked.allSatisfy { Double($0.params[p] ?? "x") != nil } }
        guard !numeric.isEmpty else { return "" }
        var md = "## Robust pick\n\n"
        md +=
            "Each point's plateau score is the median `\(d.rankBy)` over its neighbourhood: the points within one grid step in every numeric parameter (\(numeric.map { "`\(d.short($0))`" }.joined(separator: ", "))), itself included. "
        md += "A best point on a narrow peak scores low; one in a broad good region scores high.\n\n"
        let rank = Dictionary(uniqueKeysWithValues: d.ranked.enumerated().map { ($1.id, $0 + 1) })
        func row(_ title: String, _ p: SweepReportData.Point) -> [String] {
            [title, "`\(p.id)`", "\(rank[p.id] ?? 0)"] + d.paramPaths.map { p.params[$0] ?? "" } + [
                num(p.metrics[d.rankBy]), num(d.plateau[p.id]),
            ]
        }
        md += ReportBuilder.table(
            ["", "point", "rank"] + d.paramPaths.map { d.short($0) } + [d.rankBy, "plateau score"],
            [row("best", best), row("most robust", robust)])
        if best === robust {
            md += "\nThe best point is also the most robust: its neighbours do nearly as well.\n\n"
        } else {
            // Distance in grid steps along each numeric parameter.
            let steps = numeric.map { p -> Int in
                let levels = Array(Set(d.ranked.map { Double($0.params[p]!)! })).sorted()
                let a = levels.firstIndex(of: Double(best.params[p]!)!)!
                let b = levels.firstIndex(of: Double(robust.params[p]!)!)!
                return abs(a - b)
            }
            let gap = (best.metrics[d.rankBy] ?? .nan) - (robust.metrics[d.rankBy] ?? .nan)
            md +=
                "\nThey are \(steps.max() ?? 0) grid step\(steps.max() == 1 ? "" : "s") apart (\(zip(numeric, steps).map { "\(d.short($0)): \($1)" }.joined(separator: ", "))); "
            md +=
                "the best point's `\(d.rankBy)` is \(num(abs(gap), 3)) \(d.lowerIsBetter == (gap < 0) ? "better" : "worse") than the robust one's, and its plateau score \(num(d.plateau[best.id], 3)) against \(num(d.plateau[robust.id], 3)). "
            md += "Prefer the robust point when the gap is small against the spread of the leaderboard.\n\n"
        }
        return md
    }
}
