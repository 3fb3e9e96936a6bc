// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for Chorus's wire format parsers. Build and run them with `make fuzz` in the
// repository root; a plain `swift build` cannot link them, because libFuzzer comes with
// `-sanitize=fuzzer`.

/// SwiftPM names a path dependency after its directory, so the product references below use the
/// name of the directory above this one, wherever the repository is checked out.
let rootPackage = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "main"

func fuzzer(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzerSupport", .product(name: "ChorusProtocols", package: rootPackage)],
        // libFuzzer supplies the entry point, so the module has no top-level code.
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "ChorusFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzerSupport", dependencies: ["CLibFuzzer"]),
        fuzzer("RTPFuzzer"),
        fuzzer("RTCPFuzzer"),
        fuzzer("STUNFuzzer"),
        fuzzer("SDPFuzzer"),
        fuzzer("DTLSFuzzer"),
    ],
    swiftLanguageModes: [.v5]
)
