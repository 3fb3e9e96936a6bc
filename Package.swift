// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Chorus",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "chorus", targets: ["chorus"]),
        .executable(name: "chorus-load", targets: ["chorus-load"]),
        // The wire formats and protocol targets, for the fuzz and benchmark packages in Fuzz/ and Benchmarks/.
        .library(
            name: "ChorusProtocols",
            targets: ["Wire", "RTP", "RTCP", "STUN", "SDP", "ICE", "DTLS", "SRTP", "Crypto"]),
    ],
    targets: [
        // C libraries from Debian, one system library target each.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl"),
        .systemLibrary(name: "CSRTP", pkgConfig: "libsrtp2"),
        .systemLibrary(name: "CWebSockets", pkgConfig: "libwebsockets"),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium"),
        // Linux system calls and structs that Swift's Glibc module does not expose.
        .target(name: "CLinuxShim"),

        // Byte layer and wire formats: pure, no I/O.
        .target(name: "Wire"),
        .target(name: "RTP", dependencies: ["Wire"]),
        .target(name: "RTCP", dependencies: ["Wire"]),
        .target(name: "STUN", dependencies: ["Wire", "Crypto"]),
        .target(name: "SDP"),

        // Wrappers of the C libraries and the protocols built on them.
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        .target(name: "DTLS", dependencies: ["Crypto", "Wire"]),
        .target(name: "SRTP", dependencies: ["CSRTP"]),
        .target(name: "ICE", dependencies: ["STUN", "Wire"]),

        // Media plane, control plane, executable.
        .target(name: "Transport", dependencies: ["Wire", "CLinuxShim"]),
        .target(name: "Forwarding", dependencies: ["Wire", "RTP", "RTCP"]),
        .target(
            name: "SFU",
            dependencies: [
                "Wire", "RTP", "RTCP", "STUN", "SDP", "ICE", "DTLS", "SRTP", "Crypto", "Transport", "Forwarding",
            ]),
        .target(name: "HTTPServer", dependencies: ["CWebSockets"]),
        .target(
            name: "Signaling", dependencies: ["SFU", "SDP", "Crypto", "HTTPServer", "Wire"],
            resources: [.copy("Resources")]),
        .executableTarget(name: "chorus", dependencies: ["Signaling", "SFU", "Crypto"]),
        .executableTarget(
            name: "chorus-load",
            dependencies: ["Wire", "RTP", "RTCP", "STUN", "SDP", "Crypto", "DTLS", "SRTP", "Transport", "HTTPServer"],
            path: "loadtest/Sources/chorus-load"),

        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "ForwardingTests", dependencies: ["Forwarding", "RTP", "RTCP", "Wire"]),
        .testTarget(name: "RTPTests", dependencies: ["RTP", "Wire"]),
        .testTarget(name: "RTCPTests", dependencies: ["RTCP", "Wire"]),
        .testTarget(name: "STUNTests", dependencies: ["STUN", "Wire", "Crypto"]),
        .testTarget(name: "SDPTests", dependencies: ["SDP"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "DTLS", "SRTP"]),
        .testTarget(name: "ICETests", dependencies: ["ICE", "STUN", "Crypto", "Wire"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(
            name: "SFUTests",
            dependencies: ["SFU", "RTP", "RTCP", "SDP", "STUN", "DTLS", "SRTP", "Crypto", "Transport", "Wire"]),
        .testTarget(
            name: "LoadToolTests",
            dependencies: ["chorus-load", "RTP", "SDP", "Wire", "Crypto", "Signaling"],
            path: "loadtest/Tests/LoadToolTests"),
        .testTarget(name: "SignalingTests", dependencies: ["Signaling", "SFU", "HTTPServer", "Crypto", "Wire"]),
    ],
    swiftLanguageModes: [.v5]
)
