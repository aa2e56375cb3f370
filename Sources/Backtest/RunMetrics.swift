import Analytics
import Engine
import HindsightCore
import MarketData
import Services

/// A run's metrics, defined once. `stored` is `metrics_json`: the same bytes for a config in `backtest run`, a
/// sweep point (full engine or exact kernel), a shard or a merge. `analysis` is what `backtest run` adds beside it
/// (tail and Cramér statistics, factor regression, rolling and calendar tables), too costly for every sweep point.
public enum RunMetrics {
    /// Numbers `stored` writes besides the summary metrics that a sweep can rank by.
    public static let rankableRunKeys = [
        "final_equity", "trades", "gaps", "total_commission", "total_slippage", "average_gross_exposure",
        "average_daily_turnover", "ambiguous_bars", "round_trips", "trade_win_rate", "expectancy",
        "profit_factor_trades", "sqn", "position_half_life", "days_without_intraday",
    ]
    /// The benchmark-relative numbers `stored` writes when the config has a `benchmark`.
    public static let benchmarkKeys = [
        "alpha", "beta", "excess_return", "information_ratio", "tracking_error", "up_capture", "down_capture",
    ]
    /// Every valid `rank_by` (and `filters`) key.
    public static let rankable = SummaryMetric.perRun.map(\.key) + rankableRunKeys + benchmarkKeys

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

    /// The data's `rf` series over `days`, when it has a value on every one of them.
    public static func riskFree(_ inputs: MarketInputs, days: Range<Int>) -> [Double]? {
        guard let s = inputs.factors["rf"] else { return nil }
        let v = days.map { s[$0] }
        return v.allSatisfy(\.isFinite) ? v : nil
    }

    /// The benchmark-relative metrics: alpha and beta of returns in excess of `rf` (when the data has it),
    /// information ratio, capture and tracking error of the raw returns, and the excess return (the run's CAGR less
    /// the benchmark's over the same sessions).
    public static func benchmarkMetrics(_ returns: [Double], benchmark b: [Double], riskFree: [Double]?) -> [(
        String, Double
    )] {
        let rr = riskFree.map { rf in zip(returns, rf).map { $0 - $1 } } ?? returns
        let bb = riskFree.map { rf in zip(b, rf).map { $0 - $1 } } ?? b
        return [
            ("information_ratio", Metrics.informationRatio(returns, benchmark: b)),
            ("alpha", Metrics.alpha(rr, benchmark: bb)), ("beta", Metrics.beta(rr, benchmark: bb)),
            ("up_capture", Metrics.upCapture(returns, benchmark: b)),
            ("down_capture", Metrics.downCapture(returns, benchmark: b)),
            ("tracking_error", Metrics.trackingError(returns, benchmark: b)),
            ("excess_return", Metrics.cagr(returns) - Metrics.cagr(b)),
        ]
    }

