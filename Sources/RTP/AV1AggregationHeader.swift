/// The aggregation header at the start of an unencrypted AV1 RTP payload (AV1 RTP payload
/// specification section 4.4), and the OBU elements after it (section 4.3).
///
///     +-+-+-+-+-+-+-+-+
///     |Z|Y| W |N|-|-|-|
///     +-+-+-+-+-+-+-+-+
///
/// Z: the first OBU element continues an OBU from the previous packet. Y: the last element
/// continues in the next packet. W: the number of OBU elements, where each element but the
/// last has a LEB128 length before it, or 0 when every element has a length. N: the packet
/// starts a new coded video sequence.
public struct AV1AggregationHeader: Equatable, Sendable {
    /// OBU type of a sequence header (AV1 specification section 6.2.2).
    public static let sequenceHeaderOBUType: UInt8 = 1

    public var continuesPreviousOBU: Bool
    public var continuesInNextPacket: Bool
    /// The W field: 1 to 3 OBU elements, or 0 when each element has a length.
    public var obuElementCount: Int
    public var startsCodedVideoSequence: Bool
    /// Number of OBU elements found in the payload.
    public var elementCount: Int
    /// Whether an OBU element that starts in this packet is a sequence header.
    public var containsSequenceHeader: Bool

    /// Whether the packet starts a key frame: the first packet of a new coded video sequence,
    /// which begins with a key frame.
    public var isKeyFrame: Bool { startsCodedVideoSequence && !continuesPreviousOBU }

    /// Parses the header and walks the OBU elements of `payload`.
    ///
    /// Returns nil when an element length runs past the payload, a LEB128 value is longer than
    /// 8 bytes, N is set on a continuation, or W promises more elements than there are.
    public static func parse(_ payload: UnsafeRawBufferPointer) -> AV1AggregationHeader? {
        guard let header = payload.first else { return nil }
        var result = AV1AggregationHeader(
            continuesPreviousOBU: header & 0x80 != 0, continuesInNextPacket: header & 0x40 != 0,
            obuElementCount: Int((header >> 4) & 0x03), startsCodedVideoSequence: header & 0x08 != 0,
            elementCount: 0, containsSequenceHeader: false)
        guard !(result.startsCodedVideoSequence && result.continuesPreviousOBU) else { return nil }

        var offset = 1
        while offset < payload.count {
            let isLast = result.obuElementCount != 0 && result.elementCount + 1 == result.obuElementCount
            var length = payload.count - offset
            if !isLast {
                guard let (value, size) = readLEB128(payload, at: offset),
                    value <= UInt64(payload.count - offset - size)
                else { return nil }
                offset += size
                length = Int(value)
            }

            let startsHere = result.elementCount > 0 || !result.continuesPreviousOBU
            if startsHere, length > 0, (payload[offset] >> 3) & 0x0F == sequenceHeaderOBUType {
                result.containsSequenceHeader = true
            }
            result.elementCount += 1
            offset += length
            if isLast { break }
        }
        guard result.obuElementCount == 0 || result.elementCount == result.obuElementCount else { return nil }
        return result
    }

    /// Reads an unsigned LEB128 value (AV1 specification section 4.10.5) of at most 8 bytes and
    /// returns it with its encoded size.
    static func readLEB128(_ bytes: UnsafeRawBufferPointer, at start: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        for index in 0..<8 {
            guard start + index < bytes.count else { return nil }
            let byte = bytes[start + index]
            value |= UInt64(byte & 0x7F) << UInt64(7 * index)
            if byte & 0x80 == 0 { return (value, index + 1) }
        }
        return nil
    }
}
