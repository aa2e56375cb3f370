import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import Storage
import Testing
import YAMLConfig

/// Config errors name the line and column and say how to fix them; invalid runs are recorded.
struct RunConfigTests {
    static let good = """
        name: t
        data: {synthetic: {assets: 30, start: 2015-01-02, end: 2016-12-30, seed: 1}}
        start: 2015-03-02
        end: 2016-12-30
        strategy:
          kind: assessment_risk_daily_rebal
          assessment: {model: trend, window: 50}
          risk: {top_n: 5, max_weight: 0.3}
        """

    static let sma = """
        data: {synthetic: {assets: 30, start: 2015-01-02, end: 2016-12-30, seed: 1}}
        start: 2015-03-02
        end: 2016-12-30
        strategy:
          kind: sma_crossover
          params: {fast: 30, slow: 10}
        """

    func error(_ yaml: String) -> HindsightError? {
        do {
            _ = try TestConfig.parse(yaml, file: "cfg.yaml")
            return nil
        } catch let e as HindsightError { return e } catch { return nil }
    }

    @Test func anUnknownKeyNamesItsLineAndColumnAndSuggestsTheKnownOne() throws {
        let e = try #require(error(Self.good.replacingOccurrences(of: "risk: {top_n", with: "rsik: {top_n")))
        #expect(e.message.hasPrefix("cfg.yaml:8:3: unknown key `strategy.rsik`"))
        #expect(e.cause?.contains("did you mean `risk`?") == true)
        let top = try #require(error(Self.good + "\nbenchmrk: SPY\n"))
        #expect(top.message.contains("cfg.yaml:9:1") && top.cause?.contains("`benchmark`") == true)
    }

