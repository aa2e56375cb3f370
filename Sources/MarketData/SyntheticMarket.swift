import HindsightCore
import TimeMachine

/// The built-in synthetic market: regimes from a Markov chain, factor-model returns with fat tails and jumps,
/// consistent OHLCV, listings and delistings, splits and dividends, versioned profiles and a universe.
/// The same parameters give bit-identical output on every machine (own RNG, portable math, no dictionary order).
public struct SyntheticMarket: Sendable {
    public struct Parameters: Sendable, Equatable {
        public var assets: Int
        public var start: TradingDay
        public var end: TradingDay
        public var seed: UInt64
        public var calendar: CalendarKind

        public init(assets: Int, start: TradingDay, end: TradingDay, seed: UInt64, calendar: CalendarKind = .nyse) {
            self.assets = assets
            self.start = start
            self.end = end
            self.seed = seed
            self.calendar = calendar
        }
    }

    /// A regime's market drift and volatility (annualised) and its idiosyncratic volatility multiplier.
    public struct Regime: Sendable {
        public let id: Int
        public let label: String
        public let marketDrift: Double
        public let marketVol: Double
        public let idioVolMultiplier: Double
        public let momentumDrift: Double
        /// Probability of staying in this regime the next day.
        public let persistence: Double
    }

    public static let regimes: [Regime] = [
        Regime(
            id: 0, label: "calm_bull", marketDrift: 0.16, marketVol: 0.10, idioVolMultiplier: 0.9, momentumDrift: 0.06,
            persistence: 0.985),
        Regime(
            id: 1, label: "choppy", marketDrift: 0.02, marketVol: 0.16, idioVolMultiplier: 1.0, momentumDrift: 0.0,
            persistence: 0.975),
        Regime(
            id: 2, label: "bear", marketDrift: -0.18, marketVol: 0.24, idioVolMultiplier: 1.2, momentumDrift: 0.02,
            persistence: 0.97),
        Regime(
            id: 3, label: "crisis", marketDrift: -0.60, marketVol: 0.50, idioVolMultiplier: 1.5, momentumDrift: -0.30,
            persistence: 0.93),
    ]
    /// Where a regime goes when it leaves (rows: from, columns: to; diagonal unused).
    static let exits: [[Double]] = [
        [0, 0.70, 0.25, 0.05],
        [0.60, 0, 0.32, 0.08],
        [0.35, 0.40, 0, 0.25],
        [0.10, 0.30, 0.60, 0],
    ]

    public static let sectors: [(name: String, industries: [String], cyclical: Bool)] = [
        ("Information Technology", ["Software", "Semiconductors", "Hardware"], true),
        ("Health Care", ["Pharmaceuticals", "Biotechnology", "Health Care Equipment"], false),
        ("Financials", ["Banks", "Insurance", "Capital Markets"], true),
        ("Consumer Discretionary", ["Retail", "Automobiles", "Hotels & Leisure"], true),
        ("Communication Services", ["Media", "Telecom Services", "Interactive Media"], false),
        ("Industrials", ["Aerospace & Defense", "Machinery", "Transportation"], true),
        ("Consumer Staples", ["Food Products", "Beverages", "Household Products"], false),
        ("Energy", ["Oil & Gas", "Energy Equipment"], true),
        ("Utilities", ["Electric Utilities", "Gas Utilities"], false),
        ("Real Estate", ["REITs", "Real Estate Services"], true),
        ("Materials", ["Chemicals", "Metals & Mining"], true),
    ]

    public static let benchmarkTicker = "MKT"
    public static let universeID = "synth-top100-dollar-volume"
    static let riskFreeAnnual = 0.02
    static let factorNames = ["mkt_rf", "smb", "hml", "mom"]

    public let parameters: Parameters
    public init(_ parameters: Parameters) { self.parameters = parameters }

    struct Asset {
        var ticker: String
        var sector: Int
        var industry: Int
        var betas: [Double]  // mkt, smb, hml, mom
        var sectorBeta: Double
        var alphaDaily: Double
        var idioVol: Double  // daily
        var listDay: Int
        var delistDay: Int  // exclusive
        var dividendYield: Double
        var dividendOffset: Int
        var baseVolume: Double
        var shares: Double
        var bookToMarket: Double
    }

