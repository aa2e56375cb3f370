// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Hindsight",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hindsight", targets: ["hindsight"]),
        // The one library for users who build on Hindsight: every module, imported by name.
        .library(
            name: "Hindsight",
            targets: [
                "HindsightCore", "TimeMachine", "MarketData", "Storage", "Analytics", "Signals", "Services", "Engine",
                "YAMLConfig", "Backtest", "Sweep", "Reports", "HindsightCLI",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CDeflate",
            path: "Sources/CDeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"]), .brew(["openblas", "lapack"])]
        ),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(name: "HindsightCore"),
        .target(name: "Analytics", dependencies: ["HindsightCore", "CBLAS"]),
        .target(name: "YAMLConfig", dependencies: ["HindsightCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "Signals", dependencies: ["HindsightCore"]),
        .target(
            name: "Services", dependencies: ["HindsightCore", "TimeMachine", "MarketData", "Analytics", "Signals"]),
        .target(name: "Engine", dependencies: ["HindsightCore", "TimeMachine", "MarketData", "Services", "Signals"]),
        .target(
            name: "Sweep",
            dependencies: [
                "HindsightCore", "TimeMachine", "MarketData", "Services", "Engine", "Analytics", "Storage",
                "YAMLConfig", "Backtest",
            ]),
        .target(name: "Reports", dependencies: ["HindsightCore", "Storage", "Analytics"]),
        .target(
            name: "Backtest",
            dependencies: [
                "HindsightCore", "TimeMachine", "MarketData", "Services", "Signals", "Engine", "Analytics", "Storage",
                "YAMLConfig",
            ]),
        .target(name: "TimeMachine", dependencies: ["HindsightCore"]),
        .target(name: "MarketData", dependencies: ["HindsightCore", "TimeMachine", "CZlib", "CDeflate"]),
        .target(
            name: "Storage",
            dependencies: [
                "HindsightCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "HindsightTestSupport",
            dependencies: [
                "HindsightCore", "TimeMachine", "MarketData", "Storage", "Backtest", "Engine", "Services", "YAMLConfig",
            ]
        ),
        .target(
            name: "HindsightCLI",
            dependencies: [
                "HindsightCore", "TimeMachine", "MarketData", "Storage", "Analytics", "Backtest", "YAMLConfig",
                "Engine",
                "Services", "Signals", "Sweep", "Reports", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "hindsight", dependencies: ["HindsightCLI"]),
        .testTarget(name: "HindsightCoreTests", dependencies: ["HindsightCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "TimeMachineTests", dependencies: ["TimeMachine", "HindsightTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "MarketDataTests", dependencies: ["MarketData", "HindsightTestSupport"]),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "HindsightTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CLITests", dependencies: ["HindsightTestSupport", "Storage"]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "Services", "Backtest", "YAMLConfig", "HindsightTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SweepTests",
            dependencies: [
                "Sweep", "Reports", "Storage", "Backtest", "Engine", "YAMLConfig", "Analytics", "HindsightCore",
                "HindsightTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "SignalsTests", dependencies: ["Signals", "MarketData", "HindsightTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AnalyticsTests", dependencies: ["Analytics", "HindsightTestSupport"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
