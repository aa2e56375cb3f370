import HindsightCore
import Services

/// Assessment, then risk, then execution, on a rebalance schedule (daily, weekly, monthly or every N sessions).
/// On a rebalance session every held or targeted name gets a target-weight order, unless its weight would change
/// by less than `risk.rebalance_band` (exits to zero always go through).
public struct AssessmentRiskDailyRebalance: Strategy, StrategyPlugin {
    public static let kind = "assessment_risk_daily_rebal"
    public static let keys: [String] = ["assessment", "risk", "rebalance"]

    var assessment: BacktestAssessmentEngine
    var risk: BacktestRiskManager
    let schedule: RunConfig.Schedule
    let env: StrategyEnvironment
    let modelCount: Int
    var members: [Int32] = []
    var decisions: [Decision] = []
    var shares: [Double] = []
    var weights: [Double]
    var decisionOf: [Int32]

    struct Settings {
        var assessment: AssessmentSettings
        var risk: RiskSettings
        var schedule: RunConfig.Schedule
    }

    static func settings(_ strategy: ConfigNode) throws -> Settings {
        let m = try ConfigMap(strategy, allowed: ["kind"] + keys)
        let a = try AssessmentSettings.parse(try m.require("assessment", "{model: momentum, lookback: 252, skip: 21}"))
        let r = try RiskSettings.parse(m.node("risk"))
        let s = try m.node("rebalance").map(RunConfig.parseSchedule) ?? .daily
        return Settings(assessment: a, risk: r, schedule: s)
    }

    public static func validate(_ strategy: ConfigNode) throws { _ = try settings(strategy) }

    public static func make(_ env: StrategyEnvironment) throws -> StrategySetup {
        let s = try settings(env.config.strategy)
        let known = Set(env.regimes.knownLabels)
        for label in s.risk.regimeExposure.keys.sorted() where !known.contains(label) {
            let node = env.config.strategy.child("risk.regime_exposure") ?? env.config.strategy
            throw node.error(
                "regime '\(label)' never occurs in this run's regimes",
                hint: "known regimes: \(env.regimes.knownLabels.joined(separator: ", "))")
        }
        for label in s.assessment.regimeWeights.keys.sorted() where !known.contains(label) {
            let node = env.config.strategy.child("assessment.regime_weights") ?? env.config.strategy
            throw node.error(
                "regime '\(label)' never occurs in this run's regimes",
                hint: "known regimes: \(env.regimes.knownLabels.joined(separator: ", "))")
        }
        let n = env.panel.assetCount
        // Cross-sectional parts of an expression model rank within the universe on each session.
        var member: ((Int, Int32) -> Bool)?
        for model in s.assessment.components {
            if case .expression = model { member = env.universe.membership(sessions: env.sessions) }
        }
        let engine = BacktestAssessmentEngine(
            settings: s.assessment, technicals: env.technicals, profiles: env.profiles,
            regimeLabels: env.regimes.labels,
            member: member, cache: env.signalCache,
            universeKey: "\(env.universe.universeID)|\(env.sessions.lowerBound)..<\(env.sessions.upperBound)")
        let manager = BacktestRiskManager(
            settings: s.risk, technicals: env.technicals, profiles: env.profiles, regimeLabels: env.regimes.labels)
        var strategy = AssessmentRiskDailyRebalance(
            assessment: engine, risk: manager, schedule: s.schedule, env: env,
            modelCount: engine.modelNames.count,
            weights: [Double](repeating: 0, count: n),
            decisionOf: [Int32](repeating: -1, count: n))
        strategy.members.reserveCapacity(n)
        strategy.decisions.reserveCapacity(n)
        strategy.shares.reserveCapacity(n * engine.modelNames.count)
        let margin = !s.risk.longOnly || s.risk.grossLeverage > 1 || s.risk.regimeExposure.values.contains { $0 > 1 }
        return StrategySetup(strategy: strategy, modelNames: engine.modelNames, allowMargin: margin)
    }

    public mutating func onSession(_ view: SessionView, _ out: inout StrategyOutput) {
        let d = view.day
        guard schedule.isScheduled(day: d, start: env.sessions.lowerBound, calendar: env.panel.calendar) else { return }
        env.universe.members(onDay: d, into: &members)
        assessment.assess(day: d, members: members, regime: view.regime, into: &decisions, modelShare: &shares)
        risk.targets(day: d, decisions: decisions, regime: view.regime, into: &weights)
        for (i, x) in decisions.enumerated() {
            let a = Int(x.asset)
            decisionOf[a] = -1
            guard weights[a] != 0 || view.portfolio.shares[a] != 0 else { continue }
            out.decisions.append(
                DecisionRecord(
                    day: Int32(d), asset: x.asset, direction: x.direction, score: x.score, confidence: x.confidence,
                    targetWeight: weights[a], regime: Int32(view.regime), profileVersion: x.profileVersion,
                    unlimitedWeight: risk.unlimited[a]))
            decisionOf[a] = Int32(out.decisions.count - 1)
            for j in 0..<modelCount { out.modelShare[a * modelCount + j] = shares[i * modelCount + j] }
        }
        let equity = view.equity
        guard equity > 0 else { return }
        let nD = env.panel.dayCount
        for a in 0..<env.panel.assetCount {
            let held = view.portfolio.shares[a]
            let target = weights[a]
            guard target != 0 || held != 0 else { continue }
            // No bar today: no decision and no trade; the position is held and the engine records the gap.
            guard env.panel.valid[a * nD + d] else { continue }
            let price = view.portfolio.lastPrice[a]
            let current = held == 0 ? 0 : held * price / equity
            if target != 0, abs(target - current) < risk.settings.rebalanceBand { continue }
            if target == current { continue }
            // A held name that left the universe has no decision and is exited.
            let decision = decisionOf[a]
            out.orders.append(
                Order(
                    asset: Int32(a), kind: target == 0 ? .closeOut : .targetWeight(target), decision: decision,
                    decisionDay: Int32(d), decisionEquity: equity))
        }
        for x in decisions { decisionOf[Int(x.asset)] = -1 }
    }
}
