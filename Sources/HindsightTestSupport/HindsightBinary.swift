import Foundation
import HindsightCore

/// Runs the built `hindsight` executable, as a user would.
public enum HindsightBinary {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static let path: String = {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["HINDSIGHT_BIN"] { candidates.append(env) }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0])
        candidates.append(argv0.deletingLastPathComponent().appendingPathComponent("hindsight").path)
        candidates.append(
            argv0.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("hindsight").path)
        candidates.append(TestPaths.repositoryRoot + "/.build/debug/hindsight")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    /// Runs with the given arguments and waits; output is captured.
    /// With `timeout`, a process still running after that many seconds is killed (and its status says so): a hang
    /// fails the test instead of stalling the suite.
    public static func run(_ arguments: [String], cwd: String? = nil, timeout: Double? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        if let timeout {
            let pid = p.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if p.isRunning { kill(pid, SIGKILL) } }
        }
        // Drain both pipes concurrently so a large output cannot block the child.
        let errData = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errData.withLock { $0 = data }
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}
