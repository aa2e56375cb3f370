import Analytics
import Engine
import HindsightCore
import Services

/// A run's `metrics_json`: every Analytics metric of its daily returns (with the benchmark, the risk-free series and
/// the factors when the data has them), plus the engine's own counts, costs, exposures and P&L attribution.
public enum RunMetrics {
    /// The benchmark's daily total returns (splits and dividends) over `days`; 0 where a bar is missing.
    public static func benchmarkReturns(_ config: RunConfig, inputs: MarketInputs, days: Range<Int>) -> [Double]? {
        let panel = inputs.panel
        guard let b = config.benchmark, let a = panel.asset(ticker: b) else { return nil }
        return days.map { d in
            let k = a * panel.dayCount + d
            guard d > 0, panel.valid[k], panel.valid[k - 1] else { return 0 }
            return panel.adjustedClose[k] / panel.adjustedClose[k - 1] - 1
        }
    }

    /// The metrics every stored run has, in sweeps and in `backtest run` alike: the fused summary (the definitions
    /// the report's matrix analytics use; Sharpe and omega with a zero risk-free rate, as empyrical's default) and,
    /// with a benchmark, alpha, beta (of excess returns when the data has `rf`), capture, tracking error and IR.
    public static func common(_ returns: [Double], benchmark: [Double]?, riskFree: [Double]?) -> [(String, Double)] {
        let s = Metrics.summary(returns)
        var out: [(String, Double)] = []
        for (i, name) in ReturnsMatrix.summaryMetricNames.enumerated() where name != "deflated_sharpe_ratio" { out.append((name, s.values[i])) }
        if let b = benchmark { out += benchmarkMetrics(returns, benchmark: b, riskFree: riskFree) }
        return out
    }

    /// The benchmark-relative part of `common`.
    public static func benchmarkMetrics(_ returns: [Double], benchmark b: [Double], riskFree: [Double]?) -> [(String, Double)] {
        let rr = riskFree.map { rf in zip(returns, rf).map { $0 - $1 } } ?? returns
        let bb = riskFree.map { rf in zip(b, rf).map { $0 - $1 } } ?? b
        return [("information_ratio", Metrics.informationRatio(returns, benchmark: b)),
                ("alpha", Metrics.alpha(rr, benchmark: bb)), ("beta", Metrics.beta(rr, benchmark: bb)),
                ("up_capture", Metrics.upCapture(returns, benchmark: b)), ("down_capture", Metrics.downCapture(returns, benchmark: b)),
                ("tracking_error", Metrics.trackingError(returns, benchmark: b))]
    }

    /// The data's `rf` series over `days`, when it has a value on every one of them.
    public static func riskFree(_ inputs: MarketInputs, days: Range<Int>) -> [Double]? {
        guard let s = inputs.factors["rf"] else { return nil }
        let v = days.map { s[$0] }
        return v.allSatisfy(\.isFinite) ? v : nil
    }

    static func compute(_ r: BacktestResult, config: RunConfig, inputs: MarketInputs, regimes: BacktestRegimeService) throws -> JSONValue {
        let returns = r.returns(initialCash: config.initialCash)
        let days = r.firstSession..<(r.firstSession + r.dates.count)
        let benchmark = benchmarkReturns(config, inputs: inputs, days: days)
        func aligned(_ name: String) -> [Double]? {
            guard let s = inputs.factors[name] else { return nil }
            let v = days.map { s[$0] }
            return v.allSatisfy(\.isFinite) ? v : nil
        }
        let rf = riskFree(inputs, days: days)
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
        // The metrics a sweep point stores too come from the one shared function, so both agree bit for bit.
        for (name, value) in common(returns, benchmark: benchmark, riskFree: rf) {
            if let i = o.firstIndex(where: { $0.0 == name }) { o[i].1 = .number(value) } else { o.append((name, .number(value))) }
        }
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
