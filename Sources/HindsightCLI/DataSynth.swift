import ArgumentParser
import Foundation
import HindsightCore
import MarketData
import Storage
import TimeMachine

struct DataSynth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the built-in synthetic market into every input table (bit-identical for the same arguments).")

    @Option(help: "Database file (created if missing).") var db: String
    @Option(help: "Number of assets, including the benchmark MKT.") var assets: Int = 200
    @Option(help: "First date, YYYY-MM-DD.") var start: String = "2012-01-03"
    @Option(help: "Last date, YYYY-MM-DD.") var end: String = "2021-12-31"
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "NYSE or weekdays.") var calendar: String = "NYSE"
    @Flag(help: "Wipe the database's existing input tables first.") var replace = false
    @Option(
        help:
            "Also write the prices as one long CSV (date,ticker,open,high,low,close,volume; raw, without corporate actions) for other tools."
    )
    var exportPrices: String?
    @Option(
        help:
            "Also write intraday bars of this length (1m to 60m, e.g. 5m) for every daily bar, consistent with it (same open and close, high and low reached, volumes adding up)."
    )
    var intraday: String?

    func run() async throws {
        try await CLI.run {
            let clock = ContinuousClock.now
            let params = SyntheticMarket.Parameters(
                assets: assets, start: try CLI.day(start, option: "--start"), end: try CLI.day(end, option: "--end"),
                seed: seed, calendar: try CalendarKind(parsing: calendar))
            let market = SyntheticMarket(params)
            _ = try market.calendar()
            let store = try HindsightDatabase(path: db)
            if !replace, try store.count(table: "equity_prices_daily") > 0 {
                throw HindsightError(
                    .invalidArgument, "\(db) already holds market data",
                    cause: "pass --replace to wipe its input tables, or choose a new --db")
            }
            let minutes = try intraday.map(DataSynth.barMinutes)
            let data = try market.generate()
            let bars = minutes.map { SyntheticIntraday.bars(for: data.prices, minutes: $0, seed: seed) }
            let generated = CLI.seconds(since: clock)
            if let exportPrices { try DataSynth.writeCSV(data.prices, to: exportPrices) }
            let summary = try store.importDataset(data, replace: false, wipeInputs: replace, intraday: bars)
            let total = CLI.seconds(since: clock)
            print(DataSynth.describe(data, summary: summary, db: db))
            if let bars, let minutes {
                print("  intraday:          \(CLI.formatCount(bars.count)) bars of \(minutes) minutes")
            }
            print(String(format: "time: %.2f s (generate %.2f s, write %.2f s)", total, generated, total - generated))
        }
    }

    /// `5m`, `1h` or `15` as minutes, 1 to 60.
    static func barMinutes(_ text: String) throws -> Int {
        var t = text.lowercased()
        var scale = 1
        if t.hasSuffix("min") {
            t.removeLast(3)
        } else if t.hasSuffix("m") {
            t.removeLast()
        } else if t.hasSuffix("h") {
            t.removeLast()
            scale = 60
        }
        guard let v = Int(t), (1...60).contains(v * scale) else {
            throw HindsightError(
                .invalidArgument, "--intraday '\(text)' is not a bar length of 1 to 60 minutes",
                cause: "write it like 5m, 15m or 1h")
        }
        return v * scale
    }

    /// Writes the rows to a temporary file beside `path`, then renames it, so a failure leaves nothing half-written.
    static func writeCSV(_ p: PriceRows, to path: String) throws {
        let tmp = path + ".partial"
        guard FileManager.default.createFile(atPath: tmp, contents: nil), let handle = FileHandle(forWritingAtPath: tmp)
        else {
            throw HindsightError(.io, "cannot create \(path)", cause: "check that its folder exists and is writable")
        }
        do {
            var buffer = "date,ticker,open,high,low,close,volume\n"
            let iso = p.dates.map(\.iso)
            for i in 0..<p.count {
                buffer +=
                    "\(iso[i]),\(p.tickers[Int(p.tickerIndex[i])]),\(p.open[i]),\(p.high[i]),\(p.low[i]),\(p.close[i]),\(p.volume[i])\n"
                if buffer.utf8.count > 1 << 20 {
                    try handle.write(contentsOf: Data(buffer.utf8))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: Data(buffer.utf8))
            try handle.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw HindsightError(.io, "cannot write \(path)", cause: "\(error)")
        }
    }

    static func describe(_ data: MarketDataset, summary: ImportSummary, db: String) -> String {
        let p = data.prices
        var firstDay = [TradingDay](repeating: TradingDay(daysSinceEpoch: Int32.max), count: p.tickers.count)
        var lastDay = [TradingDay](repeating: TradingDay(daysSinceEpoch: Int32.min), count: p.tickers.count)
        for i in 0..<p.count {
            let t = Int(p.tickerIndex[i])
            firstDay[t] = min(firstDay[t], p.dates[i])
            lastDay[t] = max(lastDay[t], p.dates[i])
        }
        let lo = p.dates.min()!, hi = p.dates.max()!
        let ipos = firstDay.filter { $0 > lo }.count, delists = lastDay.filter { $0 < hi }.count
        var regimeDays: [String: Int] = [:]
        for r in data.regimes { regimeDays[r.label, default: 0] += 1 }
        let regimeText = SyntheticMarket.regimes.map { "\($0.label) \(regimeDays[$0.label] ?? 0)" }.joined(
            separator: ", ")
        var changes = 0
        for i in 1..<max(1, data.regimes.count) where data.regimes[i].regimeID != data.regimes[i - 1].regimeID {
            changes += 1
        }
        let splits = data.corporateActions.filter { $0.kind == .split }.count
        return """
            synthetic market written to \(db)
              assets:            \(p.tickers.count) (benchmark \(SyntheticMarket.benchmarkTicker); \(ipos) list during the sample, \(delists) delist)
              days:              \(Set(p.dates).count) sessions, \(lo) .. \(hi)
              price rows:        \(CLI.formatCount(p.count))
              regimes:           \(changes) changes; days per regime: \(regimeText)
              corporate actions: \(splits) splits, \(data.corporateActions.count - splits) dividends
              profiles:          \(data.companyProfiles.count) company profile versions, \(data.sectorProfiles.count) sector profile versions
              universe:          \(SyntheticMarket.universeID), \(data.universes.count) monthly snapshots
              factors:           \(CLI.formatCount(data.factorReturns.count)) rows (mkt_rf, smb, hml, mom, rf)
            """
    }
}
