import Wire

/// A parsed RTP packet (RFC 3550 section 5.1) that stores offsets into the caller's
/// buffer and copies nothing, so parsing does not allocate.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |V=2|P|X|  CC   |M|     PT      |       sequence number         |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                           timestamp                           |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |           synchronization source (SSRC) identifier            |
///     +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///     |            contributing source (CSRC) identifiers             |
///     |                             ....                              |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |      defined by profile       |           length              |  (X = 1)
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                  header extension elements                    |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The view does not keep the buffer: methods that read bytes take the packet again.
public struct RTPPacketView: Equatable, Sendable {
    /// Size of the fixed header, before the CSRC list.
    public static let fixedHeaderLength = 12
    /// Profile value of the one-byte header extension form (RFC 8285 section 4.2).
    public static let oneByteExtensionProfile: UInt16 = 0xBEDE
    /// Profile value of the two-byte header extension form with its four "appbits"
    /// cleared (RFC 8285 section 4.3).
    public static let twoByteExtensionProfile: UInt16 = 0x1000

    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcCount: Int
    public var hasPadding: Bool
    /// Padding bytes at the end of the packet, including the count byte itself; 0 without padding.
    public var paddingLength: Int
    /// Fixed header plus CSRC list plus header extension block: the offset of the payload.
    public var headerLength: Int
    /// Payload bytes, excluding padding.
    public var payloadLength: Int
    /// The 16-bit profile field of the header extension, or nil when X is 0.
    public var extensionProfile: UInt16?
    /// Offsets of the extension elements, after the 4-byte extension header.
    public var extensionRange: Range<Int>?

    /// Offsets of the payload within the packet.
    public var payloadRange: Range<Int> { headerLength..<headerLength + payloadLength }

    /// Total packet length: header, payload and padding.
    public var packetLength: Int { headerLength + payloadLength + paddingLength }

    /// The four application bits of a two-byte form profile (0x100X), or nil for any other profile.
    public var extensionAppBits: UInt8? {
        guard let profile = extensionProfile, profile & 0xFFF0 == Self.twoByteExtensionProfile else { return nil }
        return UInt8(truncatingIfNeeded: profile & 0x000F)
    }

    /// Parses the header of `packet`.
    ///
    /// Returns nil when the version is not 2, the packet is shorter than the fixed header, or
    /// the CSRC list, the extension block or the padding count reaches past the end of the
    /// packet. A padding count of 0 is invalid because the count includes its own byte
    /// (RFC 3550 section 5.1).
    public static func parse(_ packet: UnsafeRawBufferPointer) -> RTPPacketView? {
        let count = packet.count
        guard count >= fixedHeaderLength else { return nil }

        let first = packet[0]
        guard first >> 6 == 2 else { return nil }
        let hasPadding = first & 0x20 != 0
        let hasExtension = first & 0x10 != 0
        let csrcCount = Int(first & 0x0F)

        var headerLength = fixedHeaderLength + csrcCount * 4
        guard headerLength <= count else { return nil }

        var extensionProfile: UInt16?
        var extensionRange: Range<Int>?
        if hasExtension {
            guard count - headerLength >= 4 else { return nil }
            extensionProfile = packet.loadBigEndianUInt16(at: headerLength)
            let elementsLength = Int(packet.loadBigEndianUInt16(at: headerLength + 2)) * 4
            let elementsStart = headerLength + 4
            guard count - elementsStart >= elementsLength else { return nil }
            extensionRange = elementsStart..<elementsStart + elementsLength
            headerLength = elementsStart + elementsLength
        }

        var paddingLength = 0
        if hasPadding {
            paddingLength = Int(packet[count - 1])
            guard paddingLength >= 1, paddingLength <= count - headerLength else { return nil }
        }

        let second = packet[1]
        return RTPPacketView(
            marker: second & 0x80 != 0,
            payloadType: second & 0x7F,
            sequenceNumber: packet.loadBigEndianUInt16(at: 2),
            timestamp: packet.loadBigEndianUInt32(at: 4),
            ssrc: packet.loadBigEndianUInt32(at: 8),
            csrcCount: csrcCount,
            hasPadding: hasPadding,
            paddingLength: paddingLength,
            headerLength: headerLength,
            payloadLength: count - headerLength - paddingLength,
            extensionProfile: extensionProfile,
            extensionRange: extensionRange
        )
    }

    /// Returns the CSRC at `index` (0 ..< `csrcCount`), or nil when the index or packet does not fit.
    public func csrc(at index: Int, in packet: UnsafeRawBufferPointer) -> UInt32? {
        guard index >= 0, index < csrcCount else { return nil }
        let offset = Self.fixedHeaderLength + index * 4
        guard offset + 4 <= packet.count else { return nil }
        return packet.loadBigEndianUInt32(at: offset)
    }

    /// Returns the payload bytes of `packet`, without padding, or nil when `packet` is shorter
    /// than the one this view was parsed from.
    public func payload(in packet: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let range = payloadRange
        guard range.upperBound <= packet.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: packet[range])
    }
}
