// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// QWENKIT_EMULATE_AVX512=1 (a test build, in a scratch path of its own) runs the AVX-512 kernels on
/// SIMDe's emulated intrinsics (Debian: libsimde-dev), so their tests run on hosts without AVX-512.
let emulateAVX512 = ProcessInfo.processInfo.environment["QWENKIT_EMULATE_AVX512"] == "1"

let package = Package(
    name: "swift-qwen",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "QwenKit", targets: ["QwenKit"]),
        .executable(name: "qwen", targets: ["qwen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // `swift package generate-documentation --target QwenKit`; built only when that command runs.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Hot numeric code with AVX-512/AVX2 paths chosen at run time (cpuid).
        .target(name: "CQwenKernels", cSettings: emulateAVX512 ? [.define("QK_EMULATE_AVX512")] : []),
        // Swift face of the kernels: weight formats, linear layers, norms, attention, thread pool.
        .target(name: "QwenKernels", dependencies: ["CQwenKernels"]),
        // Tokenizer, chat templates, weights, the Qwen2 model, generation and Hub downloads.
        .target(
            name: "QwenKit",
            dependencies: ["QwenKernels", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The OpenAI-compatible HTTP server: request/response types, routes, scheduler, metrics, auth.
        .target(
            name: "QwenServer",
            dependencies: [
                "QwenKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The `qwen` command-line tool.
        .executableTarget(
            name: "qwen",
            dependencies: [
                "QwenKit",
                "QwenServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "QwenKernelsTests", dependencies: ["QwenKernels"]),
        // Fixtures live in Tests/Fixtures and are found through #filePath, not copied as resources.
        .testTarget(name: "QwenKitTests", dependencies: ["QwenKit"]),
        .testTarget(name: "QwenCLITests", dependencies: ["qwen"]),
        .testTarget(
            name: "QwenServerTests",
            dependencies: [
                "QwenServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