    @Test func aCSVDataSourceTakesAnOptionalTickerAndExcludesTheOtherSources() throws {
        let c = try TestConfig.parse(
            Self.good.replacingOccurrences(
                of: "data: {synthetic: {assets: 30, start: 2015-01-02, end: 2016-12-30, seed: 1}}",
                with: "data: {csv: p.csv.gz, ticker: goog}"))
        #expect(c.data == .csv(path: "p.csv.gz", ticker: "GOOG"))
        let both = try #require(
            error(
                Self.good.replacingOccurrences(
                    of: "data: {synthetic: {assets: 30, start: 2015-01-02, end: 2016-12-30, seed: 1}}",
                    with: "data: {db: x.sqlite, csv: p.csv}")))
        #expect(both.message.contains("give one data source"))
        let stray = try #require(
            error(
                Self.good.replacingOccurrences(
                    of: "data: {synthetic: {assets: 30, start: 2015-01-02, end: 2016-12-30, seed: 1}}",
                    with: "data: {db: x.sqlite, ticker: X}")))
        #expect(stray.message.contains("`ticker` goes with `csv`"))
    }

    @Test func inconsistentSettingsFailBeforeAnyDataIsRead() throws {
        let cases: [(String, String, ErrorLocation)] = [
            (
                Self.good.replacingOccurrences(of: "max_weight: 0.3", with: "max_weight: 1.5"),
                "max_weight 1.5 is above gross_leverage 1.0", ErrorLocation(file: "cfg.yaml", line: 8, column: 32)
            ),
            (
                Self.good.replacingOccurrences(of: "start: 2015-03-02", with: "start: 2017-03-02"),
                "start 2017-03-02 is after end 2016-12-30", ErrorLocation(file: "cfg.yaml", line: 3, column: 8)
            ),
            (
                Self.good + "\nexecution: {commission: {model: bps, bps: -3}}\n", "bps must be ≥ 0",
                ErrorLocation(file: "cfg.yaml", line: 9, column: 43)
            ),
            (Self.sma, "fast (30) must be below slow (10)", ErrorLocation(file: "cfg.yaml", line: 6, column: 18)),
            (
                Self.good.replacingOccurrences(
                    of: "model: trend, window: 50", with: "model: momentum, lookback: 20, skip: 20"),
                "skip must be ≥ 0 and below lookback", ErrorLocation(file: "cfg.yaml", line: 7, column: 53)
            ),
            (
                Self.good.replacingOccurrences(
                    of: "kind: assessment_risk_daily_rebal", with: "kind: assesment_risk_daily_rebal"),
                "unknown strategy", ErrorLocation(file: "cfg.yaml", line: 6, column: 9)
            ),
            (
                Self.good + "\nexecution: {max_participation: 1.5}\n", "max_participation must be in (0, 1]",
                ErrorLocation(file: "cfg.yaml", line: 9, column: 32)
            ),
        ]
        for (yaml, message, place) in cases {
            let e = try #require(error(yaml), "expected an error mentioning \(message)")
            #expect(e.message.contains(message), "\(e.message)")
            #expect(e.message.hasPrefix("\(place): "), "\(e.message)")
            #expect(place.isNamed(in: e.message))
        }
        #expect(error(Self.good) == nil)
    }

    @Test func aYAMLSyntaxErrorNamesTheLine() throws {
        let e = try #require(error("name: x\nstrategy: {kind: sma_crossover\nstart: 2015-01-01\n"))
        #expect(e.message.contains("cfg.yaml:") && e.message.contains("YAML syntax error"))
    }

    @Test func anInvalidConfigIsRecordedWithStatusInvalidAndTheReason() throws {
        let store = try HindsightDatabase()
        let runner = BacktestRunner(store: store)
        let bad = try TestConfig.parse(
            Self.good.replacingOccurrences(of: "strategy:", with: "universe: {tickers: [NOPE]}\nstrategy:"))
        do {
            _ = try runner.run(bad)
            Issue.record("the run should be invalid")
        } catch let e as RunError {
            #expect(e.status == .invalid)
            #expect(e.message.contains("ticker NOPE is not in the data"))
            let stored = try store.loadRun(id: try #require(e.runID).rawValue)
            #expect(stored.run.status == .invalid)
            #expect(stored.run.error?.contains("NOPE") == true)
            #expect(stored.trades.isEmpty && stored.equity.isEmpty)
        }
    }

    @Test func aRuleThatCanNeverBeFilledIsInvalid() throws {
        let yaml = Self.good.replacingOccurrences(
            of: "strategy:", with: "universe: {rule: {kind: top_dollar_volume, size: 500}}\nstrategy:")
        #expect(throws: RunError.self) { try Kit.run(yaml) }
        do { _ = try Kit.run(yaml) } catch let e as RunError {
            #expect(e.message.contains("asks for 500 names but only 30"))
        }
    }

    @Test func theSameConfigAndDataGiveBitIdenticalResults() throws {
        let (a, sa) = try Kit.run(Self.good)
        let (b, sb) = try Kit.run(Self.good)
        #expect(a.result.equity == b.result.equity)
        #expect(a.metrics.render() == b.metrics.render())
        let ra = try sa.loadRun(id: a.runID.rawValue), rb = try sb.loadRun(id: b.runID.rawValue)
        #expect(ra.run.configHash == rb.run.configHash && ra.run.dataFingerprint == rb.run.dataFingerprint)
        #expect(ra.trades == rb.trades && ra.equity == rb.equity)
        #expect(a.runID != b.runID)
        #expect(ra.trades.count > 50 && ra.equity.count == a.result.dates.count)
    }

    @Test func dottedOverridesReplaceOneValue() throws {
        let root = try YAMLDocument.parse(Self.good, file: "cfg.yaml")
        let changed = root.setting(
            "strategy.risk.top_n", to: .scalar("7", mark: root.mark, path: "strategy.risk.top_n"))
        #expect(changed.child("strategy.risk.top_n")?.canonicalJSON == "7")
        #expect(changed.child("strategy.risk.max_weight")?.canonicalJSON == "0.3")
        #expect(root.canonicalJSON != changed.canonicalJSON)
    }
}
