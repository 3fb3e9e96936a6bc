import Wire

/// Builders of the RTCP packets an SFU sends. Each returns the bytes of one packet, which can be
/// sent alone (RFC 5506) or concatenated into a compound packet.
public enum RTCPWriter {
    /// Builds a picture loss indication (RFC 4585 section 6.3.1).
    public static func pictureLossIndication(senderSSRC: UInt32, mediaSSRC: UInt32) -> [UInt8] {
        var writer = ByteWriter(capacity: 12)
        writer.writeRTCPPacket(
            count: FeedbackMessageType.pictureLossIndication,
            packetType: RTCPPacketType.payloadFeedback
        ) { body in
            body.write(senderSSRC)
            body.write(mediaSSRC)
        }
        return writer.bytes
    }

    /// Builds a full intra request (RFC 5104 section 4.3.1) with one entry for `mediaSSRC`. The
    /// media SSRC field of the feedback header is zero, as section 4.3.1.2 requires.
    public static func fullIntraRequest(senderSSRC: UInt32, mediaSSRC: UInt32, sequenceNumber: UInt8) -> [UInt8] {
        var writer = ByteWriter(capacity: 20)
        writer.writeRTCPPacket(count: FeedbackMessageType.fullIntraRequest, packetType: RTCPPacketType.payloadFeedback)
        {
            body in
            body.write(senderSSRC)
            body.write(UInt32(0))
            body.write(mediaSSRC)
            body.write(sequenceNumber)
            body.writeZeros(3)
        }
        return writer.bytes
    }

    /// Builds a generic NACK (RFC 4585 section 6.2.1) for the sequence numbers in `lost`, packed
    /// into PID and BLP pairs. Numbers in ascending order, across the wrap, pack into the fewest pairs.
    ///
    /// - Precondition: `lost` is not empty, because a NACK carries at least one entry.
    public static func nack(senderSSRC: UInt32, mediaSSRC: UInt32, lost: [UInt16]) -> [UInt8] {
        precondition(!lost.isEmpty, "a generic NACK names at least one lost packet")
        let pairs = GenericNACK.pack(lost)
        var writer = ByteWriter(capacity: 12 + pairs.count * GenericNACK.entryLength)
        writer.writeRTCPPacket(count: FeedbackMessageType.genericNACK, packetType: RTCPPacketType.transportFeedback) {
            body in
            body.write(senderSSRC)
            body.write(mediaSSRC)
            for pair in pairs {
                body.write(pair.pid)
                body.write(pair.bitmask)
            }
        }
        return writer.bytes
    }

    /// Builds a receiver report (RFC 3550 section 6.4.2).
    ///
    /// - Precondition: at most 31 report blocks.
    public static func receiverReport(ssrc: UInt32, reports: [ReportBlock]) -> [UInt8] {
        precondition(reports.count <= 31, "a receiver report has at most 31 report blocks")
        var writer = ByteWriter(capacity: 8 + reports.count * ReportBlock.length)
        writer.writeRTCPPacket(count: UInt8(reports.count), packetType: RTCPPacketType.receiverReport) { body in
            body.write(ssrc)
            for report in reports {
                report.write(to: &body)
            }
        }
        return writer.bytes
    }

    /// Builds a sender report (RFC 3550 section 6.4.1).
    ///
    /// - Precondition: at most 31 report blocks.
    public static func senderReport(
        ssrc: UInt32,
        ntpTimestamp: UInt64,
        rtpTimestamp: UInt32,
        packetCount: UInt32,
        octetCount: UInt32,
        reports: [ReportBlock]
    ) -> [UInt8] {
        precondition(reports.count <= 31, "a sender report has at most 31 report blocks")
        var writer = ByteWriter(capacity: 28 + reports.count * ReportBlock.length)
        writer.writeRTCPPacket(count: UInt8(reports.count), packetType: RTCPPacketType.senderReport) { body in
            body.write(ssrc)
            body.write(ntpTimestamp)
            body.write(rtpTimestamp)
            body.write(packetCount)
            body.write(octetCount)
            for report in reports {
                report.write(to: &body)
            }
        }
        return writer.bytes
    }

    /// Builds a source description with one chunk that contains a CNAME item (RFC 3550 section 6.5.1).
    ///
    /// - Precondition: `cname` is 1 to 255 bytes of UTF-8.
    public static func sourceDescription(ssrc: UInt32, cname: String) -> [UInt8] {
        let text = Array(cname.utf8)
        precondition((1...255).contains(text.count), "a CNAME has 1 to 255 bytes")
        var writer = ByteWriter(capacity: 12 + text.count)
        writer.writeRTCPPacket(count: 1, packetType: RTCPPacketType.sourceDescription) { body in
            body.write(ssrc)
            body.write(SourceDescription.ItemType.cname)
            body.write(UInt8(text.count))
            body.write(contentsOf: text)
            // The end-of-items byte, then zero bytes up to the next word boundary.
            let itemsLength = 2 + text.count + 1
            body.writeZeros(1 + (4 - itemsLength % 4) % 4)
        }
        return writer.bytes
    }

    /// Builds a goodbye for `ssrcs` with an optional reason (RFC 3550 section 6.6).
    ///
    /// - Precondition: at most 31 SSRCs and a reason of at most 255 bytes.
    public static func goodbye(ssrcs: [UInt32], reason: String? = nil) -> [UInt8] {
        precondition(ssrcs.count <= 31, "a goodbye has at most 31 SSRCs")
        let text = reason.map { Array($0.utf8) } ?? []
        precondition(text.count <= 255, "a goodbye reason has at most 255 bytes")
        var writer = ByteWriter(capacity: 8 + ssrcs.count * 4 + text.count)
        writer.writeRTCPPacket(count: UInt8(ssrcs.count), packetType: RTCPPacketType.goodbye) { body in
            for ssrc in ssrcs {
                body.write(ssrc)
            }
            guard !text.isEmpty else { return }
            body.write(UInt8(text.count))
            body.write(contentsOf: text)
            body.writeZeros((4 - (1 + text.count) % 4) % 4)
        }
        return writer.bytes
    }

    /// Builds a receiver estimated maximum bitrate message (draft-alvestrand-rmcat-remb-03). The
    /// encoding rounds `bitrate` down to an 18-bit mantissa times a power of two.
    ///
    /// - Precondition: at most 255 SSRCs.
    public static func remb(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) -> [UInt8] {
        precondition(ssrcs.count <= 255, "a REMB message names at most 255 SSRCs")
        let (exponent, mantissa) = REMB.encodeBitrate(bitrate)
        var writer = ByteWriter(capacity: 20 + ssrcs.count * 4)
        writer.writeRTCPPacket(count: FeedbackMessageType.applicationLayer, packetType: RTCPPacketType.payloadFeedback)
        {
            body in
            body.write(senderSSRC)
            body.write(UInt32(0))
            body.write(REMB.identifier)
            body.write(UInt8(ssrcs.count))
            body.writeUInt24(UInt32(exponent) << 18 | UInt32(mantissa))
            for ssrc in ssrcs {
                body.write(ssrc)
            }
        }
        return writer.bytes
    }
}
