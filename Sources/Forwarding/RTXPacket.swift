import RTP
import Wire

/// The RTP retransmission payload format (RFC 4588 section 4), for session-multiplexed RTX
/// streams that have their own SSRC and payload type.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                         RTP Header                            |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |            OSN                |                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
///     |                  Original RTP Packet Payload                  |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The RTX header keeps the original marker bit, timestamp, CSRCs and header extensions, and
/// has its own SSRC, payload type and sequence number. OSN is the original sequence number.
/// Neither direction copies the original padding: `wrap` and `unwrap` clear the P bit.
public enum RTXPacket {
    /// Length of the original sequence number field at the start of the RTX payload.
    public static let originalSequenceNumberLength = 2

    /// Returns the original sequence number of an RTX packet, or nil when the packet does not
    /// parse or its payload is shorter than the OSN field, as in a padding-only RTX packet.
    public static func originalSequenceNumber(of packet: UnsafeRawBufferPointer) -> UInt16? {
        guard let view = RTPPacketView.parse(packet), view.payloadLength >= originalSequenceNumberLength else {
            return nil
        }
        return packet.loadBigEndianUInt16(at: view.headerLength)
    }

    /// Writes the original packet carried by the RTX packet `packet` into `buffer`, with
    /// `originalPayloadType`, `originalSSRC` and the sequence number restored from the OSN.
    ///
    /// Returns the restored length and sequence number, or nil when `packet` does not parse,
    /// carries no OSN, or the result does not fit in `buffer`. `buffer` may start at the
    /// packet's own memory, to unwrap in place.
    public static func unwrap(
        _ packet: UnsafeRawBufferPointer,
        originalPayloadType: UInt8,
        originalSSRC: UInt32,
        into buffer: UnsafeMutableRawBufferPointer
    ) -> (length: Int, sequenceNumber: UInt16)? {
        precondition(originalPayloadType < 128, "an RTP payload type has 7 bits")
        guard let view = RTPPacketView.parse(packet), view.payloadLength >= originalSequenceNumberLength else {
            return nil
        }
        let originalSequenceNumber = packet.loadBigEndianUInt16(at: view.headerLength)
        let payloadStart = view.headerLength + originalSequenceNumberLength
        let payloadLength = view.payloadLength - originalSequenceNumberLength
        let length = view.headerLength + payloadLength
        guard length <= buffer.count, let destination = buffer.baseAddress, let source = packet.baseAddress else {
            return nil
        }

        destination.copyMemory(from: source, byteCount: view.headerLength)
        (destination + view.headerLength).copyMemory(from: source + payloadStart, byteCount: payloadLength)
        buffer[0] &= ~0x20
        buffer[1] = (buffer[1] & 0x80) | originalPayloadType
        buffer.storeBigEndian(originalSequenceNumber, at: 2)
        buffer.storeBigEndian(originalSSRC, at: 8)
        return (length, originalSequenceNumber)
    }

    /// Writes an RTX packet that carries `packet` into `buffer`: the original header with
    /// `rtxPayloadType`, `rtxSequenceNumber` and `rtxSSRC`, then the OSN, then the original payload.
    ///
    /// Returns the RTX packet length, or nil when `packet` does not parse or the RTX packet
    /// does not fit in `buffer`. `buffer` may start at the packet's own memory, to wrap in place.
    public static func wrap(
        _ packet: UnsafeRawBufferPointer,
        rtxSSRC: UInt32,
        rtxPayloadType: UInt8,
        rtxSequenceNumber: UInt16,
        into buffer: UnsafeMutableRawBufferPointer
    ) -> Int? {
        precondition(rtxPayloadType < 128, "an RTP payload type has 7 bits")
        guard let view = RTPPacketView.parse(packet) else { return nil }
        let length = view.headerLength + originalSequenceNumberLength + view.payloadLength
        guard length <= buffer.count, let destination = buffer.baseAddress, let source = packet.baseAddress else {
            return nil
        }

        // The payload moves first so that `buffer` may be the packet's own memory.
        (destination + view.headerLength + originalSequenceNumberLength).copyMemory(
            from: source + view.headerLength, byteCount: view.payloadLength)
        destination.copyMemory(from: source, byteCount: view.headerLength)
        buffer.storeBigEndian(view.sequenceNumber, at: view.headerLength)
        buffer[0] &= ~0x20
        buffer[1] = (buffer[1] & 0x80) | rtxPayloadType
        buffer.storeBigEndian(rtxSequenceNumber, at: 2)
        buffer.storeBigEndian(rtxSSRC, at: 8)
        return length
    }
}
