import Wire

/// One packet of an RTCP compound packet (RFC 3550 section 6.1) with its body decoded.
public enum RTCPPacket: Equatable, Hashable, Sendable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    case sourceDescription(SourceDescription)
    case goodbye(Goodbye)
    /// Picture loss indication: payload-specific feedback with FMT 1 (RFC 4585 section 6.3.1).
    case pictureLossIndication(senderSSRC: UInt32, mediaSSRC: UInt32)
    case fullIntraRequest(FullIntraRequest)
    case nack(GenericNACK)
    case receiverEstimatedMaxBitrate(REMB)
    /// Transport-wide congestion control feedback, transport-layer feedback with FMT 15; the
    /// packet statuses are decoded separately by `TransportWideFeedback.parse`.
    case transportWideFeedback(senderSSRC: UInt32, mediaSSRC: UInt32)
    /// A packet of a type this parser does not decode, such as an extended report (207), an
    /// application-defined packet (204) or another feedback message. `format` is the 5-bit
    /// count field, which feedback messages use for the message type.
    case unknown(packetType: UInt8, format: UInt8)

    /// Decodes the body of one packet whose header was checked; returns nil when the body is
    /// shorter than its type requires.
    static func parse(header: RTCPHeader, body: UnsafeRawBufferPointer) -> RTCPPacket? {
        let count = Int(header.count)
        switch header.packetType {
        case RTCPPacketType.senderReport:
            return SenderReport.parse(body: body, reportCount: count).map { .senderReport($0) }
        case RTCPPacketType.receiverReport:
            return ReceiverReport.parse(body: body, reportCount: count).map { .receiverReport($0) }
        case RTCPPacketType.sourceDescription:
            return SourceDescription.parse(body: body, sourceCount: count).map { .sourceDescription($0) }
        case RTCPPacketType.goodbye:
            return Goodbye.parse(body: body, sourceCount: count).map { .goodbye($0) }
        case RTCPPacketType.transportFeedback, RTCPPacketType.payloadFeedback:
            return parseFeedback(header: header, body: body)
        default:
            return .unknown(packetType: header.packetType, format: header.count)
        }
    }

    /// Decodes an RTPFB or PSFB message (RFC 4585 section 6.1): sender SSRC, media SSRC, then
    /// the feedback control information (FCI) of the message type.
    private static func parseFeedback(header: RTCPHeader, body: UnsafeRawBufferPointer) -> RTCPPacket? {
        var reader = ByteReader(body)
        guard let senderSSRC = reader.readUInt32(), let mediaSSRC = reader.readUInt32() else { return nil }
        let fci = UnsafeRawBufferPointer(rebasing: body[reader.offset...])

        switch (header.packetType, header.count) {
        case (RTCPPacketType.transportFeedback, FeedbackMessageType.genericNACK):
            return .nack(GenericNACK.parse(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, fci: fci))
        case (RTCPPacketType.transportFeedback, FeedbackMessageType.transportWideFeedback):
            return .transportWideFeedback(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC)
        case (RTCPPacketType.payloadFeedback, FeedbackMessageType.pictureLossIndication):
            return .pictureLossIndication(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC)
        case (RTCPPacketType.payloadFeedback, FeedbackMessageType.fullIntraRequest):
            return .fullIntraRequest(FullIntraRequest.parse(senderSSRC: senderSSRC, fci: fci))
        case (RTCPPacketType.payloadFeedback, FeedbackMessageType.applicationLayer) where REMB.matches(fci: fci):
            return REMB.parse(senderSSRC: senderSSRC, fci: fci).map { .receiverEstimatedMaxBitrate($0) }
        default:
            return .unknown(packetType: header.packetType, format: header.count)
        }
    }
}
