import ArgumentParser
import Foundation
import HindsightCore
import Reports
import Storage
import Sweep

struct SweepMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge shard databases into one (same plan and data), then optionally write the report.")
    @Option(help: "The merged database to create.") var into: String
    @Argument(help: "Shard databases.") var shards: [String]
    @Option(help: "Write the report of each merged sweep under this folder.") var reportDir: String?

    func run() async throws {
        try await CLI.run {
            let s = try HindsightDatabase.merge(into: into, shards: shards)
            print(
                "merged \(shards.count) shards into \(into): \(s.runsCopied) runs, \(s.duplicatesSkipped) identical duplicates skipped"
            )
            var incomplete = false
            for id in s.sweeps {
                let missing = s.missing[id] ?? []
                print(
                    "sweep \(id): \(missing.isEmpty ? "complete" : "\(missing.count) points missing (first: \(missing.prefix(5).joined(separator: ", ")))")"
                )
                incomplete = incomplete || !missing.isEmpty
                if let dir = reportDir {
                    let store = try HindsightDatabase.openExisting(path: into)
                    let name = try store.loadSweep(id: id).name
                    try await ReportWriter(store: store, sweepID: id).write(to: dir + "/" + name, wallSeconds: nil)
                    print("report: \(dir)/\(name)/README.md")
                }
            }
            if incomplete { throw ExitCode(3) }
        }
    }
}

struct SweepSlurmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write (and optionally submit) a Slurm job array that runs a sweep in shards, plus a merge job.")
    @Argument(help: "The sweep file (YAML).") var sweep: String
    @Option(help: "Number of shards (array tasks).") var shards: Int
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Time limit per task, HH:MM:SS.") var time: String = "01:00:00"
    @Option(help: "Folder for the scripts, shard databases and logs.") var workDir: String = "slurm"
    @Option(help: "Where the merge job writes the report.") var reportDir: String = "reports"
    @Option(parsing: .unconditional, help: "Cores per task (the sweep's --jobs).") var cpus: Int = 2
    @Flag(help: "Submit with sbatch and print the job ids.") var submit = false

    func validate() throws {
        guard shards >= 1 else { throw ValidationError("--shards must be ≥ 1") }
        guard time.range(of: "^[0-9]+(-[0-9]+)?:?[0-9]{0,2}:?[0-9]{0,2}$", options: .regularExpression) != nil else {
            throw ValidationError("--time must look like HH:MM:SS, e.g. 02:00:00; got '\(time)'")
        }
        guard cpus >= 1 else { throw ValidationError("--cpus must be ≥ 1") }
    }

    func run() async throws {
        try await CLI.run {
            let plan = try SweepPlan(try SweepSpec.load(path: sweep))
            let fm = FileManager.default
            let cwd = fm.currentDirectoryPath
            func abs(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
            let dir = abs(workDir + "/" + plan.spec.name)
            try fm.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
            let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? abs(CommandLine.arguments[0])
            let part = partition.map { "#SBATCH --partition=\(SweepSlurmCommand.directive($0))\n" } ?? ""
            // Every path is quoted: a space or `$(...)` in a folder name must stay a name, never run.
            let q = SweepSlurmCommand.shellQuote, d = SweepSlurmCommand.directive
            let array = """
                #!/bin/bash
                #SBATCH --job-name=hs-\(plan.spec.name)
                #SBATCH --array=1-\(shards)
                #SBATCH --cpus-per-task=\(cpus)
                #SBATCH --time=\(time)
                #SBATCH --output=\(d(dir + "/logs/shard-%a.out"))
                \(part)# Plan \(plan.hash): \(plan.points.count) points in \(shards) shards. Re-submitting resumes each shard.
                set -euo pipefail
                cd \(q(cwd))
                exec \(q(exe)) sweep run \(q(abs(sweep))) --db \(q(dir + "/shard-"))"${SLURM_ARRAY_TASK_ID}.sqlite" --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" --jobs \(cpus) --resume --quiet --no-report

                """
            let shardList = (1...shards).map { q("\(dir)/shard-\($0).sqlite") }.joined(separator: " ")
            let merge = """
                #!/bin/bash
                #SBATCH --job-name=hs-\(plan.spec.name)-merge
                #SBATCH --time=\(time)
                #SBATCH --output=\(d(dir + "/logs/merge.out"))
                \(part)set -euo pipefail
                cd \(q(cwd))
                rm -f \(q(dir + "/merged.sqlite"))
                \(q(exe)) sweep merge --into \(q(dir + "/merged.sqlite")) \(shardList)
                # Every point is in: rank across shards, keep the top points' details, walk forward, write the report.
                exec \(q(exe)) sweep run \(q(abs(sweep))) --db \(q(dir + "/merged.sqlite")) --resume --quiet --report-dir \(q(abs(reportDir)))

                """
            try CLI.writeAtomically(array, to: dir + "/array.sbatch")
            try CLI.writeAtomically(merge, to: dir + "/merge.sbatch")
            print("wrote \(dir)/array.sbatch (\(shards) tasks) and \(dir)/merge.sbatch")
            guard submit else {
                print(
                    "submit with: jid=$(sbatch --parsable \(dir)/array.sbatch) && sbatch --dependency=afterok:$jid \(dir)/merge.sbatch"
                )
                return
            }
            let arrayID = try SweepSlurmCommand.sbatch([dir + "/array.sbatch"])
            let mergeID = try SweepSlurmCommand.sbatch(["--dependency=afterok:\(arrayID)", dir + "/merge.sbatch"])
            print("submitted array job \(arrayID) and merge job \(mergeID)")
            print("merged results: \(dir)/merged.sqlite; report: \(abs(reportDir))/\(plan.spec.name)/README.md")
        }
    }

    /// A word for bash, in single quotes (nothing inside is expanded).
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A value of an `#SBATCH` line, in double quotes (sbatch reads these lines itself, without a shell).
    static func directive(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

    static func sbatch(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch", "--parsable"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw HindsightError(
                .io, "cannot run sbatch", cause: "is Slurm installed and on PATH? \(error.localizedDescription)")
        }
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, let id = text.split(separator: ";").first, !id.isEmpty else {
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw HindsightError(
                .io, "sbatch failed (exit \(p.terminationStatus))",
                cause: e.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(id)
    }
}
