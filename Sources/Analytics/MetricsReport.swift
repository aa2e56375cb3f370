import HindsightCore

/// Every metric of one return series (with optional benchmark, risk-free and factors), as ordered JSON.
public struct MetricsReport: Sendable {
    public struct Factors: Sendable {
        public var names: [String]
        /// One series per factor, aligned with the returns.
        public var values: [[Double]]
        /// The factors' own risk-free series, when the file had an `rf` column.
        public var riskFree: [Double]?
        public init(names: [String], values: [[Double]], riskFree: [Double]?) {
            self.names = names
            self.values = values
            self.riskFree = riskFree
        }
    }

    public var dates: [TradingDay]
    public var returns: [Double]
    public var benchmark: [Double]?
    /// Per-period risk-free returns (used by Sharpe, Sortino's threshold stays 0, omega, alpha/beta).
    public var riskFree: [Double]?
    public var factors: Factors?
    public var periodsPerYear: Double
    public var hacLags: Int?
    public var hillK: Int?
    public var rollingWindow = 63
    public var topDrawdowns = 5

    public init(
        dates: [TradingDay], returns: [Double], benchmark: [Double]? = nil, riskFree: [Double]? = nil,
        factors: Factors? = nil, periodsPerYear: Double = Metrics.defaultPeriodsPerYear, hacLags: Int? = nil,
        hillK: Int? = nil
    ) {
        self.dates = dates
        self.returns = returns
        self.benchmark = benchmark
        self.riskFree = riskFree
        self.factors = factors
        self.periodsPerYear = periodsPerYear
        self.hacLags = hacLags
        self.hillK = hillK
    }

