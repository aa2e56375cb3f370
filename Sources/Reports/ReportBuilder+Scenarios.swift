import Analytics
import Foundation
import HindsightCore
import Storage

/// The Scenarios section: the top points re-run on resampled markets (stored by the sweep).
extension ReportBuilder {
    func scenariosSection(_ files: inout [String: String]) -> String {
        guard case .object(let spec)? = data.spec.first(where: { $0.0 == "scenarios" })?.1 else { return "" }
        var md = "## Scenarios\n\n"
        let rows = (try? store.scenarioSummaries(sweepID: data.sweep.sweepID)) ?? []
        let episodes = ((try? store.scenarios(sweepID: data.sweep.sweepID)) ?? []).filter { $0.generator == "episodes" }
        guard !rows.isEmpty || !episodes.isEmpty else {
            return md
                + "Configured, but no scenario is stored: the paths run once every point of the plan is in one database.\n\n"
        }
        var seed = "0"
        if let s = spec.first(where: { $0.0 == "seed" })?.1 { seed = s.render() }
        md +=
            "Each of the top points (by `\(data.rankBy)`) ran again, whole strategy and all, on every path (seed \(seed)), with the calendar, listings and corporate actions in place. A block bootstrap takes whole days of every asset's moves in blocks (so each day's cross-section and the volatility clustering of blocks survive); `regime_bootstrap` draws its blocks within the regime of a regime path simulated from the estimated transition matrix; `synthetic` paths are new prices from a one-factor market fitted to the data (no asset keeps an alpha of its own). "
        md +=
            "Quantiles are 5% / 50% / 95% over the paths; P(DD) is the share of paths whose maximum drawdown is worse than 20%, 30% and 50%; CVaR, the Hill α and the Cramér rate I(0) are of the paths' calendar-year returns (P(loss, 5y) = exp(−5·I(0)), the large-deviation chance that the mean year over five loses); the robustness rank orders the points by their median scenario Sharpe ratio.\n\n"
        let byID = Dictionary(uniqueKeysWithValues: data.points.map { ($0.id, $0) })
        var generators: [String] = []
        for r in rows where !generators.contains(r.generator) { generators.append(r.generator) }
        func triple(_ v: JSONValue?, percent: Bool) -> String {
            guard case .array(let a)? = v, a.count == 3 else { return "–" }
            return a.map { percent ? pct(n($0)) : num(n($0), 3) }.joined(separator: " / ")
        }
        for g in generators {
            let mine = rows.filter { $0.generator == g }.compactMap { r -> (String, JSONValue)? in
                (try? JSONValue.parse(r.json)).map { (r.pointID, $0) }
            }.sorted { n($0.1["historical_rank"]) < n($1.1["historical_rank"]) }
            md += "### `\(g)` (\(Int(n(mine.first?.1["paths"]))) paths)\n\n"
            md +=
                ReportBuilder.table(
                    [
                        "rank", "robust rank", "point", "CAGR", "Sharpe", "max drawdown", "longest drawdown (sessions)",
                        "P(DD > 20/30/50%)", "annual CVaR 95%", "Hill α", "Cramér I(0)", "P(loss, 5y)",
                    ],
                    mine.map { id, o in
                        let p = o["p_drawdown_worse_than"]
                        return [
                            "\(Int(n(o["historical_rank"])))", "\(Int(n(o["robustness_rank"])))",
                            byID[id].map { "`\(id)` " + data.label($0) } ?? "`\(id)`",
                            triple(o["cagr"], percent: true), triple(o["sharpe_ratio"], percent: false),
                            triple(o["max_drawdown"], percent: true),
                            triple(o["max_drawdown_duration_days"], percent: false),
                            [p?["20%"], p?["30%"], p?["50%"]].map { pct(n($0)) }.joined(separator: " / "),
                            pct(n(o["annual_return_cvar_95"])), num(n(o["annual_return_hill_alpha"]), 3),
                            num(n(o["annual_loss_cramer"]?["rate"]), 3),
                            pct(n(o["annual_loss_cramer"]?["p_mean_loss_5y"])),
                        ]
                    }) + "\n"
            if let model = mine.first?.1["model"] { md += modelText(model) }
            if let best = mine.first?.1, case .array(let fan)? = best["fan"],
                case .array(let levels)? = best["fan_levels"],
                case .array(let ds)? = best["fan_dates"]
            {
                let dates = ds.map { v -> String in if case .string(let s) = v { s } else { "" } }
                let series = zip(fan, levels).compactMap { curve, level -> SVGChart.Series? in
                    guard case .array(let c) = curve else { return nil }
                    return .init(name: "\(Int(n(level)))%", x: c.indices.map(Double.init), y: c.map { n($0) })
                }
                let name = "scenarios-" + slug(g) + ".svg"
                files["charts/" + name] = SVGChart.lines(
                    title: "Growth of 1 across \(g) paths (best point)", xTitle: "date", yTitle: "growth of 1",
                    series: series,
                    xLabel: SVGChart.indexLabels(dates))
                md += "![scenario fan \(g)](charts/\(name))\n\n"
            }
        }
        if !episodes.isEmpty { md += episodesTable(episodes) }
        return md
    }

