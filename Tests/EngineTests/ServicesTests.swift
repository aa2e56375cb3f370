import Analytics
import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Testing
import TimeMachine
import YAMLConfig

@testable import Services

/// The live contracts' backtest implementations: point-in-time lookups, universes, regimes, assessment, risk.
struct ServicesTests {
    static let synthetic = """
        data: {synthetic: {assets: 80, start: 2014-01-02, end: 2017-12-29, seed: 5}}
        start: 2015-01-02
        end: 2017-12-29
        strategy: {kind: equal_weight_buy_and_hold}
        """

    /// The synthetic panel cut at session `day` (everything after it removed).
    static func truncated(_ inputs: MarketInputs, at day: Int) throws -> MarketPanel {
        let p = inputs.panel
        var rows = PriceRows()
        rows.tickers = p.tickers
        for a in 0..<p.assetCount {
            for d in 0...day where p.valid[a * p.dayCount + d] {
                let k = a * p.dayCount + d
                rows.tickerIndex.append(Int32(a))
                rows.dates.append(p.calendar.day(at: d))
                rows.open.append(p.open[k])
                rows.high.append(p.high[k])
                rows.low.append(p.low[k])
                rows.close.append(p.close[k])
                rows.volume.append(p.volume[k])
            }
        }
        let cal = TradingCalendar(name: "cut", sessions: Array(p.calendar.sessions.prefix(day + 1)))
        return try MarketPanel(rows: rows, calendar: cal, tickers: p.tickers)
    }

    @Test func profileLookupsNeverSeeAFutureVersion() throws {
        let inputs = try TestMarket.inputs(closes: ["X": [Double](repeating: 10, count: 20)])
        let d = { (day: Int) in TradingDay(year: 2020, month: 1, day: day)! }
        let versions = [
            CompanyProfile(ticker: "X", validFrom: d(6), profileVersionID: "x1", sector: "Tech", industry: "a"),
            CompanyProfile(ticker: "X", validFrom: d(18), profileVersionID: "x2", sector: "Energy", industry: "b"),
        ]
        let s = BacktestProfileService(
            companies: versions, sectors: [SectorProfile(sector: "Tech", validFrom: d(10), profileVersionID: "t1")],
            panel: inputs.panel)
        #expect(s.companyProfile(ticker: "X", asOf: d(5)) == nil)
        #expect(s.companyProfile(ticker: "X", asOf: d(17))?.profileVersionID == "x1")
        #expect(s.companyProfile(ticker: "X", asOf: d(18))?.profileVersionID == "x2")
        #expect(s.sectorProfile(sector: "Tech", asOf: d(9)) == nil)
        #expect(s.sectorProfile(sector: "Tech", asOf: d(10))?.profileVersionID == "t1")
        // 2020-01-18 is a Saturday: version x2 takes effect on Monday the 20th (session 10).
        #expect(s.versionID(asset: 0, day: 9) == "x1")
        #expect(s.versionID(asset: 0, day: 10) == "x2")
        #expect(s.sectorName(s.sectorIndex(asset: 0, day: 9)) == "Tech")
    }