    /// `metrics_json` as (key, encoded value) pairs in key order, and the text. The summary metrics come from the
    /// fused kernel the report's matrix analytics use (Sharpe and omega with a zero risk-free rate, as empyrical's
    /// default).
    public static func stored(
        _ r: BacktestResult, config: RunConfig, regimes: BacktestRegimeService,
        benchmark: [Double]?, riskFree: [Double]?, panel: MarketPanel, factors: [String: [Double]]
    ) -> (pairs: [(String, String)], text: String) {
        let returns = r.returns(initialCash: config.initialCash)
        let s = Metrics.summary(returns)
        var o: [(String, String)] = []
        func num(_ k: String, _ v: Double) { o.append((k, JSONText.number(v))) }
        func int(_ k: String, _ v: Int) { o.append((k, String(v))) }
        o.append(("strategy", JSONText.quote(config.strategyKind)))
        num("initial_cash", config.initialCash)
        num("final_equity", r.finalEquity)
        o.append(("start", r.dates.first.map { JSONText.quote($0.iso) } ?? "null"))
        o.append(("end", r.dates.last.map { JSONText.quote($0.iso) } ?? "null"))
        int("n_obs", returns.count)
        for m in SummaryMetric.perRun { num(m.key, s.values[m]) }
        num("sharpe_per_period", s.sharpePerPeriod)
        num("skewness_g3", s.skewness)
        num("kurtosis_g4", s.kurtosis)
        if let b = benchmark { for (k, v) in benchmarkMetrics(returns, benchmark: b, riskFree: riskFree) { num(k, v) } }
        var fills = 0, buys = 0, sells = 0, partial = 0, unfilled = 0
        for t in r.trades {
            if t.quantity > 0 { buys += 1 } else if t.quantity < 0 { sells += 1 } else { unfilled += 1 }
            if t.flags & TradeRecord.partial != 0 { partial += 1 }
        }
        fills = buys + sells
        let skipped = r.gaps.filter(\.orderSkipped).count
        func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
        func pairs(_ v: [(String, Double)]) -> String { JSONText.object(v.map { ($0.0, JSONText.number($0.1)) }) }
        int("trades", fills)
        int("buys", buys)
        int("sells", sells)
        int("partial_fills", partial)
        int("unfilled_orders", unfilled)
        int("gaps_skipped_orders", skipped)
        int("gaps_held_positions", r.gaps.count - skipped)
        int("gaps", r.gaps.count)
        num("total_commission", r.totalCommission)
        num("total_slippage", r.totalSlippage)
        num("average_gross_exposure", mean(r.gross))
        num("average_net_exposure", mean(r.net))
        num("average_names", mean(r.names.map(Double.init)))
        num("average_daily_turnover", mean(r.turnover))
        let allTrips = r.roundTrips(panel: panel)
        num(
            "position_half_life",
            TradeStatistics.halfLife(barsHeld: allTrips.map(\.barsHeld), closed: allTrips.map(\.isClosed)))
        let trips = allTrips.filter(\.isClosed)
        let ts = TradeStatistics(pnl: trips.map(\.pnl), barsHeld: trips.map(\.barsHeld))
        int("round_trips", ts.count)
        num("trade_win_rate", ts.winRate)
        num("average_win", ts.averageWin)
        num("average_loss", ts.averageLoss)
        num("expectancy", ts.expectancy)
        num("profit_factor_trades", ts.profitFactor)
        num("average_bars_held", ts.averageBarsHeld)
        num("median_bars_held", ts.medianBarsHeld)
        num("sqn", ts.sqn)
        if config.execution.intraday != nil {
            int("days_without_intraday", r.daysWithoutIntraday)
            int("intraday_fills", r.trades.lazy.filter { $0.intradayBars > 0 }.count)
        }
        if config.stops.isActive {
            int("ambiguous_bars", r.ambiguousBars)
            var byReason = [Int](repeating: 0, count: StopRules.ExitReason.allCases.count)
            for t in r.trades where t.reason != 0 { byReason[Int(t.reason)] += 1 }
            o.append(
                (
                    "stop_exits",
                    JSONText.object(
                        StopRules.ExitReason.allCases.filter { $0 != .signal && byReason[Int($0.rawValue)] > 0 }.map {
                            ($0.name, String(byReason[Int($0.rawValue)]))
                        })
                ))
        }
        o.append(
            (
                "regime_source",
                JSONText.quote(regimes.isBuiltin ? "builtin (" + (regimes.marketSeries ?? "-") + ")" : "data")
            ))
        o.append(
            (
                "attribution",
                JSONText.object([
                    ("pnl_by_sector", pairs(r.pnlBySector)), ("pnl_by_model", pairs(r.pnlByModel)),
                    ("pnl_by_regime", pairs(r.pnlByRegime)),
                ])
            ))
        if let f = FactorAttribution(result: r, initialCash: config.initialCash, factors: factors) {
            o += f.storedPairs(equity: r.equity)
        }
        // The same arithmetic as the `total` rows of `backtest_turnover`.
        let turnover = RunTurnover(result: r, periods: [("total", 0..<r.dates.count)]).rows
        o.append(
            (
                "turnover_by_component",
                JSONText.object(turnover.map { ($0.component, JSONText.number($0.turnover)) })
            ))
        o = sortedByKey(o)
        return (o, JSONText.object(o))
    }

    /// The last key order seen: a sweep's points share their keys, and sorting about 70 strings anew for each point
    /// was 4 % of a 100,000-point SMA sweep's CPU. A different key list is sorted (stably) and becomes the cached one.
    private static let keyOrder = Locked<(keys: [String], order: [Int])>(([], []))

    static func sortedByKey(_ o: [(String, String)]) -> [(String, String)] {
        let cached = keyOrder.value
        if cached.keys.count == o.count, zip(cached.keys, o).allSatisfy({ $0 == $1.0 }) {
            return cached.order.map { o[$0] }
        }
        let order = o.indices.sorted { o[$0].0 != o[$1].0 ? o[$0].0 < o[$1].0 : $0 < $1 }
        keyOrder.withLock { $0 = (o.map(\.0), order) }
        return order.map { o[$0] }
    }

    /// `backtest run`'s further analysis: every metric of `MetricsReport` that `stored` does not have.
    static func analysis(
        _ r: BacktestResult, config: RunConfig, inputs: MarketInputs, benchmark: [Double]?, riskFree rf: [Double]?,
        storedKeys: Set<String>
    ) throws -> JSONValue {
        let returns = r.returns(initialCash: config.initialCash)
        let days = r.firstSession..<(r.firstSession + r.dates.count)
        func aligned(_ name: String) -> [Double]? {
            guard let s = inputs.factors[name] else { return nil }
            let v = days.map { s[$0] }
            return v.allSatisfy(\.isFinite) ? v : nil
        }
        let factorNames = inputs.factors.keys.filter { $0 != "rf" }.sorted()
        let factorValues = factorNames.compactMap(aligned)
        let factors =
            factorValues.count == factorNames.count && !factorNames.isEmpty && returns.count > factorNames.count + 2
            ? MetricsReport.Factors(names: factorNames, values: factorValues, riskFree: rf) : nil
        var report = MetricsReport(
            dates: r.dates, returns: returns, benchmark: benchmark, riskFree: rf, factors: factors)
        var json: JSONValue
        do { json = try report.json() } catch {
            report.factors = nil
            json = try report.json()
        }
        guard case .object(let o) = json else { return json }
        return .object(o.filter { !storedKeys.contains($0.0) })
    }
}
