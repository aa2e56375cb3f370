import ArgumentParser
import Storage

struct DataInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create or migrate a database (safe to repeat).")
    @Option(help: "Database file.") var db: String

    func run() async throws {
        try await CLI.run {
            let store = try HindsightDatabase(path: db)
            print(
                "\(db): schema \(try store.appliedMigrations().joined(separator: ", ")); tables: \(try store.tableNames().count)"
            )
        }
    }
}
