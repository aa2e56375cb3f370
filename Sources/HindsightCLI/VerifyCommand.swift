import Analytics
import ArgumentParser
import Backtest
import Foundation
import HindsightCore
import Storage

/// `hindsight verify RUN_ID --db DB`: re-runs a stored run and checks every stored number is reproduced bit for bit.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-run a stored run from its config and data; exit 0 when every stored number is identical.",
        discussion: """
            Compares the stored metrics JSON byte for byte, and the daily equity, trades and round trips when the
            run kept them. The data must have the fingerprint the run recorded. Exits 1 with the first difference.
            """)

    @Argument(help: "The run id (`backtest run` prints it; `sweep export --what metrics` lists a sweep's).")
    var runID: String
    @Option(help: "Results database holding the run.") var db: String
    @Option(help: "Market data to use instead of the config's data.db or data.csv (when it moved).")
    var data: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase.openExisting(path: db)
            let o = try RunVerifier.verify(runID: runID, store: store, dataPath: data)
            if json {
                print(
                    JSONValue.object([
                        ("run_id", .string(o.runID)), ("identical", .bool(o.isIdentical)),
                        ("compared", .array(o.compared.map { .string($0) })),
                        ("first_difference", o.firstDifference.map { .string($0) } ?? .null),
                    ]).render())
            } else if let d = o.firstDifference {
                print("run \(o.runID): DIFFERS")
                print("  first difference: \(d)")
                if !o.compared.isEmpty { print("  compared: \(o.compared.joined(separator: ", "))") }
            } else {
                print("run \(o.runID): identical (\(o.compared.joined(separator: ", ")))")
            }
            if !o.isIdentical { throw ExitCode(1) }
        }
    }
}
