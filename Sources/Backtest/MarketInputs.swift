import Engine
import Foundation
import HindsightCore
import MarketData
import Services
import Storage
import TimeMachine

/// The market data a run reads, loaded once and shared read-only: the panel (all history up to the run's end, so
/// indicators can warm up before `start`), its technicals, profiles, data regimes and factor series.
public final class MarketInputs: Sendable {
    public let panel: MarketPanel
    public let technicals: Technicals
    public let profiles: BacktestProfileService
    public let dataRegimes: [RegimeRecord]
    /// Factor series by name, aligned with the panel's sessions (NaN where missing).
    public let factors: [String: [Double]]
    /// The profiles' betas on the factors (nil without a factor series besides `rf`).
    public let factorBetas: FactorBetas?
    /// Where the data came from, for messages.
    public let sourceDescription: String
    /// Every ticker the source holds (the panel may hold only those a config can reach), for messages.
    public let sourceTickers: [String]
    /// Intraday bars of the panel's tickers, loaded for configs that fill on them (`execution.fill: {model: ...}`).
    public let intraday: IntradayPanel?
    /// The closes day by day for the engine, built by the first run that asks (every pipeline on these inputs, the
    /// look-ahead cuts shared by a sweep's top points included, shares it).
    private let marks = Locked<DayMajorMarks?>(nil)

    /// The opens, highs and lows day by day for intrabar stops, built by the first run with such stops.
    private let bars = Locked<DayMajorBars?>(nil)

    /// The panel's opens, highs and lows day by day; nil for one asset, whose days are already contiguous.
    public var dayMajorBars: DayMajorBars? {
        guard panel.assetCount > 1 else { return nil }
        return bars.withLock { b in
            if b == nil { b = DayMajorBars(panel: panel) }
            return b
        }
    }

    /// The panel's closes and bar flags day by day; nil for one asset, whose days are already contiguous.
    public var dayMajorMarks: DayMajorMarks? {
        guard panel.assetCount > 1 else { return nil }
        return marks.withLock { m in
            if m == nil { m = DayMajorMarks(panel: panel) }
            return m
        }
    }

    public convenience init(
        panel: MarketPanel, companies: [CompanyProfile], sectors: [SectorProfile], regimes: [RegimeRecord],
        factorReturns: [FactorReturn], sourceDescription: String, sourceTickers: [String]? = nil,
        intraday: IntradayPanel? = nil
    ) {
        var f = [String: [Double]]()
        for r in factorReturns {
            guard let d = panel.calendar.index(of: r.date) else { continue }
            f[r.factor, default: [Double](repeating: .nan, count: panel.dayCount)][d] = r.value
        }
        let profiles = BacktestProfileService(companies: companies, sectors: sectors, panel: panel)
        let names = FactorAttribution.names(f)
        let betas =
            names.isEmpty
            ? nil
            : FactorBetas(
                names: names,
                versions: profiles.assetVersions.map {
                    $0.map { FactorAttribution.betas(fieldsJSON: $0.fieldsJSON, factors: names) }
                })
        self.init(
            panel: panel, profiles: profiles, regimes: regimes, sourceDescription: sourceDescription,
            sourceTickers: sourceTickers ?? panel.tickers, intraday: intraday, factors: f, factorBetas: betas,
            technicals: Technicals(panel: panel))
    }

    /// Inputs from their computed parts (a copy with intraday bars shares them instead of computing them again).
    init(
        panel: MarketPanel, profiles: BacktestProfileService, regimes: [RegimeRecord], sourceDescription: String,
        sourceTickers: [String], intraday: IntradayPanel?, factors: [String: [Double]], factorBetas: FactorBetas?,
        technicals: Technicals
    ) {
        self.panel = panel
        self.intraday = intraday
        self.technicals = technicals
        self.profiles = profiles
        dataRegimes = regimes
        self.factors = factors
        self.factorBetas = factorBetas
        self.sourceDescription = sourceDescription
        self.sourceTickers = sourceTickers
    }

