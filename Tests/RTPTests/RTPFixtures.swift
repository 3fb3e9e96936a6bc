/// RTP packets as byte literals, with one comment per field.
struct RTPFixture: Sendable, CustomStringConvertible {
    var description: String
    var bytes: [UInt8]
}

enum RTPFixtures {
    /// An Opus packet laid out the way browsers send it: one-byte extensions for audio level,
    /// absolute send time, transport-wide sequence number and MID.
    static let opusWithOneByteExtensions = RTPFixture(
        description: "Opus with one-byte extensions",
        bytes: [
            0x90, 0x6F,  // V=2, X=1, CC=0; M=0, PT=111
            0x1A, 0x2B,  // sequence number 6699
            0x00, 0x00, 0x3C, 0x40,  // timestamp 15424
            0x12, 0x34, 0x56, 0x78,  // SSRC
            0xBE, 0xDE, 0x00, 0x03,  // one-byte profile, 3 words of elements
            0x10, 0xA5,  // ID 1 length 1: audio level, voice, 37 -dBov
            0x22, 0x12, 0x34, 0x56,  // ID 2 length 3: abs-send-time 0x123456
            0x31, 0x00, 0x2A,  // ID 3 length 2: transport-wide sequence number 42
            0x40, 0x30,  // ID 4 length 1: MID "0"
            0x00,  // padding to the word boundary
            0x78, 0x0B, 0xE4, 0xC1, 0x36, 0xEC, 0xC5, 0x8D,  // Opus payload
        ]
    )

    /// A mixer's packet with two CSRCs, one-byte extensions with padding between them, and
    /// three bytes of RTP padding.
    static let mixedWithCSRCsAndPadding = RTPFixture(
        description: "CSRCs, extension and padding",
        bytes: [
            0xB2, 0xE0,  // V=2, P=1, X=1, CC=2; M=1, PT=96
            0xFF, 0xFF,  // sequence number 65535
            0xFF, 0xFF, 0xFF, 0xF0,  // timestamp 4294967280
            0xDE, 0xAD, 0xBE, 0xEF,  // SSRC
            0x00, 0x00, 0x00, 0x01,  // CSRC 1
            0x00, 0x00, 0x00, 0x02,  // CSRC 2
            0xBE, 0xDE, 0x00, 0x03,  // one-byte profile, 3 words of elements
            0x10, 0x90,  // ID 1 length 1: audio level, voice, 16 -dBov
            0x00,  // padding byte between elements
            0x22, 0x01, 0x02, 0x03,  // ID 2 length 3
            0x31, 0xAB, 0xCD,  // ID 3 length 2: transport-wide sequence number 0xABCD
            0x00, 0x00,  // padding to the word boundary
            0xAA, 0xBB, 0xCC, 0xDD,  // payload
            0x00, 0x00, 0x03,  // RTP padding, count 3 in the last byte
        ]
    )

    /// A packet in the two-byte form with application bits 3, a 20-byte element with ID 5,
    /// a padding byte and an empty element with ID 7.
    static let twoByteExtensions = RTPFixture(
        description: "two-byte extensions",
        bytes: [
            0x90, 0x60,  // V=2, X=1, CC=0; M=0, PT=96
            0x00, 0x01,  // sequence number 1
            0x00, 0x00, 0x00, 0x64,  // timestamp 100
            0x00, 0x00, 0x00, 0x2A,  // SSRC 42
            0x10, 0x03, 0x00, 0x07,  // two-byte profile with appbits 3, 7 words of elements
            0x05, 0x14,  // ID 5, length 20
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
            0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14,
            0x00,  // padding byte
            0x07, 0x00,  // ID 7, length 0
            0x00, 0x00, 0x00,  // padding to the word boundary
            0x01, 0x02,  // payload
        ]
    )

    /// A one-byte block whose third byte is 0xF0: ID 15 ends parsing, so the element with ID 2
    /// after it is not read.
    static let reservedIDStopsParsing = RTPFixture(
        description: "one-byte block with ID 15",
        bytes: [
            0x90, 0x60,  // V=2, X=1; PT=96
            0x00, 0x02,  // sequence number 2
            0x00, 0x00, 0x00, 0x00,  // timestamp 0
            0x00, 0x00, 0x00, 0x01,  // SSRC 1
            0xBE, 0xDE, 0x00, 0x02,  // one-byte profile, 2 words
            0x10, 0xAA,  // ID 1 length 1
            0xF0,  // ID 15: stop
            0x20, 0xBB,  // ID 2 length 1, not reached
            0x00, 0x00, 0x00,  // padding
        ]
    )

    /// A minimal header with no extension, CSRC or payload.
    static let bareHeader = RTPFixture(
        description: "bare header",
        bytes: [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
    )

    static let all = [
        opusWithOneByteExtensions, mixedWithCSRCsAndPadding, twoByteExtensions, reservedIDStopsParsing, bareHeader,
    ]
}

/// Calls `body` with a raw view of `bytes`.
func withPacket<Result>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    try bytes.withUnsafeBytes(body)
}