    @Test func ruleUniversesAreBuiltFromPastDataAndHoldOnlyListedNames() throws {
        let config = try TestConfig.parse(Self.synthetic)
        let inputs = try MarketInputs.load(for: config)
        let p = inputs.panel
        let rule = RunConfig.UniverseRule(size: 30, lookback: 21, minPrice: 5, minHistory: 60, rebalance: .monthly)
        let range = BacktestEngine.sessions(config, panel: p)
        let u = BacktestUniverseService(
            .rule(rule), panel: p, technicals: inputs.technicals, profiles: inputs.profiles, sessions: range,
            benchmark: config.benchmark)
        #expect(u.snapshotDays.count >= 30)
        var everyListed = true
        for (s, day) in u.snapshotDays.enumerated() {
            for a in u.snapshotMembers[s] {
                everyListed =
                    everyListed && p.valid[Int(a) * p.dayCount + day]
                    && inputs.technicals.history(asset: Int(a), day: day) >= 60
            }
        }
        #expect(everyListed)
        // Point in time: the snapshot on a day equals the one built when the data ended that day.
        for day in [u.snapshotDays[3], u.snapshotDays[17]] {
            let cut = try Self.truncated(inputs, at: day)
            let past = BacktestUniverseService.rank(
                rule, day: day, panel: cut, technicals: Technicals(panel: cut), profiles: inputs.profiles,
                excluded: u.excluded)
            #expect(past == u.members(rule, day: day))
        }
        // A delisting name drops out on its first session without a bar.
        var buffer: [Int32] = []
        for d in range {
            u.members(onDay: d, into: &buffer)
            #expect(buffer.allSatisfy { p.valid[Int($0) * p.dayCount + d] })
        }
        #expect(
            u.universe(on: p.calendar.day(at: u.snapshotDays[2] + 1))?.asOf == p.calendar.day(at: u.snapshotDays[2]))
    }

    @Test func theBuiltinRegimeClassifierUsesOnlyPastData() throws {
        let config = try TestConfig.parse(Self.synthetic)
        let inputs = try MarketInputs.load(for: config)
        let full = BacktestRegimeService(classifying: inputs.panel, settings: .init(), benchmark: "MKT")
        #expect(full.marketSeries == "MKT")
        #expect(Set(full.regimeOfDay).isSuperset(of: [1, 3]))
        #expect(full.regimeOfDay.prefix(199).allSatisfy { $0 == 0 })
        for day in [300, 610] {
            let cut = BacktestRegimeService(
                classifying: try Self.truncated(inputs, at: day), settings: .init(), benchmark: "MKT")
            #expect(Array(cut.regimeOfDay) == Array(full.regimeOfDay[0...day]))
        }
    }

    @Test func dataRegimesApplyFromTheirDateOnward() throws {
        let inputs = try TestMarket.inputs(closes: ["X": [Double](repeating: 10, count: 10)])
        let d = { (day: Int) in TradingDay(year: 2020, month: 1, day: day)! }
        let r = BacktestRegimeService(
            records: [
                RegimeRecord(date: d(7), regimeID: 2, label: "calm"),
                RegimeRecord(date: d(11), regimeID: 5, label: "storm"),
            ], panel: inputs.panel)
        #expect(r.regimeOfDay.map(Int.init) == [-1, 2, 2, 2, 2, 5, 5, 5, 5, 5])
        #expect(r.regime(on: d(13))?.label == "storm")
        #expect(r.regime(on: d(6)) == nil)
    }

    @Test func volTargetScalesTheBookToTheExAnteVolatilityOfTheTrailingCovariance() throws {
        let config = try TestConfig.parse(Self.synthetic)
        let inputs = try MarketInputs.load(for: config)
        var settings = RiskSettings()
        settings.topN = 10
        settings.volTarget = 0.05
        settings.volLookback = 63
        var risk = BacktestRiskManager(
            settings: settings, technicals: inputs.technicals, profiles: inputs.profiles, regimeLabels: [:])
        var engine = BacktestAssessmentEngine(
            settings: .init(model: .momentum(lookback: 126, skip: 5)), technicals: inputs.technicals,
            profiles: inputs.profiles, regimeLabels: [:])
        let day = 500
        let members = (0..<inputs.panel.assetCount).map(Int32.init).filter {
            inputs.panel.valid[Int($0) * inputs.panel.dayCount + day]
        }
        var decisions: [Decision] = [], shares: [Double] = [],
            weights = [Double](repeating: 0, count: inputs.panel.assetCount)
        engine.assess(day: day, members: members, regime: 0, into: &decisions, modelShare: &shares)
        risk.targets(day: day, decisions: decisions, regime: 0, into: &weights)
        let chosen = weights.indices.filter { weights[$0] != 0 }
        #expect(chosen.count == 10)
        // Independent check: wᵀΣw with Σ from BLAS dsyrk over the same 63 returns.
        let n = 63
        var x: [Double] = []
        for a in chosen {
            for i in 0..<n {
                let r = inputs.technicals.returns[a * inputs.panel.dayCount + day - n + 1 + i]
                x.append(r.isFinite ? r : 0)
            }
        }
        let cov = Metrics.covarianceMatrix(x, rows: n, columns: chosen.count)
        var v = 0.0
        for (i, a) in chosen.enumerated() {
            for (j, b) in chosen.enumerated() { v += weights[a] * cov[j * chosen.count + i] * weights[b] }
        }
        #expect(Tolerance.relativeError((v * 252).squareRoot(), 0.05) < 1e-9)
        // The ten best momentum scores were picked.
        let best = decisions.filter { $0.score.isFinite }.sorted { $0.score > $1.score }.prefix(10).map {
            Int($0.asset)
        }.sorted()
        #expect(best == chosen)
    }

    @Test func riskLimitsCapNamesAndSectors() throws {
        let closes = (0..<6).reduce(into: [String: [Double]]()) { d, i in
            d["N\(i)"] = (0..<40).map { 10 + Double($0) * Double(i + 1) * 0.01 }
        }
        let inputs = try TestMarket.inputs(
            closes: closes, sectors: ["N0": "A", "N1": "A", "N2": "A", "N3": "B", "N4": "B", "N5": "C"])
        var settings = RiskSettings()
        settings.topN = 4
        settings.maxWeight = 0.2
        settings.maxSectorWeight = 0.3
        var risk = BacktestRiskManager(
            settings: settings, technicals: inputs.technicals, profiles: inputs.profiles, regimeLabels: [:])
        let decisions = (0..<6).map {
            Decision(asset: Int32($0), direction: 1, score: Double($0), confidence: 1, profileVersion: 0)
        }
        var w = [Double](repeating: 0, count: 6)
        risk.targets(day: 30, decisions: decisions, regime: 0, into: &w)
        // Top 4 by score: N5 (C), N4, N3 (B), N2 (A); 0.25 each, clipped to 0.2; sector B (0.4) scaled to 0.3.
        #expect(w[0] == 0 && w[1] == 0)
        #expect(w[5] == 0.2 && w[2] == 0.2)
        #expect(abs(w[3] - 0.15) < 1e-15 && abs(w[4] - 0.15) < 1e-15)
    }

    @Test func aRunStoresItsUniverseSnapshotsAndTheClassifiedRegimes() throws {
        let inputs = try TestMarket.inputs(closes: [
            "X": (0..<30).map { 10 + 2 * Double($0) }, "Y": (0..<30).map { 50 - Double($0) },
        ])
        let (o, store) = try Kit.run(
            """
            data: {db: unused.sqlite}
            calendar: weekdays
            start: 2020-01-06
            end: 2020-03-01
            universe: {rule: {kind: top_dollar_volume, size: 1, lookback: 5, rebalance: monthly}}
            strategy: {kind: equal_weight_buy_and_hold}
            """, inputs: inputs)
        // Sessions run from January into February: two monthly snapshots of one member each.
        #expect(try store.count(table: "universe_snapshots") == 2)
        #expect(try store.count(table: "universe_members") == 2)
        #expect(o.result.universe.map { $0.members.map(\.ticker) } == [["Y"], ["X"]])
        // No regimes in the data: the built-in classification of every session is stored.
        let stored = try store.loadRegimes(source: "builtin")
        #expect(stored.count == o.result.dates.count)
        #expect(stored.allSatisfy { $0.label == "warmup" })
    }

    @Test func compositeScoresAreWeightedZScoresWithPerRegimeWeights() throws {
        let config = try TestConfig.parse(Self.synthetic)
        let inputs = try MarketInputs.load(for: config)
        let node = try YAMLDocument.parse(
            """
            model: composite
            components:
              - {model: momentum, lookback: 60, skip: 5, weight: 1}
              - {model: trend, window: 20, weight: 0}
            regime_weights: {stress: [0, 2]}
            """, file: "a.yaml")
        let settings = try AssessmentSettings.parse(node)
        var engine = BacktestAssessmentEngine(
            settings: settings, technicals: inputs.technicals, profiles: inputs.profiles, regimeLabels: [7: "stress"])
        let day = 400, p = inputs.panel
        let members = (0..<p.assetCount).map(Int32.init).filter { p.valid[Int($0) * p.dayCount + day] }
        var out: [Decision] = [], shares: [Double] = []
        func zscores(_ model: AssessmentModel) -> [Double] {
            let raw = members.map { model.score(inputs.technicals, asset: Int($0), day: day).score }
            let finite = raw.filter(\.isFinite)
            let mean = finite.reduce(0, +) / Double(finite.count)
            let sd = (finite.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finite.count - 1)).squareRoot()
            return raw.map { ($0 - mean) / sd }
        }
        engine.assess(day: day, members: members, regime: 0, into: &out, modelShare: &shares)
        let momentum = zscores(.momentum(lookback: 60, skip: 5))
        #expect(zip(out.map(\.score), momentum).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(shares.count == 2 * members.count && shares[0] == 1 && shares[1] == 0)
        engine.assess(day: day, members: members, regime: 7, into: &out, modelShare: &shares)
        let trend = zscores(.trend(window: 20))
        #expect(zip(out.map(\.score), trend).allSatisfy { abs($0 - 2 * $1) < 1e-9 })
        #expect(out.allSatisfy { $0.confidence >= 0 && $0.confidence <= 1 })
    }

    @Test func heapSortOrdersLikeTheStandardLibrary() {
        var rng = Xoshiro256StarStar(seed: 9)
        for n in [0, 1, 2, 7, 100, 513] {
            var a = (0..<n).map { _ in Int32(rng.int(below: 50)) }
            let expected = a.sorted()
            BacktestRiskManager.heapSort(&a) { $0 < $1 }
            #expect(a == expected)
        }
    }
}