    /// The tickers a config can reach, or nil for all: a static universe's names, the benchmark and regime ticker,
    /// and the built-in regime classifier's market series (its first candidate the data has; without one it
    /// averages every ticker, so all are needed). Loading only these gives the same sessions and the same numbers.
    public static func reachableTickers(_ config: RunConfig, available: Set<String>) -> [String]? {
        guard case .tickers(let names) = config.universe else { return nil }
        var want = Set(names).union(config.namedTickers)
        if config.regime.source != .data {
            let candidates = marketCandidates(config)
            guard let market = candidates.first(where: available.contains) else { return nil }
            want.insert(market)
        }
        return want.filter(available.contains).sorted()
    }

    /// The built-in regime classifier's market series, in the order it looks for them.
    static func marketCandidates(_ config: RunConfig) -> [String] {
        [config.regime.ticker, config.benchmark, "SPY", "MKT"].compactMap { $0 }
    }

    /// The bar length of the synthetic market's intraday bars.
    public static let syntheticBarMinutes = 5

    /// The data fingerprint a run of `config` records: the daily panel's, and the intraday bars' when the config
    /// fills on them.
    public func fingerprint(for config: RunConfig) -> String {
        guard config.execution.intraday != nil, let intraday else { return panel.fingerprint }
        var h = StableHasher()
        h.combine(panel.fingerprint)
        h.combine(intraday.fingerprint)
        return h.hex
    }

    /// Loads what `config` needs: from its database, or by generating its synthetic market. With `reach` (the
    /// default), a database source loads only the tickers the config can reach (`reachableTickers`); the calendar
    /// still comes from every date the database has, so sessions and results are the same as with all tickers.
    /// `intraday` (default: when the config fills on intraday bars) also loads the panel tickers' intraday bars.
    public static func load(for config: RunConfig, reach: Bool = true, intraday: Bool? = nil) throws -> MarketInputs {
        let daily = try loadDaily(for: config, reach: reach)
        guard intraday ?? (config.execution.intraday != nil) else { return daily }
        let p = daily.panel
        guard p.dayCount > 0 else { return daily }
        let rows: IntradayRows
        switch config.data {
        case .database(let path):
            let store = try HindsightDatabase.openExisting(path: path, readOnly: true, mapped: true)
            let hours = (NYSESessionTimes.hours(p.calendar.day(at: 0)), NYSESessionTimes.hours(p.calendar.last!))
            rows = try store.loadIntraday(tickers: p.tickers, from: hours.0.open - 86_400, to: hours.1.close + 86_400)
        case .csv:
            rows = IntradayRows()
        case .synthetic(let assets, let start, let end, let seed):
            // Bars for the run's own dates only (a synthetic market has no intraday table to read).
            let market = SyntheticMarket(
                .init(
                    assets: assets, start: start, end: end, seed: seed,
                    calendar: config.calendar == "weekdays" ? .weekdays : .nyse))
            let prices = try market.generate().prices
            var wanted = PriceRows()
            wanted.tickers = prices.tickers
            let keep = Set(p.tickers)
            for i in 0..<prices.count
            where prices.dates[i] >= config.start && prices.dates[i] <= config.end
                && keep.contains(prices.tickers[Int(prices.tickerIndex[i])])
            {
                wanted.append(row: i, of: prices)
            }
            rows = SyntheticIntraday.bars(for: wanted, minutes: syntheticBarMinutes, seed: seed)
        }
        return daily.with(intraday: IntradayPanel(rows: rows, panel: p))
    }

    /// These inputs with `intraday` bars.
    public func with(intraday: IntradayPanel?) -> MarketInputs {
        MarketInputs(
            panel: panel, profiles: profiles, regimes: dataRegimes, sourceDescription: sourceDescription,
            sourceTickers: sourceTickers, intraday: intraday, factors: factors, factorBetas: factorBetas,
            technicals: technicals)
    }

