import Analytics
import HindsightCore
import MarketData

/// Named stress windows a run's sessions hold: a built-in list of dated crises, and the benchmark's own worst
/// drawdowns (peak to trough) over the run.
public struct StressEpisode: Sendable, Equatable {
    public var name: String
    /// `built-in` or `benchmark drawdown`.
    public var source: String
    /// Panel sessions of the window.
    public var sessions: Range<Int>
}

public enum StressEpisodes {
    /// Dated market crises (first and last day; the window is the sessions between them).
    public static let builtIn: [(name: String, first: String, last: String)] = [
        ("crash-1987", "1987-10-01", "1987-10-30"), ("dot-com-2000", "2000-03-10", "2002-10-09"),
        ("gfc-2008", "2008-09-01", "2009-03-31"), ("euro-debt-2011", "2011-08-01", "2011-08-31"),
        ("china-2015", "2015-08-01", "2015-08-31"), ("q4-2018", "2018-10-01", "2018-12-31"),
        ("covid-2020", "2020-02-01", "2020-04-30"), ("bear-2022", "2022-01-03", "2022-10-12"),
    ]

    /// The built-in windows with at least 5 sessions inside `run`, then the benchmark's `worst` deepest
    /// drawdowns (falls of at least 5 sessions) over `run`.
    public static func find(panel: MarketPanel, run: Range<Int>, benchmark: String?, worst: Int = 3) -> [StressEpisode]
    {
        var out: [StressEpisode] = []
        let cal = panel.calendar
        for e in builtIn {
            guard let a = TradingDay(iso: e.first), let b = TradingDay(iso: e.last) else { continue }
            let lo = max(cal.indexOnOrAfter(a), run.lowerBound),
                hi = min(cal.indexOnOrAfter(b.adding(days: 1)), run.upperBound)
            if hi - lo >= 5 { out.append(StressEpisode(name: e.name, source: "built-in", sessions: lo..<hi)) }
        }
        if let b = benchmark, let asset = panel.asset(ticker: b), run.count > 1 {
            let r = run.map { d -> Double in
                let k = asset * panel.dayCount + d
                guard d > run.lowerBound, panel.valid[k], panel.valid[k - 1] else { return 0 }
                return panel.adjustedClose[k] / panel.adjustedClose[k - 1] - 1
            }
            var n = 0
            for spell in Metrics.drawdownTable(r, top: 10) where n < worst {
                let lo = run.lowerBound + max(spell.peak, 0), hi = run.lowerBound + spell.valley + 1
                guard hi - lo >= 5 else { continue }
                n += 1
                out.append(
                    StressEpisode(
                        name:
                            "\(b)-drawdown-\(n) (\(cal.day(at: lo)) .. \(cal.day(at: hi - 1)), \(JSONText.number((spell.depth * 1000).rounded() / 10))%)",
                        source: "benchmark drawdown", sessions: lo..<hi))
            }
        }
        return out
    }
}
