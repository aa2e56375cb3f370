import Foundation
import HindsightTestSupport
import Testing

/// The research walkthroughs in notebooks-md/: every fenced `sh` block runs, in order, on shrunken copies of the
/// example sweeps (fewer assets, dates and grid values), so the commands they show stay true.
struct NotebookTests {
    /// Per example: text replacements that shrink it (each must apply, so a changed example fails here loudly).
    static let shrink: [String: [(String, String)]] = [
        "quickstart.yaml": [
            ("assets: 50", "assets: 10"), ("2021-12-31", "2015-12-31"), ("{range: [5, 60, 5]}", "{range: [5, 30, 5]}"),
        ],
        "momentum-universe.yaml": [
            ("assets: 120", "assets: 30"), ("size: 60", "size: 20"), ("2021-12-31", "2015-12-31"),
            ("strategy.risk.top_n: [10, 20, 30]", "strategy.risk.top_n: [5, 10]"), ("[1.0, 0.5, 0.0]", "[1.0, 0.0]"),
        ],
        // The synthetic market depends on its date range (and the stock on it), so only the grid shrinks here.
        "overfitting-check.yaml": [
            ("{range: [2, 60, 1]}", "{range: [2, 40, 4]}"), ("{range: [10, 250, 5]}", "{range: [10, 250, 30]}"),
        ],
    ]

    static func blocks(_ markdown: String) -> [String] {
        var out: [String] = [], current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```sh" {
                current = []
            } else if current != nil, line.hasPrefix("```") {
                out.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return out
    }

    func workspace() throws -> String {
        let dir = TestPaths.makeTempDir("hindsight-notebooks")
        try FileManager.default.createDirectory(atPath: dir + "/sweeps/examples", withIntermediateDirectories: true)
        for (file, edits) in Self.shrink {
            var text = try String(
                contentsOfFile: TestPaths.repositoryRoot + "/sweeps/examples/" + file, encoding: .utf8)
            for (from, to) in edits {
                #expect(text.contains(from), "\(file) no longer contains `\(from)`: update NotebookTests.shrink")
                text = text.replacingOccurrences(of: from, with: to)
            }
            TestPaths.write(text, to: dir + "/sweeps/examples/" + file)
        }
        return dir
    }

    @Test(arguments: ["01-quickstart.md", "02-momentum-universe.md", "03-overfitting-check.md"])
    func everyShellBlockOfTheWalkthroughRuns(_ notebook: String) throws {
        let markdown = try String(
            contentsOfFile: TestPaths.repositoryRoot + "/notebooks-md/" + notebook, encoding: .utf8)
        let blocks = Self.blocks(markdown)
        #expect(blocks.count >= 2, "\(notebook) has no runnable blocks")
        let dir = try workspace()
        let binDir = (HindsightBinary.path as NSString).deletingLastPathComponent
        for block in blocks {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-euo", "pipefail", "-c", block]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = binDir + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            p.environment = env
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(notebook): block failed:\n\(block)\n\(text)")
        }
    }
}