    /// Validates the parameters and builds the calendar.
    public func calendar() throws -> TradingCalendar {
        let p = parameters
        guard p.assets >= 1, p.assets <= 20_000 else {
            throw HindsightError(
                .invalidArgument, "--assets \(p.assets) is out of range", cause: "use 1 to 20000 assets")
        }
        guard p.start < p.end else {
            throw HindsightError(.invalidArgument, "--start \(p.start) must be before --end \(p.end)")
        }
        guard p.calendar != .data else {
            throw HindsightError(
                .invalidArgument, "the synthetic market needs a rule calendar", cause: "use --calendar NYSE or weekdays"
            )
        }
        let cal = try p.calendar.calendar(from: p.start, to: p.end)
        guard cal.count >= 30 else {
            throw HindsightError(
                .invalidArgument, "\(p.start) to \(p.end) has only \(cal.count) sessions",
                cause: "use a span of at least 30 sessions")
        }
        return cal
    }

    /// Generates the whole dataset.
    public func generate() throws -> MarketDataset {
        let cal = try calendar()
        let p = parameters
        var rng = Xoshiro256StarStar(seed: p.seed)
        let nD = cal.count
        let sqrt252 = 252.0.squareRoot()
        var data = MarketDataset()

        // Regimes.
        var regimeOf = [Int](repeating: 0, count: nD)
        var state = 1
        for d in 0..<nD {
            if d > 0, rng.uniform() >= SyntheticMarket.regimes[state].persistence {
                let u = rng.uniform()
                var acc = 0.0
                for (j, w) in SyntheticMarket.exits[state].enumerated() where j != state {
                    acc += w
                    if u < acc {
                        state = j
                        break
                    }
                }
            }
            regimeOf[d] = state
            data.regimes.append(
                RegimeRecord(date: cal.day(at: d), regimeID: state, label: SyntheticMarket.regimes[state].label))
        }

        // Factor returns (daily, fractions). mkt_rf is the market excess return.
        let rf = SyntheticMarket.riskFreeAnnual / 252
        let nF = SyntheticMarket.factorNames.count
        let nS = SyntheticMarket.sectors.count
        var factor = [Double](repeating: 0, count: nD * nF)
        var sectorRet = [Double](repeating: 0, count: nD * nS)
        for d in 0..<nD {
            let r = SyntheticMarket.regimes[regimeOf[d]]
            factor[d * nF + 0] = r.marketDrift / 252 + r.marketVol / sqrt252 * rng.studentT(dof: 5)
            factor[d * nF + 1] = 0.01 / 252 + 0.07 * r.idioVolMultiplier / sqrt252 * rng.normal()
            factor[d * nF + 2] = 0.02 / 252 + 0.07 * r.idioVolMultiplier / sqrt252 * rng.normal()
            factor[d * nF + 3] = r.momentumDrift / 252 + 0.09 * r.idioVolMultiplier / sqrt252 * rng.normal()
            for s in 0..<nS { sectorRet[d * nS + s] = 0.08 * r.idioVolMultiplier / sqrt252 * rng.normal() }
            for (f, name) in SyntheticMarket.factorNames.enumerated() {
                data.factorReturns.append(FactorReturn(date: cal.day(at: d), factor: name, value: factor[d * nF + f]))
            }
            data.factorReturns.append(FactorReturn(date: cal.day(at: d), factor: "rf", value: rf))
        }

        // Assets: the benchmark first, then companies.
        var assets: [Asset] = []
        var used = Set<String>([SyntheticMarket.benchmarkTicker])
        assets.append(
            Asset(
                ticker: SyntheticMarket.benchmarkTicker, sector: -1, industry: -1, betas: [1, 0, 0, 0], sectorBeta: 0,
                alphaDaily: 0, idioVol: 0, listDay: 0, delistDay: nD, dividendYield: 0.018, dividendOffset: 10,
                baseVolume: 8e7, shares: 1e9, bookToMarket: 0.35))
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for i in 0..<(p.assets - 1) {
            var ticker = ""
            repeat {
                let len = 3 + rng.int(below: 2)
                ticker = String((0..<len).map { _ in letters[rng.int(below: 26)] })
            } while used.contains(ticker)
            used.insert(ticker)
            let sector = i % nS
            let industry = rng.int(below: SyntheticMarket.sectors[sector].industries.count)
            let sizeDraw = rng.uniform()  // 0 = large, 1 = small
            let beta = min(2.0, max(0.3, 1 + 0.3 * rng.normal()))
            let smb = -0.3 + 1.1 * sizeDraw + 0.15 * rng.normal()
            let hml = 0.45 * rng.normal()
            let mom = 0.3 * rng.normal()
            let lateListing = i >= 10 && rng.uniform() < 0.2
            let listDay = lateListing ? 1 + rng.int(below: max(1, nD * 4 / 5)) : 0
            var delistDay = nD
            if i >= 10 && rng.uniform() < 0.12 {
                let earliest = listDay + min(252, nD / 4)
                if earliest < nD - 1 { delistDay = earliest + rng.int(below: nD - 1 - earliest) + 1 }
            }
            let payer = rng.uniform() < 0.35 + 0.4 * (1 - sizeDraw)
            assets.append(
                Asset(
                    ticker: ticker, sector: sector, industry: industry, betas: [beta, smb, hml, mom],
                    sectorBeta: 0.6 + 0.6 * rng.uniform(), alphaDaily: 0.02 * rng.normal() / 252,
                    idioVol: (0.15 + 0.30 * sizeDraw + 0.05 * rng.uniform()) / sqrt252,
                    listDay: listDay, delistDay: delistDay,
                    dividendYield: payer ? 0.005 + 0.035 * rng.uniform() : 0, dividendOffset: rng.int(below: 63),
                    baseVolume: 2e5 + 2e7 * (1 - sizeDraw) * (1 - sizeDraw) * rng.uniform() + 1e5 * rng.uniform(),
                    shares: 5e7 + 2e9 * (1 - sizeDraw) * (1 - sizeDraw),
                    bookToMarket: max(0.05, 0.5 + 0.35 * hml + 0.1 * rng.normal())))
        }

        // Prices, corporate actions, dollar volume for the universe rule.
        let nA = assets.count
        var rows = PriceRows()
        rows.tickers = assets.map(\.ticker)
        rows.reserve(nA * nD)
        var dollarVolume = [Double](repeating: 0, count: nA * nD)
        var closeAt = [Double](repeating: .nan, count: nA * nD)
        for (a, asset) in assets.enumerated() {
            var close = 10 + 90 * rng.uniform()
            if a == 0 { close = 100 }
            var splitFactor = 1.0
            for d in asset.listDay..<asset.delistDay {
                let reg = SyntheticMarket.regimes[regimeOf[d]]
                var r = rf + asset.alphaDaily
                for f in 0..<nF { r += asset.betas[f] * factor[d * nF + f] }
                if asset.sector >= 0 {
                    r += asset.sectorBeta * sectorRet[d * nS + asset.sector]
                    r += asset.idioVol * reg.idioVolMultiplier * rng.studentT(dof: 4)
                    if rng.uniform() < 0.002 { r += -0.02 + 0.08 * rng.normal() }
                }
                r = max(r, -0.85)
                let day = cal.day(at: d)
                if d == asset.listDay {
                    r = 0  // the first bar sets the level
                }
                // Split: a high raw price splits 2:1 (or 3:1) with small daily probability.
                var ratio = 1.0
                if d > asset.listDay, close > 250, rng.uniform() < 0.03 { ratio = close > 600 ? 3 : 2 }
                if ratio != 1 {
                    splitFactor *= ratio
                    data.corporateActions.append(
                        CorporateAction(ticker: asset.ticker, date: day, kind: .split, value: ratio))
                }
                let prevClose = close / ratio
                var dividend = 0.0
                if asset.dividendYield > 0, d > asset.listDay, (d + asset.dividendOffset) % 63 == 0 {
                    dividend = SyntheticMarket.round(prevClose * asset.dividendYield / 4, to: 100)
                    if dividend > 0 {
                        data.corporateActions.append(
                            CorporateAction(ticker: asset.ticker, date: day, kind: .dividend, value: dividend))
                    }
                }
                // Total return r: (close + dividend) / prevClose = 1 + r.
                var newClose = prevClose * (1 + r) - dividend
                newClose = max(SyntheticMarket.round(newClose, to: 10_000), 0.01)
                let dailyVol = max(asset.idioVol, 0.004) * reg.idioVolMultiplier + reg.marketVol / sqrt252
                let gap = (0.35 * rng.uniform()) * (newClose - prevClose) + prevClose * dailyVol * 0.25 * rng.normal()
                var open = d == asset.listDay ? newClose : max(0.01, prevClose + gap)
                open = SyntheticMarket.round(open, to: 10_000)
                let hi = SyntheticMarket.round(
                    max(open, newClose) * (1 + abs(rng.normal()) * dailyVol * 0.6), to: 10_000)
                let lo = max(
                    0.01,
                    SyntheticMarket.round(min(open, newClose) * (1 - abs(rng.normal()) * dailyVol * 0.6), to: 10_000))
                let activity = 1 + 6 * abs(r) / max(dailyVol, 1e-6) * 0.25
                let volume =
                    (asset.baseVolume * activity * reg.idioVolMultiplier * (0.75 + 0.5 * rng.uniform()) * splitFactor)
                    .rounded()
                rows.tickerIndex.append(Int32(a))
                rows.dates.append(day)
                rows.open.append(open)
                rows.high.append(max(hi, open, newClose))
                rows.low.append(min(lo, open, newClose))
                rows.close.append(newClose)
                rows.volume.append(volume)
                dollarVolume[a * nD + d] = newClose * volume
                closeAt[a * nD + d] = newClose
                close = newClose
            }
        }
        data.prices = rows
        data.companyProfiles = companyProfiles(assets, cal: cal, closeAt: closeAt, nD: nD)
        data.sectorProfiles = sectorProfiles(cal: cal)
        data.universes = universes(assets, cal: cal, dollarVolume: dollarVolume, closeAt: closeAt)
        data.metadata = [
            ("source", "synthetic"), ("synth.assets", String(p.assets)), ("synth.start", p.start.iso),
            ("synth.end", p.end.iso),
            ("synth.seed", String(p.seed)), ("synth.calendar", p.calendar.rawValue),
            ("benchmark", SyntheticMarket.benchmarkTicker),
        ]
        return data
    }

