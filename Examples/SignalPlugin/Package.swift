// swift-tools-version:6.1
// An example package built on Hindsight: one indicator (`hma`) and one strategy (`channel_breakout`), and a
// `my-hindsight` executable that is the whole Hindsight CLI with them included.
import Foundation
import PackageDescription

// A path dependency is identified by its folder name, which is whatever the clone is called.
let hindsight = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SignalPlugin",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../..")],
    targets: [
        .target(name: "HullPlugin", dependencies: [.product(name: "Hindsight", package: hindsight)]),
        .executableTarget(
            name: "my-hindsight",
            dependencies: ["HullPlugin", .product(name: "Hindsight", package: hindsight)]),
    ],
    swiftLanguageModes: [.v6]
)
