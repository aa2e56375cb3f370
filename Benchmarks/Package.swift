// swift-tools-version:6.1
// Benchmarks live in their own package so the main build and CI stay lean.
// Run: swift package --package-path Benchmarks benchmark   (or `make bench`)
import Foundation
import PackageDescription

// A path dependency is identified by its folder name, which is whatever the clone is called.
let hindsight = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent

let package = Package(
    name: "HindsightBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HindsightBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Hindsight", package: hindsight),
            ],
            path: "Benchmarks/HindsightBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
