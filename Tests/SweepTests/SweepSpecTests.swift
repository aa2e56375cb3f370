import HindsightCore
import Sweep
import Testing
import YAMLConfig

/// Sweep files: parsing, errors with line and column, the constraint language and deterministic plans.
struct SweepSpecTests {
    static let base = """
        sweep: t
        base:
          name: t
          data: {synthetic: {assets: 5, start: 2015-01-02, end: 2016-12-30, seed: 3}}
          start: 2015-06-01
          end: 2016-12-30
          universe: {tickers: [MKT]}
          strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
          execution: {fill: close, commission: {model: bps, bps: 10}}
          benchmark: MKT

        """

    func spec(_ extra: String) throws -> SweepSpec {
        try SweepSpec.parse(try YAMLDocument.parse(Self.base + extra, file: "s.yaml"), file: "s.yaml")
    }

    func error(_ extra: String) -> String {
        do {
            _ = try SweepPlan(try spec(extra))
            return ""
        } catch { return "\(error)" }
    }

    @Test func gridRangeIsInclusiveAndConstraintsFilterPoints() throws {
        let plan = try SweepPlan(
            try spec(
                """
                grid:
                  strategy.params.fast: {range: [2, 10, 2]}
                  strategy.params.slow: [4, 8, 12]
                constraints: ["strategy.params.fast < strategy.params.slow"]
                """))
        // fast ∈ {2,4,6,8,10}, slow ∈ {4,8,12}: pairs with fast < slow are 3 + 2 + 1 + 1... counted by hand: slow 4 → 1, slow 8 → 3, slow 12 → 5.
        #expect(plan.points.count == 9)
        #expect(plan.excluded == 6)
        #expect(plan.points.allSatisfy { $0.number("strategy.params.fast")! < $0.number("strategy.params.slow")! })
    }

