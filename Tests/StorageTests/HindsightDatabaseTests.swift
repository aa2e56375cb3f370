import Foundation
import GRDB
import HindsightCore
import HindsightTestSupport
import Testing

@testable import Storage

private func day(_ s: String) -> TradingDay { TradingDay(iso: s)! }

private func prices(_ items: [(String, String, Double)]) -> MarketDataset {
    var d = MarketDataset()
    var idx: [String: Int32] = [:]
    for (i, (t, dt, c)) in items.enumerated() {
        if idx[t] == nil {
            idx[t] = Int32(d.prices.tickers.count)
            d.prices.tickers.append(t)
        }
        d.prices.tickerIndex.append(idx[t]!)
        d.prices.dates.append(day(dt))
        d.prices.open.append(c)
        d.prices.high.append(c + 1)
        d.prices.low.append(c - 1)
        d.prices.close.append(c)
        d.prices.volume.append(100)
        d.prices.lines.append(Int32(i + 2))
        d.prices.sourceFile.append(0)
    }
    d.prices.files = ["in.csv"]
    return d
}

@Suite struct HindsightDatabaseTests {
    @Test func migrationCreatesEveryContractTable() throws {
        let db = try HindsightDatabase()
        let tables = Set(try db.tableNames())
        for t in HindsightDatabase.allTables { #expect(tables.contains(t), "missing \(t)") }
        #expect(
            try db.appliedMigrations() == [
                "v1-initial", "v2-sweep-results", "v3-lean-sweep-writes", "v4-one-metrics-set", "v5-round-trips",
                "v6-price-date-index", "v7-sweep-equity", "v8-scenarios", "v9-attribution", "v10-turnover",
                "v11-intraday",
            ])
    }

    @Test func openingTwiceIsHarmlessAndKeepsData() throws {
        let path = TestPaths.makeTempDir() + "/a.sqlite"
        try HindsightDatabase(path: path).importDataset(prices([("AAA", "2020-01-02", 10)]), replace: false)
        let again = try HindsightDatabase(path: path)
        #expect(try again.count(table: "equity_prices_daily") == 1)
    }

    @Test func aDatabaseFromANewerSchemaIsRefused() throws {
        let path = TestPaths.makeTempDir() + "/new.sqlite"
        _ = try HindsightDatabase(path: path)
        let q = try DatabaseQueue(path: path)
        try q.write { try $0.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99-from-the-future')") }
        do {
            _ = try HindsightDatabase(path: path)
            Issue.record("expected a refusal")
        } catch let e as HindsightError {
            #expect(e.code == .schemaTooNew)
            #expect(e.message.contains("newer"))
        }
    }

    @Test func aConflictingImportWritesNothingAndNamesTheRow() throws {
        let db = try HindsightDatabase()
        try db.importDataset(prices([("AAA", "2020-01-02", 10)]), replace: false)
        var batch = prices([("BBB", "2020-01-02", 5), ("AAA", "2020-01-02", 11)])
        batch.regimes = [RegimeRecord(date: day("2020-01-02"), regimeID: 1, label: "x")]
        do {
            try db.importDataset(batch, replace: false)
            Issue.record("expected a conflict")
        } catch let e as HindsightError {
            #expect(e.code == .duplicate)
            #expect(e.message.contains("in.csv:3"))
            #expect(e.cause?.contains("--replace") == true)
        }
        #expect(try db.count(table: "equity_prices_daily") == 1)
        #expect(try db.count(table: "regime_history") == 0)
        #expect(try db.loadPrices().close == [10])
    }

    @Test func replaceOverwritesStoredRows() throws {
        let db = try HindsightDatabase()
        try db.importDataset(prices([("AAA", "2020-01-02", 10)]), replace: false)
        try db.importDataset(prices([("AAA", "2020-01-02", 12), ("AAA", "2020-01-03", 13)]), replace: true)
        #expect(try db.loadPrices().close == [12, 13])
    }

    @Test func pricesRoundTripInTickerDateOrderWithFilters() throws {
        let db = try HindsightDatabase()
        try db.importDataset(
            prices([("BBB", "2020-01-03", 3), ("AAA", "2020-01-03", 2), ("AAA", "2020-01-02", 1)]), replace: false)
        let all = try db.loadPrices()
        #expect(all.tickers == ["AAA", "BBB"])
        #expect(all.close == [1, 2, 3])
        #expect(all.high == [2, 3, 4])
        let some = try db.loadPrices(tickers: ["BBB"], from: day("2020-01-03"), to: day("2020-01-03"))
        #expect(some.close == [3])
        #expect(try db.priceDates() == [day("2020-01-02"), day("2020-01-03")])
    }

    @Test func everyInputKindIsStoredAndReadBack() throws {
        let db = try HindsightDatabase()
        var d = MarketDataset()
        d.corporateActions = [CorporateAction(ticker: "AAA", date: day("2020-01-02"), kind: .split, value: 2)]
        d.regimes = [RegimeRecord(date: day("2020-01-02"), regimeID: 3, label: "crisis")]
        d.companyProfiles = [
            CompanyProfile(
                ticker: "AAA", validFrom: day("2020-01-01"), profileVersionID: "AAA-v1", sector: "Energy",
                industry: "Oil", fieldsJSON: "{\"x\":1}")
        ]
        d.sectorProfiles = [
            SectorProfile(sector: "Energy", validFrom: day("2020-01-01"), profileVersionID: "Energy-v1")
        ]
        d.universes = [
            UniverseSnapshot(
                universeID: "u", asOf: day("2020-01-02"), ruleJSON: "{}", members: [.init(ticker: "AAA", rank: 1)])
        ]
        d.factorReturns = [FactorReturn(date: day("2020-01-02"), factor: "mkt_rf", value: 0.01)]
        d.metadata = [("source", "test")]
        let s = try db.importDataset(d, replace: false)
        #expect(s.totalRows == 7)
        #expect(try db.loadCorporateActions() == d.corporateActions)
        #expect(try db.loadRegimes() == d.regimes)
        #expect(try db.loadCompanyProfiles() == d.companyProfiles)
        #expect(try db.loadFactorReturns() == d.factorReturns)
        #expect(try db.metadata() == ["source": "test"])
        #expect(try db.count(table: "universe_members") == 1)
    }

    @Test func wipeInputsReplacesTheWholeDataset() throws {
        let db = try HindsightDatabase()
        try db.importDataset(prices([("AAA", "2020-01-02", 10)]), replace: false)
        try db.importDataset(prices([("ZZZ", "2021-01-04", 1)]), replace: false, wipeInputs: true)
        #expect(try db.loadPrices().tickers == ["ZZZ"])
    }

    @Test func onlyInputDatabasesAreReadThroughAMemoryMap() throws {
        // Mapped pages count in a process's RSS: a report scanning a large sweep database must not map it.
        let path = TestPaths.makeTempDir() + "/mapped.sqlite"
        let store = try HindsightDatabase(path: path)
        try store.importDataset(prices([("AAA", "2020-01-02", 10)]), replace: false)
        let mapSize = { (db: HindsightDatabase) in try db.readWrapped { try Int.fetchOne($0, sql: "PRAGMA mmap_size") }
        }
        #expect(try mapSize(store) == 0)
        #expect(try mapSize(HindsightDatabase.openExisting(path: path, readOnly: true)) == 0)
        #expect(try mapSize(HindsightDatabase.openExisting(path: path, readOnly: true, mapped: true)) == 1 << 30)
    }
}
