import ArgumentParser
import Foundation
import HindsightCore

/// Shared CLI plumbing: user-facing errors go to stderr without stack traces, with a non-zero exit.
enum CLI {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as HindsightError {
            printError(e)
            throw ExitCode(1)
        }
    }

    static func printError(_ e: HindsightError) {
        // A message quoting a huge bad value must still read in a few lines.
        func cut(_ s: String) -> String {
            s.utf8.count <= 800 ? s : String(s.prefix(800)) + "… (\(s.utf8.count) bytes in all)"
        }
        var text = "error: \(cut(e.message))\n"
        if let cause = e.cause { text += "  hint: \(cut(cause))\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func day(_ text: String, option: String) throws -> TradingDay {
        guard let d = TradingDay(iso: text) else {
            throw HindsightError(
                .invalidArgument, "\(option) '\(text)' is not a date",
                cause: "write it as YYYY-MM-DD, for example 2015-01-02")
        }
        return d
    }

    /// Writes a file atomically: a temporary sibling, then a rename.
    static func writeAtomically(_ text: String, to path: String) throws {
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw HindsightError(.io, "\(path): cannot write the file", cause: "\(error.localizedDescription)")
        }
    }

    /// The median of timings already sorted ascending (the mean of the middle two for an even count).
    static func median(sorted t: [Double]) -> Double {
        t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func formatCount(_ n: Int) -> String { NumberText.grouped(n) }
}