    static func round(_ x: Double, to scale: Double) -> Double { (x * scale).rounded() / scale }

    /// Profiles versioned at listing and at each year start when the size bucket (by market cap tercile) changes.
    func companyProfiles(_ assets: [Asset], cal: TradingCalendar, closeAt: [Double], nD: Int) -> [CompanyProfile] {
        var out: [CompanyProfile] = []
        var yearStarts: [Int] = []
        for d in 1..<nD where cal.day(at: d).year != cal.day(at: d - 1).year { yearStarts.append(d) }
        var bucketAt: [[String]] = Array(repeating: [], count: assets.count)
        for checkpoint in [0] + yearStarts {
            var caps: [(Double, Int)] = []
            for (a, asset) in assets.enumerated() {
                let lastSeen = (0...checkpoint).reversed().first { closeAt[a * nD + $0].isFinite }
                let cap = lastSeen.map { closeAt[a * nD + $0] * asset.shares } ?? asset.shares * 50
                caps.append((cap, a))
            }
            caps.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            for (rank, (_, a)) in caps.enumerated() {
                let b = rank < caps.count / 3 ? "large" : (rank < 2 * caps.count / 3 ? "mid" : "small")
                bucketAt[a].append(b)
            }
        }
        let checkpoints = [0] + yearStarts
        for (a, asset) in assets.enumerated() {
            let sector = asset.sector >= 0 ? SyntheticMarket.sectors[asset.sector].name : "Index"
            let industry =
                asset.sector >= 0 ? SyntheticMarket.sectors[asset.sector].industries[asset.industry] : "Index Fund"
            var version = 0
            var lastBucket = ""
            for (k, d) in checkpoints.enumerated() {
                let from = max(d, asset.listDay)
                if from >= asset.delistDay { break }
                if k + 1 < checkpoints.count, checkpoints[k + 1] <= asset.listDay { continue }
                let bucket = bucketAt[a][k]
                if bucket == lastBucket { continue }
                lastBucket = bucket
                version += 1
                let fields = JSONText.object([
                    ("alpha_daily", JSONText.number(asset.alphaDaily)),
                    ("beta_mkt", JSONText.number(asset.betas[0])), ("beta_smb", JSONText.number(asset.betas[1])),
                    ("beta_hml", JSONText.number(asset.betas[2])), ("beta_mom", JSONText.number(asset.betas[3])),
                    ("beta_sector", JSONText.number(asset.sectorBeta)),
                    ("idio_vol_daily", JSONText.number(asset.idioVol)),
                    ("book_to_market", JSONText.number(SyntheticMarket.round(asset.bookToMarket, to: 10_000))),
                    ("dividend_yield", JSONText.number(SyntheticMarket.round(asset.dividendYield, to: 1_000_000))),
                    ("shares_outstanding", JSONText.number(asset.shares.rounded())),
                    ("size_bucket", JSONText.quote(bucket)),
                    ("listed", JSONText.quote(cal.day(at: asset.listDay).iso)),
                    ("kind", JSONText.quote(a == 0 ? "etf" : "stock")),
                ])
                out.append(
                    CompanyProfile(
                        ticker: asset.ticker, validFrom: cal.day(at: from),
                        profileVersionID: "\(asset.ticker)-v\(version)",
                        sector: sector, industry: industry, fieldsJSON: fields))
            }
        }
        return out
    }

