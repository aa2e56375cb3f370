/// The summary metrics of a return series: the one list that names them. The fused kernel (`ColumnSummary`) fills
/// a slot per case, `metrics_json` stores them under `key`, and `rank_by` and the reports read them by key.
public enum SummaryMetric: Int, CaseIterable, Sendable {
    case totalReturn, cagr, annualVolatility, sharpeRatio, sortinoRatio, calmarRatio, omegaRatio
    case stabilityOfTimeseries, maxDrawdown, maxDrawdownDurationDays, ulcerIndex, skew, kurtosis
    case valueAtRisk, conditionalValueAtRisk, tailRatio, winRate, profitFactor, bestDay, worstDay
    case probabilisticSharpeRatio, deflatedSharpeRatio

    /// The stored name (snake_case, as empyrical names it).
    public var key: String {
        switch self {
        case .totalReturn: "total_return"
        case .cagr: "cagr"
        case .annualVolatility: "annual_volatility"
        case .sharpeRatio: "sharpe_ratio"
        case .sortinoRatio: "sortino_ratio"
        case .calmarRatio: "calmar_ratio"
        case .omegaRatio: "omega_ratio"
        case .stabilityOfTimeseries: "stability_of_timeseries"
        case .maxDrawdown: "max_drawdown"
        case .maxDrawdownDurationDays: "max_drawdown_duration_days"
        case .ulcerIndex: "ulcer_index"
        case .skew: "skew"
        case .kurtosis: "kurtosis"
        case .valueAtRisk: "value_at_risk"
        case .conditionalValueAtRisk: "conditional_value_at_risk"
        case .tailRatio: "tail_ratio"
        case .winRate: "win_rate"
        case .profitFactor: "profit_factor"
        case .bestDay: "best_day"
        case .worstDay: "worst_day"
        case .probabilisticSharpeRatio: "probabilistic_sharpe_ratio"
        case .deflatedSharpeRatio: "deflated_sharpe_ratio"
        }
    }

    public init?(key: String) {
        guard let m = SummaryMetric.allCases.first(where: { $0.key == key }) else { return nil }
        self = m
    }

    /// Whether one run has it alone: the deflated Sharpe ratio needs the other trials, so only a set of runs has it.
    public var isPerRun: Bool { self != .deflatedSharpeRatio }

    /// The metrics a single run stores in `metrics_json` and can be ranked by.
    public static let perRun = allCases.filter(\.isPerRun)

    /// The headline metrics the reports show for a run (walk-forward's stitched run, a top point), in this order.
    public static let headline: [SummaryMetric] = [.totalReturn, .cagr, .sharpeRatio, .maxDrawdown, .annualVolatility]

    /// Values for every metric, indexed by the metric (the kernel's output row).
    public struct Values: Sendable {
        public private(set) var storage: [Double]
        public init() { storage = [Double](repeating: .nan, count: SummaryMetric.allCases.count) }
        public subscript(_ m: SummaryMetric) -> Double {
            get { storage[m.rawValue] }
            set { storage[m.rawValue] = newValue }
        }
        mutating func reset() { for i in storage.indices { storage[i] = .nan } }
    }
}