    /// What a generator fitted: the block length, and for the regime and synthetic generators the regimes' shares
    /// (history, and in the long run of the simulated chain with any stress) and the synthetic market's fit.
    func modelText(_ m: JSONValue) -> String {
        func list(_ v: JSONValue?) -> [JSONValue] { if case .array(let a)? = v { a } else { [] } }
        var md = m["block"] == nil ? "Fitted market" : "Block length \(num(n(m["block"]), 1)) sessions"
        let labels = list(m["regimes"]).map { v -> String in if case .string(let s) = v { s } else { "?" } }
        if !labels.isEmpty {
            let hist = list(m["historical_share"]), sim = list(m["stationary_share"])
            md +=
                "; regimes (share of history → long-run share of the simulated chain): "
                + labels.indices.map {
                    "\(labels[$0]) \(pct(n($0 < hist.count ? hist[$0] : nil))) → \(pct(n($0 < sim.count ? sim[$0] : nil)))"
                }
                .joined(separator: ", ")
        }
        if m["market_tail_dof"] != nil {
            func dof(_ v: JSONValue?) -> String { n(v).isFinite ? "Student-t ν = \(Int(n(v)))" : "normal" }
            md +=
                "; market shocks \(dof(m["market_tail_dof"])), idiosyncratic \(dof(m["idiosyncratic_tail_dof"])); \(Int(n(m["assets_fitted"]))) assets fitted, median beta \(num(n(m["median_beta"]), 2)); per regime (annual drift / volatility / idiosyncratic ×): "
                + list(m["regime_fits"]).map { r -> String in
                    let label = if case .string(let s)? = r["label"] { s } else { "?" }
                    return
                        "\(label) \(pct(n(r["annual_drift"]))) / \(pct(n(r["annual_volatility"]))) / \(num(n(r["idiosyncratic_multiplier"]), 2))"
                }.joined(separator: ", ")
        }
        return md + ".\n\n"
    }

    /// Each top point in each stress window alone against the benchmark there, and with the window replayed.
    func episodesTable(_ rows: [ScenarioRow]) -> String {
        func s(_ v: JSONValue?) -> String { if case .string(let x)? = v { x } else { "" } }
        let rank = Dictionary(uniqueKeysWithValues: data.ranked.enumerated().map { ($1.id, $0 + 1) })
        var md = "### Stress episodes\n\n"
        md +=
            "Built-in crises inside the run and the benchmark's own three worst drawdowns. *Alone* runs the point on the window's sessions only (indicators warmed on the history before it); *replayed* runs it on the whole history with the window's days copied to a random place.\n\n"
        let parsed = rows.compactMap { r in (try? JSONValue.parse(r.metricsJSON)).map { (r, $0) } }.sorted {
            $0.0.path != $1.0.path ? $0.0.path < $1.0.path : (rank[$0.0.pointID] ?? 0) < (rank[$1.0.pointID] ?? 0)
        }
        md += ReportBuilder.table(
            [
                "episode", "window", "point", "return alone", "max DD alone", "benchmark return", "benchmark max DD",
                "replayed: CAGR", "replayed: max DD",
            ],
            parsed.map { r, o in
                [
                    s(o["episode"]), "\(s(o["first"])) .. \(s(o["last"]))", "`\(r.pointID)`",
                    pct(n(o["alone"]?["total_return"])), pct(n(o["alone"]?["max_drawdown"])),
                    pct(n(o["benchmark"]?["total_return"])), pct(n(o["benchmark"]?["max_drawdown"])),
                    pct(n(o["replay"]?["cagr"])), pct(n(o["replay"]?["max_drawdown"])),
                ]
            })
        return md + "\n"
    }
}

/// A stored number, NaN when absent or not a number.
private func n(_ v: JSONValue?) -> Double { v?.numberValue ?? .nan }