    @Test func zipMovesTogetherAndMultipliesTheGrid() throws {
        let plan = try SweepPlan(
            try spec(
                """
                grid: {execution.commission.bps: [0, 5]}
                zip:
                  strategy.params.fast: [5, 10, 20]
                  strategy.params.slow: [20, 50, 100]
                """))
        #expect(plan.points.count == 6)
        #expect(
            Set(plan.points.map { "\($0.text("strategy.params.fast"))/\($0.text("strategy.params.slow"))" }) == [
                "5/20", "10/50", "20/100",
            ])
    }

    @Test func randomSamplesAreDrawnFromTheSeedWithinTheirBounds() throws {
        let text =
            "random: {samples: 50, seed: 9, params: {strategy.params.fast: {int: [2, 30]}, execution.commission.bps: {uniform: [0, 20]}}}"
        let a = try SweepPlan(try spec(text)), b = try SweepPlan(try spec(text))
        #expect(a.points.map(\.id) == b.points.map(\.id))
        #expect(
            a.points.allSatisfy {
                (2...30).contains($0.number("strategy.params.fast")!)
                    && (0..<20).contains($0.number("execution.commission.bps")!)
            })
        let c = try SweepPlan(try spec(text.replacingOccurrences(of: "seed: 9", with: "seed: 10")))
        #expect(c.hash != a.hash)
    }

    @Test func theSameFileGivesTheSamePlanAndIDsAndAChangeChangesTheHash() throws {
        let text = "grid: {strategy.params.fast: [5, 10], strategy.params.slow: [50, 100]}"
        let a = try SweepPlan(try spec(text)), b = try SweepPlan(try spec(text))
        #expect(a.hash == b.hash && a.points.map(\.id) == b.points.map(\.id) && a.sweepID == b.sweepID)
        #expect(Set(a.points.map(\.id)).count == 4)
        #expect(a.points.allSatisfy { $0.id.hasPrefix("p") && $0.id.count == 17 })
        let c = try SweepPlan(try spec(text.replacingOccurrences(of: "100", with: "120")))
        #expect(c.hash != a.hash)
        // A point's id depends only on its parameters: the shared points keep theirs.
        #expect(Set(a.points.map(\.id)).intersection(c.points.map(\.id)).count == 2)
    }

    @Test func shardsPartitionThePlan() throws {
        let plan = try SweepPlan(
            try spec("grid: {strategy.params.fast: {range: [2, 20, 1]}, strategy.params.slow: [30, 60]}"))
        let shards = (1...3).map { plan.shard($0, of: 3) }
        #expect(shards.map(\.count).reduce(0, +) == plan.points.count)
        #expect(Set(shards.flatMap { $0.map(\.id) }).count == plan.points.count)
        #expect(shards.allSatisfy { abs($0.count - plan.points.count / 3) <= 1 })
    }

    @Test func moreThanAMillionPointsNeedForce() throws {
        let text = "grid: {strategy.params.fast: {range: [1, 1100, 1]}, strategy.params.slow: {range: [1, 1000, 1]}}"
        #expect(error(text).contains("above the 1,000,000 limit"))
        #expect(error(text).contains("--force"))
    }

    @Test func anUnknownTopLevelKeyNamesLineAndColumnAndSuggests() {
        let e = error("rnak_by: sharpe_ratio\n")
        #expect(e.contains("s.yaml:11:1"), "\(e)")
        #expect(e.contains("did you mean `rank_by`?"), "\(e)")
    }

    @Test func aSweptKeyUnknownToTheRunConfigIsRefusedWithASuggestion() {
        let e = error("grid: {strategy.params.fsat: [1, 2]}\n")
        #expect(e.contains("s.yaml:11:"), "\(e)")
        #expect(e.contains("fast"), "\(e)")
    }

    @Test func unequalZipListsAreRefused() {
        let e = error("zip: {strategy.params.fast: [1, 2], strategy.params.slow: [10, 20, 30]}\n")
        #expect(e.contains("zip lists must have equal lengths"), "\(e)")
        #expect(e.contains("s.yaml:11:"), "\(e)")
    }

    @Test func aConstraintNamingAnUnsweptParameterIsRefused() {
        let e = error("grid: {strategy.params.fast: [1, 2]}\nconstraints: [\"strategy.params.fats < 3\"]\n")
        #expect(e.contains("not a swept parameter"), "\(e)")
        #expect(e.contains("did you mean `strategy.params.fast`?"), "\(e)")
        #expect(e.contains("s.yaml:12:"), "\(e)")
    }

    @Test func malformedConstraintsAreParseErrorsNeverCode() {
        for bad in [
            "strategy.params.fast <", "strategy.params.fast < (3", "system(\\\"rm\\\")", "strategy.params.fast ; 1",
            "1 +* 2",
        ] {
            let e = error("grid: {strategy.params.fast: [1, 2]}\nconstraints: [\"\(bad)\"]\n")
            #expect(e.contains("s.yaml:12:"), "\(bad): \(e)")
        }
    }

    @Test func constraintsHonourPrecedenceAndLogic() throws {
        let node = ConfigNode.scalar("x", mark: ConfigMark(file: "c.yaml", line: 1, column: 1), path: "c")
        func holds(_ text: String, _ vars: [String: Double] = ["a": 2, "b": 3]) throws -> Bool {
            try ConstraintExpression(text, node: node).holds { vars[$0] }
        }
        #expect(try holds("a + b * 2 == 8"))
        #expect(try holds("(a + b) * 2 == 10"))
        #expect(try holds("a / b * 3 == 2"))
        #expect(try holds("a - b - 1 == -2"))
        #expect(try holds("not a > b and b >= 3"))
        #expect(try !holds("a > b or b < 3"))
        #expect(try holds("a < b and (b < 2 or a == 2)"))
        #expect(try holds("-a + 5 == b"))
        #expect(try !holds("a != 2"))
    }

    @Test func rankByMustNameAMetric() {
        let e = error("grid: {strategy.params.fast: [1, 2]}\nrank_by: sharpe_ration\n")
        #expect(e.contains("unknown metric `sharpe_ration`") && e.contains("did you mean `sharpe_ratio`?"), "\(e)")
        #expect(error("grid: {strategy.params.fast: [1, 2]}\nrank_by: -max_drawdown\n").isEmpty)
    }

    @Test func walkForwardDurationsAreCheckedAndNeedAReturnsMetric() throws {
        #expect(
            error("grid: {strategy.params.fast: [1, 2]}\nwalk_forward: {train: 3x, test: 1y}\n").contains(
                "is not a duration"))
        #expect(
            error("grid: {strategy.params.fast: [1, 2]}\nrank_by: trades\nwalk_forward: {train: 1y, test: 6m}\n")
                .contains("not one"))
        let s = try spec("grid: {strategy.params.fast: [1, 2]}\nwalk_forward: {train: 2y, test: 6m}\n")
        #expect(s.walkForward == SweepSpec.WalkForward(trainMonths: 24, testMonths: 6, stepMonths: 6))
    }

    @Test func walkForwardWindowsFollowTheCalendar() throws {
        // Every weekday of 2015-2017.
        var dates: [TradingDay] = []
        var d = TradingDay(year: 2015, month: 1, day: 1)!
        while d < TradingDay(year: 2018, month: 1, day: 1)! {
            if !d.isWeekend { dates.append(d) }
            d = d.adding(days: 1)
        }
        let w = WalkForwardAnalysis.windows(.init(trainMonths: 12, testMonths: 6, stepMonths: 6), dates: dates)
        // Train starts 2015-01, 2015-07, 2016-01, 2016-07: the fifth would test from 2018-01 (no data).
        #expect(w.count == 4)
        #expect(
            dates[w[0].trainStart].iso == "2015-01-01" && dates[w[0].testStart].iso == "2016-01-01"
                && dates[w[0].testEnd].iso == "2016-07-01")
        #expect(
            dates[w[3].trainStart].iso == "2016-07-01" && dates[w[3].testStart].iso == "2017-07-03"
                && w[3].testEnd == dates.count)
        #expect(TradingDay(year: 2016, month: 1, day: 31)!.adding(months: 1).iso == "2016-02-29")
        #expect(TradingDay(year: 2015, month: 11, day: 30)!.adding(months: 3).iso == "2016-02-29")
    }
}
