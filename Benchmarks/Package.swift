// swift-tools-version:6.0
import PackageDescription

// Benchmarks of Chorus's hot-path parsers: `make bench` runs `chorus-bench` in release mode and
// prints heap allocations and nanoseconds per parsed packet.

/// SwiftPM names a path dependency after its directory, so the product reference below uses the
/// name of the directory above this one, wherever the repository is checked out.
let rootPackage = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "main"

let package = Package(
    name: "ChorusBenchmarks",
    products: [
        .executable(name: "chorus-bench", targets: ["ChorusBench"])
    ],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CMallocCounter"),
        .executableTarget(
            name: "ChorusBench",
            dependencies: ["CMallocCounter", .product(name: "ChorusProtocols", package: rootPackage)]
        ),
    ],
    swiftLanguageModes: [.v5]
)
