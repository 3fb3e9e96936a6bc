import Wire

/// One packet of a compound RTCP packet (RFC 3550 section 6.1), read in place: the common header
/// fields and the body, which borrows the caller's buffer. Reading a packet through the view
/// allocates nothing, unlike `RTCPPacket`, whose report, NACK and SDES lists are arrays.
///
/// `RTCPCompound.forEachPacketView(in:_:)` checks each common header only. The accessors check
/// the body of their own type, and return nil or visit nothing when it is too short.
public struct RTCPPacketView {
    let header: RTCPHeader
    /// The body after the 4-byte common header, without padding.
    public let body: UnsafeRawBufferPointer

    /// The packet type, 192-223, such as 201 for a receiver report.
    public var packetType: UInt8 { header.packetType }

    /// The 5-bit count field: the report count of SR and RR, the source count of SDES and BYE,
    /// or the feedback message type (FMT) of RTPFB and PSFB.
    public var count: UInt8 { header.count }

    /// Decodes the packet the way `RTCPCompound.parse(_:)` does; returns nil when the body is too
    /// short for its type.
    public func decode() -> RTCPPacket? {
        RTCPPacket.parse(header: header, body: body)
    }

    /// The sender and media SSRCs of a transport-layer (205) or payload-specific (206) feedback
    /// message (RFC 4585 section 6.1), or nil for other types and bodies shorter than 8 bytes.
    public var feedbackSSRCs: (sender: UInt32, media: UInt32)? {
        guard packetType == RTCPPacketType.transportFeedback || packetType == RTCPPacketType.payloadFeedback,
            body.count >= 8
        else { return nil }
        return (body.loadBigEndianUInt32(at: 0), body.loadBigEndianUInt32(at: 4))
    }

    /// Whether the packet is a picture loss indication, PSFB with FMT 1 (RFC 4585 section 6.3.1),
    /// with both SSRCs.
    public var isPictureLossIndication: Bool {
        packetType == RTCPPacketType.payloadFeedback && count == FeedbackMessageType.pictureLossIndication
            && body.count >= 8
    }

    /// Whether the packet is a generic NACK, RTPFB with FMT 1 (RFC 4585 section 6.2.1), with both SSRCs.
    public var isGenericNACK: Bool {
        packetType == RTCPPacketType.transportFeedback && count == FeedbackMessageType.genericNACK
            && body.count >= 8
    }

    /// Calls `visit` with each lost sequence number of a generic NACK, in the order of
    /// `GenericNACK.lostSequenceNumbers`. Visits nothing for other packets.
    public func forEachLostSequenceNumber(_ visit: (UInt16) -> Void) {
        guard isGenericNACK else { return }
        GenericNACK.forEachLostSequenceNumber(fci: UnsafeRawBufferPointer(rebasing: body[8...]), visit)
    }

    /// Calls `visit` with each report block of a sender or receiver report (RFC 3550 sections
    /// 6.4.1 and 6.4.2). Visits nothing for other packets, and for a body too short for the
    /// report count, which `decode()` rejects too.
    public func forEachReportBlock(_ visit: (ReportBlock) -> Void) {
        let blocksStart: Int
        switch packetType {
        // A sender report has the sender's SSRC and 20 bytes of sender info before its blocks.
        case RTCPPacketType.senderReport: blocksStart = SenderReport.senderInfoLength
        case RTCPPacketType.receiverReport: blocksStart = 4
        default: return
        }
        let blockCount = Int(count)
        guard body.count - blocksStart >= blockCount * ReportBlock.length else { return }

        var reader = ByteReader(body, offset: blocksStart)
        for _ in 0..<blockCount {
            guard let block = ReportBlock.read(from: &reader) else { return }
            visit(block)
        }
    }
}
