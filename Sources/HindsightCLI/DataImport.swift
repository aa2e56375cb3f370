import ArgumentParser
import Foundation
import HindsightCore
import MarketData
import Storage

struct DataImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import CSV files (plain or .gz) into a database, in one transaction.",
        discussion: """
            KIND is one of: \(InputKind.allCases.map(\.rawValue).joined(separator: ", ")).
            Headers: \(InputKind.allCases.map { "\n  \($0.rawValue): \($0.expectedHeader)" }.joined())
            Strict by default: any bad row aborts the import and nothing is written.
            """)

    @Argument(help: "What the files hold.") var kind: String
    @Argument(help: "One or more CSV files (plain or gzip).") var files: [String]
    @Option(help: "Database file (created if missing).") var db: String
    @Option(help: "Force the price layout: long, stooq, yahoo or plain.") var format: String?
    @Option(help: "Ticker for per-ticker price files (default: from the file name).") var ticker: String?
    @Flag(help: "Import the valid rows and write the rejected ones to the rejects CSV.") var skipInvalid = false
    @Option(help: "Rejects CSV for --skip-invalid (default: next to the database).") var rejects: String?
    @Flag(help: "Overwrite rows whose key is already stored.") var replace = false
    @Flag(help: "Factor values are in percent (divide by 100).") var percent = false
    @Option(
        help:
            "Intraday only: the zone of timestamps written without an offset (America/New_York, UTC or e.g. -05:00)."
    )
    var timezone: String?

    func run() async throws {
        try await CLI.run {
            let start = ContinuousClock.now
            let k = try InputKind(parsing: kind)
            if format != nil && k != .prices {
                throw HindsightError(.invalidArgument, "--format applies to prices only")
            }
            if ticker != nil && k != .prices {
                throw HindsightError(.invalidArgument, "--ticker applies to prices only")
            }
            if percent && k != .factors { throw HindsightError(.invalidArgument, "--percent applies to factors only") }
            if timezone != nil && k != .intraday {
                throw HindsightError(.invalidArgument, "--timezone applies to intraday bars only")
            }
            if rejects != nil && !skipInvalid {
                throw HindsightError(.invalidArgument, "--rejects needs --skip-invalid")
            }
            if ticker != nil && files.count > 1 {
                throw HindsightError(
                    .invalidArgument, "--ticker names one ticker but \(files.count) files were given",
                    cause: "import per-ticker files one at a time, or let the file names give the tickers")
            }
            var dataset = MarketDataset()
            var intraday: IntradayRows?
            var rejected: [RejectedRow]
            var ignored: [(file: String, columns: [String])] = []
            if k == .intraday {
                var parser = IntradayFileParser(zone: try timezone.map(IntradayTimeZone.init) ?? .offsetRequired)
                for f in files { try parser.parse(file: f) }
                try parser.finish()
                intraday = parser.rows
                rejected = parser.sortedRejects
            } else if k == .prices {
                var parser = PriceFileParser(
                    format: try format.map(PriceFormat.init(parsing:)), ticker: ticker?.uppercased())
                for f in files { try parser.parse(file: f) }
                parser.rejectDuplicates()
                dataset = MarketDataset()
                dataset.prices = parser.rows
                rejected = parser.sortedRejects
                ignored = parser.ignoredColumns
            } else {
                var parser = InputFileParser(factorsInPercent: percent)
                for f in files { try parser.parse(kind: k, file: f) }
                parser.rejectDuplicates()
                dataset = parser.dataset
                rejected = parser.rejects.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
            }
            if !rejected.isEmpty && !skipInvalid {
                let shown = rejected.prefix(10).map { "  " + $0.message }.joined(separator: "\n")
                let more = rejected.count > 10 ? "\n  … and \(rejected.count - 10) more" : ""
                throw HindsightError(
                    .invalidData,
                    "\(rejected.count) invalid row\(rejected.count == 1 ? "" : "s"); nothing was imported:\n\(shown)\(more)",
                    cause:
                        "fix the rows, or pass --skip-invalid to import the valid rows and write the rejected ones to a CSV"
                )
            }
            let parsed = CLI.seconds(since: start)
            // The rejects file is written (beside its place) before anything is committed: if it cannot be
            // written, nothing is imported; it is moved into place once the import has committed.
            var rejectsPath: String?, rejectsTemp: String?
            if skipInvalid && !rejected.isEmpty {
                let path = rejects ?? DataImport.defaultRejectsPath(db: db, kind: k)
                try DataImport.checkRejectsPath(path, inputs: files, db: db)
                var text = DataImport.rejectsHeader
                for r in rejected {
                    text +=
                        [r.file, String(r.line), r.column, r.value, r.reason].map(csvField).joined(separator: ",")
                        + "\n"
                }
                let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: tmp)) } catch {
                    throw HindsightError(
                        .io, "\(path): cannot write the rejects file; nothing was imported",
                        cause: error.localizedDescription)
                }
                rejectsPath = path
                rejectsTemp = tmp
            }
            defer { if let rejectsTemp { try? FileManager.default.removeItem(atPath: rejectsTemp) } }
            let store = try HindsightDatabase(path: db)
            let summary =
                try intraday.map {
                    ImportSummary(rowsByTable: [
                        "equity_prices_intraday": try store.importIntraday($0, replace: replace)
                    ])
                }
                ?? store.importDataset(dataset, replace: replace)
            let elapsed = CLI.seconds(since: start)
            if let path = rejectsPath, let tmp = rejectsTemp {
                let fm = FileManager.default
                if fm.fileExists(atPath: path) { try? fm.removeItem(atPath: path) }
                // The rows are committed by now: if the rename fails, keep the written file and say where it is.
                if (try? fm.moveItem(atPath: tmp, toPath: path)) == nil {
                    rejectsPath = tmp
                    rejectsTemp = nil
                }
            }
            var lines: [String] = []
            let rows = summary.totalRows
            lines.append(
                "imported \(CLI.formatCount(rows)) rows (\(summary.rowsByTable.sorted { $0.key < $1.key }.map { "\($0.key): \(CLI.formatCount($0.value))" }.joined(separator: ", "))) into \(db)"
            )
            if let intraday, intraday.count > 0 {
                let lo = intraday.ts.min()!, hi = intraday.ts.max()!
                lines.append("tickers: \(intraday.tickers.count), bars: \(UTCTime.iso(lo)) .. \(UTCTime.iso(hi))")
            }
            if k == .prices, dataset.prices.count > 0 {
                let lo = dataset.prices.dates.min()!, hi = dataset.prices.dates.max()!
                lines.append("tickers: \(dataset.prices.tickers.count), dates: \(lo) .. \(hi)")
            }
            lines.append(
                String(
                    format: "time: %.2f s (read and check %.2f s, write %.2f s), %@ rows/s", elapsed, parsed,
                    elapsed - parsed,
                    CLI.formatCount(Int(Double(rows) / max(elapsed, 1e-9)))))
            for (file, columns) in ignored.prefix(5) {
                lines.append(
                    "ignored columns in \(file): \(columns.prefix(8).joined(separator: ", "))\(columns.count > 8 ? ", ..." : "")"
                )
            }
            if ignored.count > 5 { lines.append("ignored columns in \(ignored.count - 5) more files") }
            if let rejectsPath {
                lines.append("rejected: \(CLI.formatCount(rejected.count)) rows, written to \(rejectsPath)")
            }
            print(lines.joined(separator: "\n"))
        }
    }

    static let rejectsHeader = "file,line,column,value,reason\n"

    /// The rejects file may replace only an earlier rejects file: never a folder, an input, the database or
    /// another file.
    static func checkRejectsPath(_ path: String, inputs: [String], db: String) throws {
        let fm = FileManager.default
        func same(_ a: String, _ b: String) -> Bool {
            URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
                == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
        }
        if let input = inputs.first(where: { same($0, path) }) {
            throw HindsightError(
                .invalidArgument, "--rejects \(path) is the input file \(input); nothing was imported",
                cause: "give the rejects a new file name")
        }
        if same(db, path) {
            throw HindsightError(
                .invalidArgument, "--rejects \(path) is the database; nothing was imported",
                cause: "give the rejects a new file name")
        }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { return }
        if isDir.boolValue {
            throw HindsightError(
                .invalidArgument, "--rejects \(path) is a folder; nothing was imported",
                cause: "give a file path, e.g. \(path)/rejects.csv")
        }
        let head = (FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: rejectsHeader.utf8.count) })
            .map { String(decoding: $0, as: UTF8.self) }
        if head != rejectsHeader {
            throw HindsightError(
                .invalidArgument,
                "--rejects \(path) exists and is not a rejects file Hindsight wrote; nothing was imported",
                cause: "give a new file name; Hindsight replaces only its own rejects files")
        }
    }

    static func defaultRejectsPath(db: String, kind: InputKind) -> String {
        let base = db.hasSuffix(".sqlite") ? String(db.dropLast(7)) : db
        return "\(base).\(kind.rawValue).rejects.csv"
    }
}

func csvField(_ s: String) -> String {
    if s.contains(",") || s.contains("\"") || s.contains("\n") {
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
}
