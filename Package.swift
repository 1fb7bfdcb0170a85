// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "sambabench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sambabench", targets: ["sambabench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Typed wrappers over libcurl: curl_easy_setopt and curl_easy_getinfo are variadic and unusable from Swift.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // zlib's deflate and inflate, for HdrHistogram's compressed interval logs.
        .target(
            name: "CZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        // Small pieces the client and the mock share (the seeded generator); no dependencies, so the mock needs no LoadGen.
        .target(name: "BenchSupport"),
        // Byte-level BPE tokenizers (tiktoken rank files, Hugging Face tokenizer.json), pure Swift.
        .target(name: "Tokenizer"),
        // Scenario -> requests -> streamed events -> RequestRecord.
        .target(
            name: "LoadGen",
            dependencies: [
                "BenchSupport",
                "CCurl",
                "Tokenizer",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // RequestRecord -> histograms, summaries, CSV/JSON, gnuplot, report. Never imports curl or NIO.
        .target(
            name: "Metrics",
            dependencies: [
                "LoadGen",
                "PlotTemplates",
                "CZlib",
                "BenchSupport",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                // report.html's template.
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // The gnuplot templates live in plots/ so users find them; this target bundles them.
        .target(
            name: "PlotTemplates",
            path: "plots",
            exclude: ["README.md"],
            resources: [.copy("templates")]
        ),
        // SwiftNIO server imitating SambaNova's APIs with known timing.
        .target(
            name: "MockServer",
            dependencies: [
                "BenchSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The run engine: levels, sweeps, the SLO search, abort and interrupt policies, the verdict, calibration.
        // Generic over the transport and the clock; wires LoadGen's runners to Metrics' sinks.
        .target(
            name: "Engine",
            dependencies: ["LoadGen", "Metrics", "MockServer"]
        ),
        // A manual clock, a scripted transport and a deterministic executor, for tests of the engine and runners.
        .target(
            name: "LoadGenTesting",
            dependencies: ["LoadGen"]
        ),
        .executableTarget(
            name: "sambabench",
            dependencies: [
                "Engine",
                "LoadGen",
                "Metrics",
                "MockServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The mock with injected faults, standalone, for scripts/soak.sh.
        .executableTarget(name: "sambabench-mock-faults", dependencies: ["MockServer"]),
        // Tokenizer throughput on a text file, for scripts/tokenizer/bench.sh.
        .executableTarget(name: "sambabench-tokenizer-bench", dependencies: ["Tokenizer"]),
        .testTarget(name: "CCurlTests", dependencies: ["CCurl"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"], exclude: ["Fixtures"]),
        .testTarget(name: "LoadGenTests", dependencies: ["LoadGen", "LoadGenTesting", "MockServer", "BenchSupport"],
                    resources: [.copy("Fixtures")]),
        // Golden files are read from the source tree (so they can be regenerated there), not bundled.
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "LoadGen"], exclude: ["Golden"]),
        .testTarget(name: "MockServerTests", dependencies: ["MockServer", "LoadGen", "BenchSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "LoadGen", "LoadGenTesting", "Metrics"]),
        .testTarget(name: "sambabenchTests", dependencies: ["sambabench", "Engine", "LoadGen", "Metrics", "MockServer"]),
    ],
    swiftLanguageModes: [.v6]
)
