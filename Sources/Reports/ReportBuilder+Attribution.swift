import Analytics
import Foundation
import HindsightCore

extension ReportBuilder {
    static let costKeys: Set<String> = ["commission", "slippage", "borrow_fee"]

    /// A top point's attribution and turnover (stored with its trades): P&L by sector per year, factor and
    /// Brinson–Fachler contributions, and turnover by component per year. Empty for a run stored without them.
    func attributionSection(_ det: Detail, files: inout [String: String]) -> String {
        guard let runID = det.point.runID,
            let rows = try? store.attribution(runID: runID), !rows.isEmpty
        else { return "" }
        let turnover = (try? store.turnover(runID: runID)) ?? []
        let slug = slug(det.point.id)
        var md = "## Attribution\n\n"
        md +=
            "Where the P&L came from (`backtest_attribution`; each dimension adds up to the run's P&L, costs and interest as their own keys). `hindsight backtest show \(runID) --attribution --by year` prints every dimension.\n\n"
        let years = rows.filter { $0.period.count == 4 }.map(\.period)
        let yearList = Array(Set(years)).sorted()
        /// One series per key over the years, the largest `keep` by total |P&L| and the rest as `other`; costs and
        /// interest grouped.
        func yearly(_ dimension: String, keep: Int = 9) -> [(name: String, values: [Double])] {
            var byKey: [String: [Double]] = [:]
            for r in rows where r.dimension == dimension && r.period.count == 4 {
                let key =
                    ReportBuilder.costKeys.contains(r.key)
                    ? "costs" : r.key == "cash_interest" ? "cash interest" : r.key
                guard let y = yearList.firstIndex(of: r.period) else { continue }
                byKey[key, default: [Double](repeating: 0, count: yearList.count)][y] += r.pnl
            }
            let fixed = ["costs", "cash interest"]
            let ranked = byKey.keys.filter { !fixed.contains($0) }.sorted {
                let a = byKey[$0]!.reduce(0) { $0 + abs($1) }, b = byKey[$1]!.reduce(0) { $0 + abs($1) }
                return a != b ? a > b : $0 < $1
            }
            var out = ranked.prefix(keep).map { (name: $0, values: byKey[$0]!) }
            if ranked.count > keep {
                var other = [Double](repeating: 0, count: yearList.count)
                for k in ranked.dropFirst(keep) { for (i, v) in byKey[k]!.enumerated() { other[i] += v } }
                out.append((name: "other", values: other))
            }
            for k in fixed where byKey[k]?.contains(where: { $0 != 0 }) == true { out.append((k, byKey[k]!)) }
            return out
        }
        func totals(_ dimension: String) -> [AttributionRow] {
            rows.filter { $0.dimension == dimension && $0.period == "total" && ($0.pnl != 0 || $0.exposure != 0) }
                .sorted { abs($0.pnl) > abs($1.pnl) }
        }
        func table(_ dimension: String, title: String) -> String {
            ReportBuilder.table(
                [title, "P&L", "contribution", "mean exposure"],
                totals(dimension).map {
                    [$0.key, String(format: "%.2f", $0.pnl), pct($0.contribution), num($0.exposure, 3)]
                }) + "\n"
        }
        if !yearList.isEmpty {
            let name = "\(slug)-sector-pnl.svg"
            files["charts/" + name] = SVGChart.stackedBars(
                title: "P&L by sector and year", xTitle: "year", yTitle: "P&L", categories: yearList,
                series: yearly("sector"))
            md += "### By sector\n\n![P&L by sector and year](../charts/\(name))\n\n" + table("sector", title: "sector")
        }
        if rows.contains(where: { $0.dimension == "factor" }) {
            let method = det.point.metricsJSON.flatMap { try? JSONValue.parse($0) }.flatMap { o -> String? in
                if case .string(let s)? = o["factor_attribution"]?["method"] { return s }
                return nil
            }
            md += "### By factor\n\n"
            md +=
                method == "holdings"
                ? "Holdings-based: each session, the previous close's Σ value × profile beta times the factor's return; the residual is the selection return.\n\n"
                : "Returns-based: each session's exposures are the OLS betas of the run's gross daily return on the factors over the trailing window the README gives; the residual is the selection return.\n\n"
            if !yearList.isEmpty {
                let name = "\(slug)-factor-pnl.svg"
                files["charts/" + name] = SVGChart.stackedBars(
                    title: "P&L by factor and year", xTitle: "year", yTitle: "P&L", categories: yearList,
                    series: yearly("factor"))
                md += "![P&L by factor and year](../charts/\(name))\n\n"
            }
            md += table("factor", title: "factor")
        }
        let brinson = totals("brinson")
        if !brinson.isEmpty {
            var effect: [String: Double] = [:]
            for r in brinson {
                let head = r.key.split(separator: ":").first.map(String.init) ?? r.key
                effect[ReportBuilder.costKeys.contains(head) ? "costs" : head, default: 0] += r.pnl
            }
            md += "### Brinson–Fachler by sector\n\n"
            md +=
                "Against the universe's equal-weight sector weights, summed over the sessions: `benchmark` is what the universe's equal-weight return earned on the book's equity; allocation, selection and interaction are the active parts; `trading` is the P&L of positions opened within a session.\n\n"
            md +=
                ReportBuilder.table(
                    ["effect", "P&L"],
                    ["benchmark", "allocation", "selection", "interaction", "trading", "costs", "cash_interest"]
                        .compactMap {
                            k in effect[k].map { [k, String(format: "%.2f", $0)] }
                        }) + "\n"
        }
        if !turnover.isEmpty {
            // In the order the store reads them (by name).
            var components: [String] = []
            for t in turnover where !components.contains(t.component) { components.append(t.component) }
            let series = components.map { c in
                (
                    name: c,
                    values: yearList.map { y in turnover.first { $0.period == y && $0.component == c }?.turnover ?? 0 }
                )
            }.filter { $0.values.contains { $0 != 0 } }
            md += "### Turnover by component\n\n"
            if !yearList.isEmpty, !series.isEmpty {
                let name = "\(slug)-turnover.svg"
                files["charts/" + name] = SVGChart.stackedBars(
                    title: "Turnover by component and year", xTitle: "year", yTitle: "traded value / mean equity",
                    categories: yearList, series: series)
                md += "![turnover by component and year](../charts/\(name))\n\n"
            }
            md +=
                ReportBuilder.table(
                    ["component", "traded value", "turnover"],
                    components.compactMap { c in
                        turnover.first { $0.period == "total" && $0.component == c }.map {
                            [c, String(format: "%.2f", $0.tradedValue), num($0.turnover, 4)]
                        }
                    }) + "\n"
            md +=
                "Position half-life (Kaplan–Meier median of bars held, open positions censored): \(num(det.point.metrics["position_half_life"], 4)) sessions.\n\n"
        }
        return md
    }
}
