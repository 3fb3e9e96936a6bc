@testable import RTCP

/// RTCP packets as byte literals, with one comment per field.
struct RTCPFixture: Sendable, CustomStringConvertible {
    var description: String
    var bytes: [UInt8]
}

enum RTCPFixtures {
    /// The report block used in several fixtures.
    static let reportBlockBytes: [UInt8] = [
        0xAA, 0xBB, 0xCC, 0xDD,  // SSRC of the source reported on
        0x40,  // fraction lost 64/256
        0xFF, 0xFF, 0xFE,  // cumulative lost -2 (duplicates outnumber losses)
        0x00, 0x01, 0x00, 0x05,  // extended highest sequence: 1 wrap, sequence 5
        0x00, 0x00, 0x00, 0x20,  // jitter 32
        0x1D, 0x80, 0x80, 0x00,  // last SR
        0x00, 0x01, 0x00, 0x00,  // delay since last SR: 1 second
    ]

    /// A 56-byte compound: a sender report without report blocks, then a source description
    /// with a 16-byte CNAME.
    static let senderReportWithCNAME = RTCPFixture(
        description: "SR + SDES",
        bytes: [
            0x80, 0xC8, 0x00, 0x06,  // V=2, RC=0, PT=200 SR, length 6 words + 1
            0x12, 0x34, 0x56, 0x78,  // SSRC of sender
            0xE9, 0x4C, 0x1D, 0x80, 0x80, 0x00, 0x00, 0x00,  // NTP timestamp
            0x00, 0x01, 0xE2, 0x40,  // RTP timestamp 123456
            0x00, 0x00, 0x00, 0x64,  // packet count 100
            0x00, 0x00, 0x3E, 0x80,  // octet count 16000
            0x81, 0xCA, 0x00, 0x06,  // V=2, SC=1, PT=202 SDES, length 6
            0x12, 0x34, 0x56, 0x78,  // chunk SSRC
            0x01, 0x10,  // CNAME, 16 bytes
            0x58, 0x6B, 0x32, 0x62, 0x5A, 0x38, 0x67, 0x31,  // "Xk2bZ8g1"
            0x75, 0x57, 0x63, 0x59, 0x71, 0x76, 0x52, 0x34,  // "uWcYqvR4"
            0x00,  // end of items
            0x00,  // padding to the word boundary
        ]
    )

    /// A picture loss indication sent alone, as reduced-size RTCP allows.
    static let pictureLossIndication = RTCPFixture(
        description: "lone PLI",
        bytes: [
            0x81, 0xCE, 0x00, 0x02,  // V=2, FMT=1, PT=206 PSFB, length 2
            0x00, 0x00, 0x00, 0x01,  // sender SSRC 1
            0x12, 0x34, 0x56, 0x78,  // media SSRC
        ]
    )

    /// A sender report with one block, an extended report with a receiver reference time block,
    /// and a receiver report with one block.
    static let senderExtendedReceiver = RTCPFixture(
        description: "SR + XR + RR",
        bytes: [
            0x81, 0xC8, 0x00, 0x0C,  // V=2, RC=1, PT=200 SR, length 12
            0x12, 0x34, 0x56, 0x78,  // SSRC of sender
            0xE9, 0x4C, 0x1D, 0x80, 0x80, 0x00, 0x00, 0x00,  // NTP timestamp
            0x00, 0x01, 0xE2, 0x40,  // RTP timestamp
            0x00, 0x00, 0x00, 0x64,  // packet count
            0x00, 0x00, 0x3E, 0x80,  // octet count
        ] + reportBlockBytes + [
            0x80, 0xCF, 0x00, 0x04,  // V=2, PT=207 XR, length 4
            0x12, 0x34, 0x56, 0x78,  // SSRC
            0x04, 0x00, 0x00, 0x02,  // BT=4 receiver reference time, length 2
            0xE9, 0x4C, 0x1D, 0x80, 0x80, 0x00, 0x00, 0x00,  // NTP timestamp
            0x81, 0xC9, 0x00, 0x07,  // V=2, RC=1, PT=201 RR, length 7
            0x87, 0x65, 0x43, 0x21,  // SSRC of reporter
        ] + reportBlockBytes
    )

    /// A generic NACK with two entries; the second PID wraps.
    static let genericNACK = RTCPFixture(
        description: "generic NACK",
        bytes: [
            0x81, 0xCD, 0x00, 0x04,  // V=2, FMT=1, PT=205 RTPFB, length 4
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x12, 0x34, 0x56, 0x78,  // media SSRC
            0x00, 0x64, 0x00, 0x05,  // PID 100, BLP bits 0 and 2: 101, 103
            0xFF, 0xFF, 0x80, 0x01,  // PID 65535, BLP bits 0 and 15: 0, 15 (across the wrap)
        ]
    )

    /// A full intra request with one entry.
    static let fullIntraRequest = RTCPFixture(
        description: "FIR",
        bytes: [
            0x84, 0xCE, 0x00, 0x04,  // V=2, FMT=4, PT=206 PSFB, length 4
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x00, 0x00, 0x00, 0x00,  // media SSRC, unused
            0x12, 0x34, 0x56, 0x78,  // SSRC asked for a keyframe
            0x07, 0x00, 0x00, 0x00,  // command sequence number 7, reserved
        ]
    )

    /// A REMB message for one SSRC with exponent 2 and mantissa 0x3FFFF.
    static let remb = RTCPFixture(
        description: "REMB",
        bytes: [
            0x8F, 0xCE, 0x00, 0x05,  // V=2, FMT=15, PT=206 PSFB, length 5
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x00, 0x00, 0x00, 0x00,  // media SSRC, unused
            0x52, 0x45, 0x4D, 0x42,  // "REMB"
            0x01, 0x0B, 0xFF, 0xFF,  // 1 SSRC, exponent 2, mantissa 0x3FFFF
            0x12, 0x34, 0x56, 0x78,  // SSRC
        ]
    )

    /// A goodbye with a reason.
    static let goodbye = RTCPFixture(
        description: "BYE",
        bytes: [
            0x81, 0xCB, 0x00, 0x02,  // V=2, SC=1, PT=203 BYE, length 2
            0x12, 0x34, 0x56, 0x78,  // SSRC
            0x03, 0x62, 0x79, 0x65,  // reason "bye"
        ]
    )

    /// A receiver report without blocks, padded by 4 bytes.
    static let paddedReceiverReport = RTCPFixture(
        description: "padded RR",
        bytes: [
            0xA0, 0xC9, 0x00, 0x02,  // V=2, P=1, RC=0, PT=201 RR, length 2
            0x12, 0x34, 0x56, 0x78,  // SSRC
            0x00, 0x00, 0x00, 0x04,  // padding, count 4
        ]
    )

    static let all = [
        senderReportWithCNAME, pictureLossIndication, senderExtendedReceiver, genericNACK, fullIntraRequest, remb,
        goodbye, paddedReceiverReport,
    ]
}

/// Calls `body` with a raw view of `bytes`.
func withPacket<Result>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    try bytes.withUnsafeBytes(body)
}

/// Parses `bytes` as a compound RTCP packet.
func parseCompound(_ bytes: [UInt8]) -> [RTCPPacket]? {
    withPacket(bytes) { RTCPCompound.parse($0) }
}