    static func loadDaily(for config: RunConfig, reach: Bool) throws -> MarketInputs {
        switch config.data {
        case .database(let path):
            return try loadDatabase(path, config: config, reach: reach)
        case .csv(let path, let ticker):
            var parser = PriceFileParser(ticker: ticker)
            try parser.parse(file: path)
            parser.rejectDuplicates()
            if let bad = parser.sortedRejects.first {
                throw HindsightError(
                    .invalidData, "\(parser.sortedRejects.count) invalid row(s) in \(path); first: \(bad.message)",
                    cause:
                        "fix the rows, or import the file with `hindsight data import prices --skip-invalid` and use `db:`"
                )
            }
            // Rows after `end` fall outside the calendar and are left out of the panel.
            let dates = calendarDates(config, parser.rows.dates)
            guard let first = dates.first else {
                throw dataError(config, "\(path) has no prices on or before \(config.end)", hint: "check `end`")
            }
            let calendar = try makeCalendar(config, from: first, dataDates: dates)
            let all = parser.rows.tickers.sorted()
            let wanted = reach ? reachableTickers(config, available: Set(all)) : nil
            let panel = try MarketPanel(rows: parser.rows, calendar: calendar, tickers: wanted)
            return MarketInputs(
                panel: panel, companies: [], sectors: [], regimes: [], factorReturns: [], sourceDescription: path,
                sourceTickers: all)
        case .synthetic(let assets, let start, let end, let seed):
            let market = SyntheticMarket(
                .init(
                    assets: assets, start: start, end: end, seed: seed,
                    calendar: config.calendar == "weekdays" ? .weekdays : .nyse))
            let data = try market.generate()
            let dates = calendarDates(config, data.prices.dates)
            guard let first = dates.first else {
                throw dataError(
                    config, "the synthetic market (\(start) .. \(end)) has no sessions on or before \(config.end)",
                    hint: "move `end` into the synthetic range")
            }
            let calendar = try makeCalendar(config, from: first, dataDates: dates)
            let panel = try MarketPanel(rows: data.prices, actions: data.corporateActions, calendar: calendar)
            return MarketInputs(
                panel: panel, companies: data.companyProfiles, sectors: data.sectorProfiles, regimes: data.regimes,
                factorReturns: data.factorReturns,
                sourceDescription: "synthetic market (assets \(assets), seed \(seed))")
        }
    }

    /// Whether the run's calendar is built from the data's dates (`calendar: data`); the others need only the
    /// first date, so a 20-ticker run on a large database reads one date, not every distinct one (9 ms of 55).
    static func needsDataDates(_ config: RunConfig) -> Bool {
        (try? CalendarKind(parsing: config.calendar)) == .data
    }

    /// The dates `makeCalendar` needs from `dates`, up to the run's end: every distinct one for the `data` calendar,
    /// else the first.
    static func calendarDates(_ config: RunConfig, _ dates: [TradingDay]) -> [TradingDay] {
        guard needsDataDates(config) else { return dates.lazy.filter { $0 <= config.end }.min().map { [$0] } ?? [] }
        // One bit a calendar day between the first and last date, not a Set of every row's date (2.2M rows: 80 ms → 4).
        guard let lo = dates.min()?.daysSinceEpoch, let hi = dates.max()?.daysSinceEpoch else { return [] }
        var seen = [Bool](repeating: false, count: Int(hi - lo) + 1)
        for d in dates { seen[Int(d.daysSinceEpoch - lo)] = true }
        return seen.indices.lazy.filter { seen[$0] }.map { TradingDay(daysSinceEpoch: lo + Int32($0)) }
            .filter { $0 <= config.end }
    }

    static func makeCalendar(_ config: RunConfig, from first: TradingDay, dataDates: [TradingDay]) throws
        -> TradingCalendar
    {
        do {
            let kind = try CalendarKind(parsing: config.calendar)
            return try kind.calendar(from: first, to: config.end, dataDates: dataDates)
        } catch let e as HindsightError {
            let node = config.source.child("calendar") ?? config.source
            throw node.error(e.message, hint: e.cause)
        }
    }

    static func dataError(_ config: RunConfig, _ message: String, hint: String) -> HindsightError {
        (config.source.child("data") ?? config.source).error(message, hint: hint)
    }

