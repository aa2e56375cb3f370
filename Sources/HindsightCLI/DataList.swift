import Analytics
import ArgumentParser
import Foundation
import HindsightCore
import Storage

struct DataList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the tickers of a database: kind and sector (from the profiles), first and last date, rows.")

    @Option(help: "Database file.") var db: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await CLI.run {
            let list = try HindsightDatabase.openExisting(path: db).tickerSummaries()
            if json {
                print(
                    JSONValue.array(
                        list.map { t in
                            .object([
                                ("ticker", .string(t.ticker)), ("kind", t.kind.map { .string($0) } ?? .null),
                                ("sector", t.sector.map { .string($0) } ?? .null),
                                ("first", t.first.map { .string($0.iso) } ?? .null),
                                ("last", t.last.map { .string($0.iso) } ?? .null), ("rows", .integer(t.rows)),
                            ])
                        }
                    ).render())
                return
            }
            guard !list.isEmpty else {
                print("\(db): no tickers (import prices with `hindsight data import prices FILE --db \(db)`)")
                return
            }
            print(
                TextTable.render(
                    header: ["ticker", "kind", "sector", "first", "last", "rows"],
                    rows: list.map {
                        [
                            $0.ticker, $0.kind ?? "-", $0.sector ?? "-", $0.first?.iso ?? "-", $0.last?.iso ?? "-",
                            String($0.rows),
                        ]
                    }))
            let untradable = list.filter { ["etf", "index"].contains($0.kind?.lowercased() ?? "") }.count
            print(
                "\(list.count) tickers\(untradable > 0 ? "; \(untradable) of kind etf or index, which universe rules leave out" : "")"
            )
        }
    }
}

struct DataDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove one ticker's prices, corporate actions, profiles and universe memberships (one transaction).")

    @Argument(help: "The ticker to remove.") var ticker: String
    @Option(help: "Database file.") var db: String

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase.openExisting(path: db)
            let t = ticker.uppercased()
            let d = try store.deleteTicker(t)
            print(
                "deleted \(t) from \(db): "
                    + d.rowsByTable.sorted { $0.key < $1.key }.map { "\($1) \($0) rows" }.joined(separator: ", "))
            print("runs stored before this refer to the old data (their data fingerprint no longer matches)")
        }
    }
}
