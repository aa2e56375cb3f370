import Analytics
import Engine
import HindsightCore
import Services

/// A run's `metrics_json`: every Analytics metric of its daily returns (with the benchmark, the risk-free series and
/// the factors when the data has them), plus the engine's own counts, costs, exposures and P&L attribution.
enum RunMetrics {
    static func compute(_ r: BacktestResult, config: RunConfig, inputs: MarketInputs, regimes: BacktestRegimeService) throws -> JSONValue {
        let returns = r.returns(initialCash: config.initialCash)
        let days = r.firstSession..<(r.firstSession + r.dates.count)
        let panel = inputs.panel
        var benchmark: [Double]?
        if let b = config.benchmark, let a = panel.asset(ticker: b) {
            benchmark = days.map { d in
                let k = a * panel.dayCount + d
                guard d > 0, panel.valid[k], panel.valid[k - 1] else { return 0 }
                return panel.adjustedClose[k] / panel.adjustedClose[k - 1] - 1
            }
        }
        func aligned(_ name: String) -> [Double]? {
            guard let s = inputs.factors[name] else { return nil }
            let v = days.map { s[$0] }
            return v.allSatisfy(\.isFinite) ? v : nil
        }
        let rf = aligned("rf")
        let factorNames = inputs.factors.keys.filter { $0 != "rf" }.sorted()
        let factorValues = factorNames.compactMap(aligned)
        let factors = factorValues.count == factorNames.count && !factorNames.isEmpty && returns.count > factorNames.count + 2
            ? MetricsReport.Factors(names: factorNames, values: factorValues, riskFree: rf) : nil
        var report = MetricsReport(dates: r.dates, returns: returns, benchmark: benchmark, riskFree: rf, factors: factors)
        var json: JSONValue
        do { json = try report.json() } catch {
            report.factors = nil
            json = try report.json()
        }
        guard case .object(var o) = json else { return json }
        let fills = r.trades.filter { $0.quantity != 0 }
        let skipped = r.gaps.filter(\.orderSkipped).count
        let regimeSource: String = regimes.isBuiltin ? "builtin (" + (regimes.marketSeries ?? "-") + ")" : "data"
        func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
        func pairs(_ v: [(String, Double)]) -> JSONValue { .object(v.map { ($0.0, .number($0.1)) }) }
        o.insert(contentsOf: [
            ("strategy", .string(config.strategyKind)),
            ("initial_cash", .number(config.initialCash)),
            ("final_equity", .number(r.finalEquity)),
        ], at: 0)
        let engineMetrics: [(String, JSONValue)] = [
            ("trades", .integer(fills.count)),
            ("buys", .integer(fills.filter { $0.quantity > 0 }.count)),
            ("sells", .integer(fills.filter { $0.quantity < 0 }.count)),
            ("partial_fills", .integer(r.trades.filter { $0.flags & TradeRecord.partial != 0 }.count)),
            ("unfilled_orders", .integer(r.trades.filter { $0.quantity == 0 }.count)),
            ("gaps_skipped_orders", .integer(skipped)),
            ("gaps_held_positions", .integer(r.gaps.count - skipped)),
            ("gaps", .integer(r.gaps.count)),
            ("total_commission", .number(r.totalCommission)),
            ("total_slippage", .number(r.totalSlippage)),
            ("average_gross_exposure", .number(mean(r.gross))),
            ("average_net_exposure", .number(mean(r.net))),
            ("average_names", .number(mean(r.names.map(Double.init)))),
            ("average_daily_turnover", .number(mean(r.turnover))),
            ("regime_source", .string(regimeSource)),
            ("attribution", .object([
                ("pnl_by_sector", pairs(r.pnlBySector)),
                ("pnl_by_model", pairs(r.pnlByModel)),
                ("pnl_by_regime", pairs(r.pnlByRegime)),
            ])),
        ]
        o.append(contentsOf: engineMetrics)
        return .object(o)
    }
}