    func sectorProfiles(cal: TradingCalendar) -> [SectorProfile] {
        var out: [SectorProfile] = []
        let mid = cal.day(at: cal.count / 2)
        for (s, sector) in SyntheticMarket.sectors.enumerated() {
            for (v, from) in [cal.day(at: 0), mid].enumerated() {
                let fields = JSONText.object([
                    ("cyclical", sector.cyclical ? "true" : "false"),
                    ("industries", "[" + sector.industries.map(JSONText.quote).joined(separator: ",") + "]"),
                    ("factor_vol_annual", JSONText.number(0.08)),
                    (
                        "outlook",
                        JSONText.quote(
                            v == 0 ? "neutral" : (s % 3 == 0 ? "overweight" : (s % 3 == 1 ? "neutral" : "underweight")))
                    ),
                ])
                out.append(
                    SectorProfile(
                        sector: sector.name, validFrom: from, profileVersionID: "\(sector.name)-v\(v + 1)",
                        fieldsJSON: fields))
            }
        }
        return out
    }

    /// Monthly top-100 by trailing 63-session dollar volume, min price 5, at least 63 sessions of history; point in time.
    func universes(_ assets: [Asset], cal: TradingCalendar, dollarVolume: [Double], closeAt: [Double])
        -> [UniverseSnapshot]
    {
        let nD = cal.count, lookback = 63, size = 100
        let rule = JSONText.object([
            ("kind", JSONText.quote("top_dollar_volume")), ("size", "100"), ("lookback", "63"),
            ("min_price", "5"), ("min_history", "63"), ("rebalance", JSONText.quote("monthly")),
        ])
        var out: [UniverseSnapshot] = []
        guard nD > lookback else { return out }
        for d in lookback..<nD where cal.day(at: d).month != cal.day(at: d - 1).month {
            var ranked: [(Double, Int)] = []
            for a in 1..<assets.count {
                let asset = assets[a]
                // Known as of the close before the snapshot date: listed, not delisted, enough history.
                guard asset.listDay + lookback <= d, asset.delistDay >= d + 1 else { continue }
                let last = closeAt[a * nD + d - 1]
                guard last >= 5 else { continue }
                var sum = 0.0
                for k in (d - lookback)..<d { sum += dollarVolume[a * nD + k] }
                ranked.append((sum / Double(lookback), a))
            }
            ranked.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            let members = ranked.prefix(size).enumerated().map {
                UniverseSnapshot.Member(ticker: assets[$0.element.1].ticker, rank: $0.offset + 1)
            }
            out.append(
                UniverseSnapshot(
                    universeID: SyntheticMarket.universeID, asOf: cal.day(at: d), ruleJSON: rule, members: members))
        }
        return out
    }
}