    /// Data-dependent checks, before the run starts: named tickers exist, the universe rule can be filled, the
    /// regime source and cash-rate factor exist, and the run has sessions.
    public func validate(_ config: RunConfig) throws {
        let known = Set(panel.tickers)
        func missing(_ t: String, _ node: ConfigNode?) -> HindsightError {
            let all = sourceTickers
            let hint = closestMatch(to: t, in: all).map { "did you mean \($0)? " } ?? ""
            return (node ?? config.source).error(
                "ticker \(t) is not in the data (\(sourceDescription))",
                hint:
                    "\(hint)the data has \(all.count) tickers: \(all.prefix(12).joined(separator: ", "))\(all.count > 12 ? ", ..." : "")"
            )
        }
        if case .tickers(let list) = config.universe {
            for t in list where !known.contains(t) { throw missing(t, config.source.child("universe.tickers")) }
        }
        if let b = config.benchmark, !known.contains(b) { throw missing(b, config.source.child("benchmark")) }
        if let r = config.regime.ticker, !known.contains(r) { throw missing(r, config.source.child("regime.ticker")) }
        let range = BacktestEngine.sessions(config, panel: panel)
        if range.isEmpty {
            throw (config.source.child("start") ?? config.source).error(
                "no sessions between \(config.start) and \(config.end) in the data",
                hint: "the data covers \(panel.calendar.first?.iso ?? "-") .. \(panel.calendar.last?.iso ?? "-")")
        }
        if case .rule(let rule) = config.universe {
            let node = config.source.child("universe.rule")
            var eligible = panel.assetCount
            if let sectors = rule.sectors {
                for s in sectors where !profiles.sectors.contains(s) {
                    let hint = closestMatch(to: s, in: profiles.sectors).map { "did you mean \($0)? " } ?? ""
                    throw (config.source.child("universe.rule.sectors") ?? config.source).error(
                        "sector '\(s)' is not in the profiles",
                        hint: "\(hint)known sectors: \(profiles.sectors.joined(separator: ", "))")
                }
                eligible =
                    (0..<panel.assetCount).filter { a in
                        profiles.assetVersionSector[a].contains { sectors.contains(profiles.sectors[Int($0)]) }
                    }.count
            }
            if rule.size > eligible {
                throw (node ?? config.source).error(
                    "the rule asks for \(rule.size) names but only \(eligible) tickers can ever qualify",
                    hint: "lower `size` to at most \(eligible), or widen `sectors`")
            }
            if rule.minHistory > range.upperBound {
                throw (node ?? config.source).error(
                    "min_history \(rule.minHistory) is longer than all the data up to `end` (\(range.upperBound) sessions)",
                    hint: "lower min_history, or move `end` later")
            }
            let maxClose = panel.close.lazy.filter { $0.isFinite }.max() ?? 0
            if rule.minPrice > maxClose {
                throw (node ?? config.source).error(
                    "min_price \(rule.minPrice) is above every close in the data (max \(maxClose))",
                    hint: "lower min_price")
            }
        }
        if config.regime.source == .data, dataRegimes.isEmpty {
            throw (config.source.child("regime.source") ?? config.source).error(
                "the data has no regime_history rows",
                hint: "import regimes, or use `source: builtin` (or auto) for the built-in classifier")
        }
        if case .factor(let name) = config.portfolio.cashRate, factors[name] == nil {
            throw (config.source.child("portfolio.cash_rate") ?? config.source).error(
                "the data has no factor series '\(name)'",
                hint:
                    "known factors: \(factors.keys.sorted().joined(separator: ", ")); or give an annual rate such as 0.02"
            )
        }
    }

    /// The regime service a run uses (data regimes, or the built-in classifier).
    public func regimeService(for config: RunConfig) -> BacktestRegimeService {
        switch config.regime.source {
        case .data: return BacktestRegimeService(records: dataRegimes, panel: panel)
        case .builtin:
            return BacktestRegimeService(classifying: panel, settings: config.regime, benchmark: config.benchmark)
        case .auto:
            return dataRegimes.isEmpty
                ? BacktestRegimeService(classifying: panel, settings: config.regime, benchmark: config.benchmark)
                : BacktestRegimeService(records: dataRegimes, panel: panel)
        }
    }
}
