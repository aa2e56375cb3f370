import Backtest
import Configuration
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Services
import Storage
import TimeMachine

/// Helpers shared by the engine tests.
enum Kit {
    static func config(_ yaml: String, file: String = "test.yaml") throws -> RunConfig {
        let root = try YAMLDocument.parse(yaml, file: file)
        let c = try RunConfig.parse(root, strategyKinds: StrategyRegistry.kinds)
        try StrategyRegistry.validate(c)
        return c
    }

    /// Runs a config against in-memory inputs with an in-memory store.
    static func run(_ yaml: String, inputs: MarketInputs? = nil) throws -> (BacktestRunner.Outcome, HindsightDatabase) {
        let store = try HindsightDatabase()
        let o = try BacktestRunner(store: store).run(try config(yaml), inputs: inputs)
        return (o, store)
    }

    /// A reference CSV (`date,col1,col2,...`) from the fixtures folder.
    static func fixture(_ name: String) throws -> (dates: [String], columns: [String: [Double]]) {
        let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        var dates: [String] = [], cols = [String: [Double]]()
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            dates.append(f[0])
            for (i, h) in header.enumerated().dropFirst() { cols[h, default: []].append(Double(f[i]) ?? .nan) }
        }
        return (dates, cols)
    }

    /// Imports shared-data files into a fresh database once per process and path.
    static func sharedDatabase(_ name: String, imports: [[String]]) throws -> String {
        let dir = NSTemporaryDirectory() + "hindsight-engine-shared-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = dir + "/" + name
        lock.lock()
        defer { lock.unlock() }
        if FileManager.default.fileExists(atPath: db + ".done") { return db }
        for args in imports {
            let r = try HindsightBinary.run(["data", "import"] + args + ["--db", db])
            precondition(r.status == 0, r.stderr)
        }
        FileManager.default.createFile(atPath: db + ".done", contents: nil)
        return db
    }
    nonisolated(unsafe) static let lock = NSLock()

    /// Inputs built from hand-made bars: one ticker per entry of `closes` (NaN = no bar), weekdays from 2020-01-06.
    static func inputs(
        closes: [String: [Double]], volume: Double = 1_000_000, actions: [CorporateAction] = [],
        sectors: [String: String] = [:], opens: [String: [Double]] = [:]
    ) throws -> MarketInputs {
        let start = TradingDay(year: 2020, month: 1, day: 6)!
        let n = closes.values.first!.count
        let calendar = TradingCalendar.weekdays(from: start, to: start.adding(days: n * 2))
        var rows = PriceRows()
        for (t, series) in closes.sorted(by: { $0.key < $1.key }) {
            rows.tickers.append(t)
            for (i, c) in series.enumerated() where c.isFinite {
                rows.tickerIndex.append(Int32(rows.tickers.count - 1))
                rows.dates.append(calendar.day(at: i))
                let o = opens[t]?[i] ?? c
                rows.open.append(o)
                rows.high.append(max(o, c) * 1.01)
                rows.low.append(min(o, c) * 0.99)
                rows.close.append(c)
                rows.volume.append(volume)
            }
        }
        let cal = TradingCalendar(name: "weekdays", sessions: Array(calendar.sessions.prefix(n)))
        let panel = try MarketPanel(rows: rows, actions: actions, calendar: cal)
        let profiles = sectors.map {
            CompanyProfile(
                ticker: $0.key, validFrom: start, profileVersionID: "\($0.key)-v1", sector: $0.value, industry: "x")
        }
        return MarketInputs(
            panel: panel, companies: profiles, sectors: [], regimes: [], factorReturns: [],
            sourceDescription: "test bars")
    }

    static func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }
}
