import Analytics
import Foundation
import HindsightCore
import Storage

extension ScenarioRunner {
    static func numbers(_ v: JSONValue?) -> [Double] {
        guard case .array(let a)? = v else { return [] }
        return a.map(\.numberValue)
    }

    static func number(_ v: JSONValue?) -> Double { v?.numberValue ?? .nan }

    /// Per point and generator: quantiles of the path metrics, drawdown probabilities, the CVaR and Hill tail index
    /// of the paths' annual returns, the robustness rank (by median scenario Sharpe) and, for the best point, the
    /// equity fan (quantiles of growth of 1 at sampled sessions).
    static func summarize(
        context: SweepContext, store: HindsightDatabase, points: [SweepPoint], dates: [TradingDay], stride: Int,
        models: [String: String]
    ) throws {
        let sweepID = context.plan.sweepID
        var byKey: [String: [JSONValue]] = [:]
        for row in try store.scenarios(sweepID: sweepID) {
            guard let o = try? JSONValue.parse(row.metricsJSON), o["error"] == nil else { continue }
            byKey[row.pointID + " " + row.generator, default: []].append(o)
        }
        for g in context.plan.spec.scenarios?.generators ?? [] where g.method != .episodes {
            // Robustness: rank the points by their median scenario Sharpe ratio.
            var medians: [Double] = []
            for p in points {
                let rows: [JSONValue] = byKey[p.id + " " + g.name] ?? []
                let v = rows.map { number($0["sharpe_ratio"]) }.filter(\.isFinite)
                medians.append(v.isEmpty ? -Double.infinity : Metrics.percentile(v, 50))
            }
            let order = medians.indices.sorted { a, b in medians[a] != medians[b] ? medians[a] > medians[b] : a < b }
            var robustRank = [Int](repeating: 0, count: points.count)
            for (r, i) in order.enumerated() { robustRank[i] = r + 1 }
            for (i, p) in points.enumerated() {
                let rows = byKey[p.id + " " + g.name] ?? []
                guard !rows.isEmpty else { continue }
                func q(_ key: String) -> JSONValue {
                    let v = rows.map { number($0[key]) }.filter(\.isFinite)
                    return .array([5.0, 50, 95].map { .number(Metrics.percentile(v, $0)) })
                }
                let mdd = rows.map { number($0["max_drawdown"]) }.filter(\.isFinite)
                func worse(_ x: Double) -> JSONValue {
                    .number(mdd.isEmpty ? .nan : Double(mdd.filter { $0 < -x }.count) / Double(mdd.count))
                }
                let annual = rows.flatMap { numbers($0["annual_returns"]) }.filter(\.isFinite)
                let hill = Metrics.hillTailIndex(annual, tail: .left)
                var fields: [(String, JSONValue)] = [
                    ("paths", .integer(rows.count)), ("historical_rank", .integer(i + 1)),
                    ("robustness_rank", .integer(robustRank[i])),
                    ("cagr", q("cagr")), ("sharpe_ratio", q("sharpe_ratio")), ("max_drawdown", q("max_drawdown")),
                    ("max_drawdown_duration_days", q("max_drawdown_duration_days")),
                    (
                        "p_drawdown_worse_than",
                        .object([("20%", worse(0.2)), ("30%", worse(0.3)), ("50%", worse(0.5))])
                    ),
                    ("annual_return_cvar_95", .number(Metrics.conditionalValueAtRisk(annual, confidence: 0.95))),
                    ("annual_return_hill_alpha", .number(hill.alpha)),
                    ("annual_loss_cramer", lossRate(annual)),
                ]
                if let m = models[g.name], let model = try? JSONValue.parse(m) { fields.append(("model", model)) }
                if i == 0 {
                    let curves = rows.map { numbers($0["equity_sampled"]) }.filter { !$0.isEmpty }
                    if let n = curves.map(\.count).min(), n > 1 {
                        let fan = [5.0, 25, 50, 75, 95].map { level -> JSONValue in
                            .array(
                                (0..<n).map { t in .number(Metrics.percentile(curves.map { $0[t] }, level)) })
                        }
                        fields.append(("fan_levels", .array([5.0, 25, 50, 75, 95].map { .number($0) })))
                        fields.append(("fan", .array(fan)))
                        fields.append(
                            ("fan_dates", .array((0..<n).map { .string(dates[min($0 * stride, dates.count - 1)].iso) }))
                        )
                    }
                }
                try store.saveScenarioSummary(
                    sweepID: sweepID, pointID: p.id, generator: g.name, json: JSONValue.object(fields).render())
            }
        }
    }

    /// The Cramér rate of losing on average: I(0) of the paths' calendar-year returns, with the implied chance that
    /// the mean annual return over 3, 5 and 10 years is below zero (exp(−h·I)); 1 when the typical year loses.
    static func lossRate(_ annual: [Double]) -> JSONValue {
        guard annual.count >= 2 else { return .null }
        let mean = annual.reduce(0, +) / Double(annual.count)
        let horizons = [3, 5, 10]
        // The typical year loses: losing on average is no rare event.
        if mean <= 0 { return .object([("rate", .number(0))] + horizons.map { ("p_mean_loss_\($0)y", .number(1)) }) }
        let c = Metrics.cramerRate(annual, at: 0, horizons: horizons)
        return .object(
            [("rate", .number(c.rate))]
                + horizons.map { ("p_mean_loss_\($0)y", .number(c.probabilities[$0] ?? .nan)) })
    }
}
