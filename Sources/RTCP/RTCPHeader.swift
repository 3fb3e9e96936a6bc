import Wire

/// The common header of every RTCP packet (RFC 3550 section 6.4.1), and of the feedback
/// messages of RFC 4585 section 6.1, where the count field contains the feedback message type.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |V=2|P|  count  |      PT       |             length            |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The length is the packet size in 32-bit words minus one, so it counts the header too.
struct RTCPHeader {
    static let length = 4
    /// Packet types that RFC 5761 section 4 reserves for RTCP when it shares a port with RTP.
    static let packetTypeRange: ClosedRange<UInt8> = 192...223

    /// Report count, source count or feedback message type (FMT), depending on the type.
    var count: UInt8
    var packetType: UInt8
    /// Size of the whole packet in bytes, header and padding included.
    var packetLength: Int
    /// Padding bytes at the end of the packet, including the count byte; 0 without padding.
    var paddingLength: Int

    /// Parses the header at the start of `bytes` and checks that the packet it announces fits.
    ///
    /// Returns nil when fewer than 4 bytes remain, the version is not 2, the packet type lies
    /// outside 192-223, the length reaches past `bytes`, or the padding count is 0 or larger
    /// than the packet body.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> RTCPHeader? {
        guard bytes.count >= length else { return nil }

        let first = bytes[0]
        guard first >> 6 == 2 else { return nil }
        let packetType = bytes[1]
        guard packetTypeRange.contains(packetType) else { return nil }
        let packetLength = (Int(bytes.loadBigEndianUInt16(at: 2)) + 1) * 4
        guard packetLength <= bytes.count else { return nil }

        var paddingLength = 0
        if first & 0x20 != 0 {
            paddingLength = Int(bytes[packetLength - 1])
            guard paddingLength >= 1, paddingLength <= packetLength - length else { return nil }
        }
        return RTCPHeader(
            count: first & 0x1F,
            packetType: packetType,
            packetLength: packetLength,
            paddingLength: paddingLength
        )
    }
}

/// RTCP packet type numbers (RFC 3550 section 12.1, RFC 4585 section 6.1, RFC 3611 section 2).
enum RTCPPacketType {
    static let senderReport: UInt8 = 200
    static let receiverReport: UInt8 = 201
    static let sourceDescription: UInt8 = 202
    static let goodbye: UInt8 = 203
    static let application: UInt8 = 204
    static let transportFeedback: UInt8 = 205
    static let payloadFeedback: UInt8 = 206
    static let extendedReport: UInt8 = 207
}

/// Feedback message types: the count field of transport-layer (RTPFB, 205) and
/// payload-specific (PSFB, 206) feedback.
enum FeedbackMessageType {
    /// RTPFB: generic NACK, RFC 4585 section 6.2.1.
    static let genericNACK: UInt8 = 1
    /// RTPFB: transport-wide congestion control, draft-holmer-rmcat-transport-wide-cc-extensions-01.
    static let transportWideFeedback: UInt8 = 15
    /// PSFB: picture loss indication, RFC 4585 section 6.3.1.
    static let pictureLossIndication: UInt8 = 1
    /// PSFB: full intra request, RFC 5104 section 4.3.1.
    static let fullIntraRequest: UInt8 = 4
    /// PSFB: application layer feedback, RFC 4585 section 6.4, which carries REMB.
    static let applicationLayer: UInt8 = 15
}

extension ByteWriter {
    /// Appends one RTCP packet: a header, then what `body` writes, then the length field.
    ///
    /// With `padToWord`, a body that is not a whole number of 32-bit words gets RTCP padding
    /// (RFC 3550 section 6.4.1): zero bytes, the last of which is the padding count, and the
    /// P bit set.
    ///
    /// - Precondition: without `padToWord`, the body is a whole number of 32-bit words.
    mutating func writeRTCPPacket(
        count: UInt8,
        packetType: UInt8,
        padToWord: Bool = false,
        body: (inout ByteWriter) -> Void
    ) {
        precondition(count < 32, "the RTCP count field has 5 bits")
        let start = self.count
        write(0x80 | count)
        write(packetType)
        write(UInt16(0))
        body(&self)

        let paddingLength = (4 - (self.count - start) % 4) % 4
        if padToWord, paddingLength > 0 {
            writeZeros(paddingLength - 1)
            write(UInt8(paddingLength))
            set(UInt16(0xA0 | count) << 8 | UInt16(packetType), at: start)
        }
        let packetLength = self.count - start
        precondition(packetLength % 4 == 0, "an RTCP packet is a whole number of 32-bit words")
        precondition(packetLength / 4 - 1 <= 0xFFFF, "an RTCP packet has at most 65536 words")
        set(UInt16(packetLength / 4 - 1), at: start + 2)
    }
}
