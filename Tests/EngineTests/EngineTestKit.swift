import Backtest
import Engine
import Foundation
import HindsightCore
import HindsightTestSupport
import MarketData
import Services
import Storage
import TimeMachine
import YAMLConfig

/// Helpers shared by the engine tests.
enum Kit {
    /// Runs a config against in-memory inputs with an in-memory store.
    static func run(_ yaml: String, inputs: MarketInputs? = nil) throws -> (BacktestRunner.Outcome, HindsightDatabase) {
        let store = try HindsightDatabase()
        let o = try BacktestRunner(store: store).run(try TestConfig.parse(yaml), inputs: inputs)
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

    /// A per-point reference CSV (header, then one row per grid point), each row's fields and the `k=v;k=v`
    /// parameters of its column `paramsColumn`.
    static func pointFixture(_ name: String, paramsColumn: Int) throws -> (
        header: [String], rows: [(fields: [String], params: [String: String])]
    ) {
        let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: "csv")!
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let rows = lines.dropFirst().map { line -> (fields: [String], params: [String: String]) in
            let f = line.split(separator: ",").map(String.init)
            var p: [String: String] = [:]
            for kv in f[paramsColumn].split(separator: ";") {
                let parts = kv.split(separator: "=").map(String.init)
                p[parts[0]] = parts[1]
            }
            return (f, p)
        }
        return (lines[0].split(separator: ",").map(String.init), rows)
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
        _ = FileManager.default.createFile(atPath: db + ".done", contents: nil)
        return db
    }
    static let lock = NSLock()

    /// The market panel a config reads (loaded once per database path).
    static func panel(_ yaml: String, db: String) throws -> MarketPanel {
        lock.lock()
        defer { lock.unlock() }
        if let p = panels[db] { return p }
        let p = try MarketInputs.load(for: try TestConfig.parse(yaml)).panel
        panels[db] = p
        return p
    }
    nonisolated(unsafe) static var panels: [String: MarketPanel] = [:]

}
