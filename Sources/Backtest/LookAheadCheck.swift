import Engine
import HindsightCore
import MarketData
import TimeMachine

/// Looks for look-ahead: the run is repeated on the data cut after several sessions, and every decision and fill
/// up to and including a cut's session must be identical to the full run's (a decision at a close may use that
/// close, never the next). A strategy, indicator, universe rule or regime model that
/// reads a later bar (a full-sample normalisation, a centred window, a shifted series) changes a decision here.
public enum LookAheadCheck {
    public struct Outcome: Sendable, Equatable {
        /// The sessions the data was cut at (each run sees nothing after its cut).
        public var cuts: [TradingDay]
        /// Decisions and fills compared up to the cuts, summed over the cuts.
        public var compared: Int
        /// The first decision or fill that differs, in words, or nil when all matched.
        public var firstDifference: String?
        public var passed: Bool { firstDifference == nil }
    }

    /// Cuts at 1/4, 1/2 and 3/4 of the run's sessions (fewer for a short run). `full`: the run on the whole data
    /// when it is already known (a sweep's top point). `cut` gives the inputs through a session
    /// (`inputs.truncated(throughSession:)`; a sweep shares them between the points it checks).
    public static func run(
        _ config: RunConfig, inputs: MarketInputs, cuts count: Int = 3, full known: BacktestResult? = nil,
        cut truncate: ((Int) throws -> MarketInputs)? = nil
    ) throws -> Outcome {
        let full = try known ?? RunPipeline(inputs: inputs, base: config).simulate(config)
        let cal = inputs.panel.calendar
        let cutDays = cutDays(full, count: count)
        var compared = 0
        for cut in cutDays {
            let partial = try truncate?(cut) ?? inputs.truncated(throughSession: cut)
            var c = config
            c.end = cal.day(at: cut)
            let r = try RunPipeline(inputs: partial, base: c).simulate(c)
            let through = Int32(cut)
            let wantDecisions = full.decisions.filter { $0.day <= through }
            let gotDecisions = r.decisions.filter { $0.day <= through }
            let wantFills = full.trades.filter { $0.day <= through }, gotFills = r.trades.filter { $0.day <= through }
            compared += wantDecisions.count + wantFills.count
            let cutText = "with the data cut after \(cal.day(at: cut))"
            if let d = firstDifference(
                wantDecisions, gotDecisions, describe: { describe($0, full: full, calendar: cal) })
            {
                return Outcome(
                    cuts: cutDays.map(cal.day), compared: compared, firstDifference: "decision \(d) \(cutText)")
            }
            if let d = firstDifference(wantFills, gotFills, describe: { describe($0, full: full, calendar: cal) }) {
                return Outcome(cuts: cutDays.map(cal.day), compared: compared, firstDifference: "fill \(d) \(cutText)")
            }
        }
        return Outcome(cuts: cutDays.map(cal.day), compared: compared, firstDifference: nil)
    }

    /// The sessions a run is cut at: 1/4, 1/2 and 3/4 of its sessions for `count` 3 (fewer for a short run).
    public static func cutDays(_ full: BacktestResult, count: Int = 3) -> [Int] {
        let n = full.dates.count
        return Array(Set((1...count).map { full.firstSession + n * $0 / (count + 1) }))
            .filter { $0 > full.firstSession && $0 < full.firstSession + n - 1 }.sorted()
    }

    /// Inputs cut through a session, built once for every check that asks for the same session (the sweep's top
    /// points share their cuts when they share their sessions: a 2,000-asset cut rebuilds the panel and technicals,
    /// 0.8 s of CPU).
    public final class SharedCuts: Sendable {
        let inputs: MarketInputs
        /// One slot a session: a slot's lock is held while its cut is built, so a second asker for the same session
        /// waits for it, while cuts at other sessions build beside it (one lock for all made the three points'
        /// checks build their cuts one after the other).
        private let slots = Locked<[Int: Locked<MarketInputs?>]>([:])

        public init(_ inputs: MarketInputs) { self.inputs = inputs }

        /// How many cuts were built.
        public var count: Int { slots.value.values.filter { $0.value != nil }.count }

        public func inputs(throughSession day: Int) throws -> MarketInputs {
            let slot = slots.withLock { s in
                if let slot = s[day] { return slot }
                let slot = Locked<MarketInputs?>(nil)
                s[day] = slot
                return slot
            }
            return try slot.withLock { cut in
                if let done = cut { return done }
                let built = try inputs.truncated(throughSession: day)
                cut = built
                return built
            }
        }
    }

    static func firstDifference<T: Equatable>(_ want: [T], _ got: [T], describe: (T) -> String) -> String? {
        for (a, b) in zip(want, got) where a != b { return "\(describe(a)) became \(describe(b))" }
        if want.count > got.count { return "\(describe(want[got.count])) is missing" }
        if got.count > want.count { return "\(describe(got[want.count])) appears" }
        return nil
    }

    static func describe(_ d: DecisionRecord, full: BacktestResult, calendar: TradingCalendar) -> String {
        "\(calendar.day(at: Int(d.day))) \(full.tickers[Int(d.asset)]) (score \(d.score), target weight \(d.targetWeight))"
    }

    static func describe(_ t: TradeRecord, full: BacktestResult, calendar: TradingCalendar) -> String {
        "\(calendar.day(at: Int(t.day))) \(full.tickers[Int(t.asset)]) (\(t.quantity) at \(t.price))"
    }
}