    /// Computes everything. Keys are the metric names in snake_case.
    public func json() throws -> JSONValue {
        let r = returns, p = periodsPerYear
        var o: [(String, JSONValue)] = []
        func num(_ k: String, _ v: Double) { o.append((k, .number(v))) }
        o.append(("n_obs", .integer(r.count)))
        o.append(("start", dates.first.map { .string($0.iso) } ?? .null))
        o.append(("end", dates.last.map { .string($0.iso) } ?? .null))
        num("total_return", Metrics.totalReturn(r))
        num("cagr", Metrics.cagr(r, periodsPerYear: p))
        num("annual_volatility", Metrics.annualVolatility(r, periodsPerYear: p))
        num("best_day", Metrics.bestDay(r))
        num("worst_day", Metrics.worstDay(r))
        num("win_rate", Metrics.winRate(r))
        num("profit_factor", Metrics.profitFactor(r))
        num("payoff_ratio", Metrics.payoffRatio(r))
        let excess: [Double] = riskFree.map { rf in zip(r, rf).map { $0 - $1 } } ?? r
        num("sharpe_ratio", Metrics.sharpeOfExcess(excess, periodsPerYear: p))
        num("sortino_ratio", Metrics.sortinoRatio(r, periodsPerYear: p))
        num("calmar_ratio", Metrics.calmarRatio(r, periodsPerYear: p))
        num("omega_ratio", Metrics.omegaRatio(excess, periodsPerYear: p))
        num("stability_of_timeseries", Metrics.stabilityOfTimeseries(r))
        num("max_drawdown", Metrics.maxDrawdown(r))
        num("max_drawdown_duration_days", Metrics.maxDrawdownDuration(r))
        num("ulcer_index", Metrics.ulcerIndex(r))
        num("skew", Metrics.skew(r))
        num("kurtosis", Metrics.kurtosis(r))
        for (name, f) in [
            ("value_at_risk", Metrics.valueAtRisk), ("conditional_value_at_risk", Metrics.conditionalValueAtRisk),
        ] {
            num(name, f(r, 0.95, .historical))
            num(name + "_99", f(r, 0.99, .historical))
            for m in [RiskMethod.parametric, .cornishFisher] {
                num("\(name)_\(m.rawValue)_95", f(r, 0.95, m))
                num("\(name)_\(m.rawValue)_99", f(r, 0.99, m))
            }
        }
        num("tail_ratio", Metrics.tailRatio(r))
        num("common_sense_ratio", Metrics.commonSenseRatio(r))
        let hill: (Metrics.Tail) -> JSONValue = { tail in
            let h = Metrics.hillTailIndex(r, tail: tail, k: hillK)
            return .object([("alpha", .number(h.alpha)), ("std_error", .number(h.standardError)), ("k", .integer(h.k))])
        }
        o.append(("hill_tail_index", .object([("left", hill(.left)), ("right", hill(.right))])))
        o.append(
            (
                "cramer_rate",
                .object(
                    [-0.01, -0.02].map { x in
                        let c = Metrics.cramerRate(r, at: x, horizons: [21, 63])
                        return (
                            String(x),
                            .object([
                                ("rate", .number(c.rate)), ("theta", .number(c.theta)),
                                ("probability_21d", .number(c.probabilities[21] ?? .nan)),
                                ("probability_63d", .number(c.probabilities[63] ?? .nan)),
                            ])
                        )
                    })
            ))
        num("probabilistic_sharpe_ratio", Metrics.probabilisticSharpeRatio(excess))
        num("deflated_sharpe_ratio", Metrics.deflatedSharpeRatio(excess, trials: 1, trialSharpeVariance: 0))
        num("minimum_track_record_length", Metrics.minimumTrackRecordLength(excess))
        if let b = benchmark {
            num("information_ratio", Metrics.informationRatio(r, benchmark: b))
            let rr = riskFree == nil ? r : excess
            let bb = riskFree.map { rf in zip(b, rf).map { $0 - $1 } } ?? b
            num("alpha", Metrics.alpha(rr, benchmark: bb, periodsPerYear: p))
            num("beta", Metrics.beta(rr, benchmark: bb))
            num("up_capture", Metrics.upCapture(r, benchmark: b, periodsPerYear: p))
            num("down_capture", Metrics.downCapture(r, benchmark: b, periodsPerYear: p))
            num("tracking_error", Metrics.trackingError(r, benchmark: b, periodsPerYear: p))
            o.append(
                ("rolling_beta_\(rollingWindow)", series(Metrics.rollingBeta(r, benchmark: b, window: rollingWindow))))
        }
        o.append(
            (
                "rolling_sharpe_\(rollingWindow)",
                series(Metrics.rollingSharpe(r, window: rollingWindow, periodsPerYear: p))
            ))
        if let f = factors {
            let rf = f.riskFree ?? riskFree
            let y = rf.map { rf in zip(r, rf).map { $0 - $1 } } ?? r
            let fit = try Metrics.linearRegression(y: y, regressors: f.values, names: f.names, hacLags: hacLags)
            func byName(_ v: [Double]) -> JSONValue { .object(zip(fit.names, v).map { ($0, .number($1)) }) }
            var contributions: [(String, JSONValue)] = []
            for (j, name) in f.names.enumerated() {
                contributions.append((name, .number(fit.coefficients[j + 1] * Stat.mean(f.values[j]) * p)))
            }
            contributions.append(("alpha", .number(fit.coefficients[0] * p)))
            o.append(
                (
                    "factor_regression",
                    .object([
                        ("coefficients", byName(fit.coefficients)), ("std_errors", byName(fit.stdErrors)),
                        ("t_stats", byName(fit.tStats)),
                        ("hac_std_errors", byName(fit.hacStdErrors)), ("hac_t_stats", byName(fit.hacTStats)),
                        ("hac_lags", .integer(fit.hacLags)),
                        ("r_squared", .number(fit.rSquared)), ("adj_r_squared", .number(fit.adjRSquared)),
                        ("n_obs", .integer(fit.nObs)),
                        ("excess_of_risk_free", .bool(rf != nil)),
                        ("contribution_annual", .object(contributions)),
                    ])
                ))
        }
        o.append(
            (
                "monthly_returns",
                .array(
                    Metrics.periodReturns(r, dates: dates, by: .month).map {
                        .object([("period", .string($0.period)), ("return", .number($0.value))])
                    })
            ))
        o.append(
            (
                "yearly_returns",
                .array(
                    Metrics.periodReturns(r, dates: dates, by: .year).map {
                        .object([("period", .string($0.period)), ("return", .number($0.value))])
                    })
            ))
        o.append(
            (
                "top_drawdowns",
                .array(
                    Metrics.drawdownTable(r, top: topDrawdowns).map { s in
                        .object([
                            ("peak", .string(s.peak >= 0 ? dates[s.peak].iso : "start")),
                            ("valley", .string(dates[s.valley].iso)),
                            ("recovery", s.recovery.map { .string(dates[$0].iso) } ?? .null),
                            ("depth", .number(s.depth)), ("length", .integer(s.length)),
                        ])
                    })
            ))
        return .object(o)
    }

    private func series(_ v: [Double]) -> JSONValue {
        .array(
            zip(dates, v).compactMap { d, x in
                x.isNaN ? nil : .object([("date", .string(d.iso)), ("value", .number(x))])
            })
    }
}
