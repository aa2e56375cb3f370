import HindsightCore
import MarketData

/// Regimes per session: from `regime_history` (the latest record on or before each session), or, when the data
/// has none, from the built-in classifier.
///
/// Built-in classifier (uses only data up to and including the session): on a market series (the regime ticker,
/// else the benchmark, else SPY or MKT when present, else the equal-weight average of all assets),
/// trend is up when the level is at or above its `trendWindow`-session mean; volatility is high when the
/// annualised (√252) standard deviation of the last `volWindow` daily returns exceeds `volThreshold`.
/// Regimes: 1 bull_quiet, 2 bull_volatile, 3 bear_quiet, 4 bear_volatile; 0 warmup before enough history.
public final class BacktestRegimeService: RegimeService {
    public static let builtinLabels = ["warmup", "bull_quiet", "bull_volatile", "bear_quiet", "bear_volatile"]

    public let calendarDays: [TradingDay]
    /// Regime id per session.
    public let regimeOfDay: [Int32]
    /// Label per regime id (ids are small non-negative integers).
    public let labels: [Int: String]
    /// True when the regimes come from the built-in classifier (then `classified` holds the history to store).
    public let isBuiltin: Bool
    /// The market series the classifier used.
    public let marketSeries: String?

    /// Regimes read from data.
    public init(records: [RegimeRecord], panel: MarketPanel) {
        let sorted = records.sorted { $0.date < $1.date }
        var out = [Int32](repeating: -1, count: panel.dayCount)
        var j = 0, current: Int32 = -1
        for d in 0..<panel.dayCount {
            let day = panel.calendar.day(at: d)
            while j < sorted.count, sorted[j].date <= day {
                current = Int32(sorted[j].regimeID)
                j += 1
            }
            out[d] = current
        }
        var labels = [Int: String]()
        for r in sorted { labels[r.regimeID] = r.label }
        labels[-1] = "unknown"
        calendarDays = panel.calendar.sessions
        regimeOfDay = out
        self.labels = labels
        isBuiltin = false
        marketSeries = nil
    }

    /// The built-in classifier.
    public init(classifying panel: MarketPanel, settings: RunConfig.RegimeSettings, benchmark: String?) {
        let nD = panel.dayCount
        var level = [Double](repeating: .nan, count: nD)
        var name: String?
        let candidates = [settings.ticker, benchmark, "SPY", "MKT"].compactMap { $0 }
        if let t = candidates.first(where: { panel.asset(ticker: $0) != nil }), let a = panel.asset(ticker: t) {
            name = t
            for d in 0..<nD { level[d] = panel.adjustedClose[a * nD + d] }
        } else {
            name = "equal-weight average"
            var idx = 1.0
            for d in 0..<nD {
                var s = 0.0, n = 0
                if d > 0 {
                    for a in 0..<panel.assetCount {
                        let k = a * nD + d
                        if panel.valid[k], panel.valid[k - 1] {
                            s += panel.adjustedClose[k] / panel.adjustedClose[k - 1] - 1
                            n += 1
                        }
                    }
                }
                if n > 0 { idx *= 1 + s / Double(n) }
                level[d] = idx
            }
        }
        var out = [Int32](repeating: 0, count: nD)
        let tw = settings.trendWindow, vw = settings.volWindow
        for d in 0..<nD {
            guard d + 1 >= tw, d >= vw else { continue }
            var sum = 0.0, ok = true
            for i in (d + 1 - tw)...d {
                if level[i].isFinite {
                    sum += level[i]
                } else {
                    ok = false
                    break
                }
            }
            var rs = 0.0, rs2 = 0.0
            for i in (d + 1 - vw)...d where ok {
                let r = level[i] / level[i - 1] - 1
                if !r.isFinite {
                    ok = false
                    break
                }
                rs += r
                rs2 += r * r
            }
            guard ok else { continue }
            let n = Double(vw)
            let vol = (max(0, (rs2 - rs * rs / n) / (n - 1)) * 252).squareRoot()
            let up = level[d] >= sum / Double(tw)
            let high = vol > settings.volThreshold
            out[d] = up ? (high ? 2 : 1) : (high ? 4 : 3)
        }
        calendarDays = panel.calendar.sessions
        regimeOfDay = out
        labels = Dictionary(uniqueKeysWithValues: BacktestRegimeService.builtinLabels.enumerated().map { ($0, $1) })
        isBuiltin = true
        marketSeries = name
    }

    public func regime(on day: TradingDay) -> RegimeRecord? {
        var lo = 0, hi = calendarDays.count
        while lo < hi {
            let m = (lo + hi) / 2
            if calendarDays[m] <= day { lo = m + 1 } else { hi = m }
        }
        guard lo > 0 else { return nil }
        let id = Int(regimeOfDay[lo - 1])
        guard id >= 0 else { return nil }
        return RegimeRecord(date: calendarDays[lo - 1], regimeID: id, label: labels[id] ?? "regime-\(id)")
    }

    public func label(_ id: Int) -> String { labels[id] ?? "regime-\(id)" }

    /// Every label this service can return.
    public var knownLabels: [String] { labels.sorted { $0.key < $1.key }.map(\.value) }

    /// The classified history over sessions `range`, for storing in `regime_history`.
    public func records(in range: Range<Int>) -> [RegimeRecord] {
        range.map {
            RegimeRecord(date: calendarDays[$0], regimeID: Int(regimeOfDay[$0]), label: label(Int(regimeOfDay[$0])))
        }
    }
}
