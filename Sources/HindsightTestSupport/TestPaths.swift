import Foundation

/// Where the repository, the shared real data and scratch folders are, for tests.
public enum TestPaths {
    /// The package root (found from this file's location).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared/data` beside the repository.
    public static let sharedData: String = {
        URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path
    }()

    /// True when the shared real-data folder is present (tests that need it skip otherwise).
    public static var sharedDataAvailable: Bool {
        FileManager.default.fileExists(atPath: sharedData + "/goog-2004-2013.csv")
    }

    public static func shared(_ relative: String) -> String { sharedData + "/" + relative }

    /// A fresh empty folder under the system temporary directory.
    public static func makeTempDir(_ label: String = "hindsight-test") -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    public static func write(_ text: String, to path: String) {
        try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
