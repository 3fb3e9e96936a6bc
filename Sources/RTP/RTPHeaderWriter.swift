import Wire

/// Writes RTP headers (RFC 3550 section 5.1) with header extensions (RFC 8285 section 4)
/// into a caller-owned buffer, so that a forwarded packet gets its new header without an
/// allocation beyond the element list.
public struct RTPHeaderWriter {
    /// Writes a 12-byte RTP header, with version 2, no padding and no CSRCs, followed by an
    /// extension block holding `extensions` in order, and returns the number of bytes written.
    ///
    /// The block uses the one-byte form when every ID is 1-14 and every value is 1-16 bytes
    /// long, and the two-byte form (profile 0x1000) otherwise. The block is padded with zero
    /// bytes to a multiple of 4. Returns nil, having written nothing, when the header does
    /// not fit in `buffer`.
    ///
    /// - Precondition: every ID is 1-255 and every value at most 255 bytes long.
    public static func write(
        into buffer: UnsafeMutableRawBufferPointer,
        marker: Bool,
        payloadType: UInt8,
        sequenceNumber: UInt16,
        timestamp: UInt32,
        ssrc: UInt32,
        extensions: [(id: UInt8, value: [UInt8])] = []
    ) -> Int? {
        precondition(payloadType < 128, "an RTP payload type has 7 bits")
        let oneByteForm = extensions.allSatisfy { $0.id >= 1 && $0.id <= 14 && (1...16).contains($0.value.count) }
        let elementsLength = extensionElementsLength(extensions, oneByteForm: oneByteForm)
        let blockLength = extensions.isEmpty ? 0 : 4 + (elementsLength + 3) / 4 * 4
        precondition(blockLength <= 4 + 0xFFFF * 4, "an extension block has at most 65535 words")
        let total = RTPPacketView.fixedHeaderLength + blockLength
        guard total <= buffer.count else { return nil }

        buffer[0] = extensions.isEmpty ? 0x80 : 0x90
        buffer[1] = (marker ? 0x80 : 0) | payloadType
        buffer.storeBigEndian(sequenceNumber, at: 2)
        buffer.storeBigEndian(timestamp, at: 4)
        buffer.storeBigEndian(ssrc, at: 8)
        guard !extensions.isEmpty else { return total }

        let profile = oneByteForm ? RTPPacketView.oneByteExtensionProfile : RTPPacketView.twoByteExtensionProfile
        buffer.storeBigEndian(profile, at: 12)
        buffer.storeBigEndian(UInt16((blockLength - 4) / 4), at: 14)
        var offset = 16
        for element in extensions {
            if oneByteForm {
                buffer[offset] = element.id << 4 | UInt8(element.value.count - 1)
                offset += 1
            } else {
                buffer[offset] = element.id
                buffer[offset + 1] = UInt8(element.value.count)
                offset += 2
            }
            for byte in element.value {
                buffer[offset] = byte
                offset += 1
            }
        }
        while offset < total {
            buffer[offset] = 0
            offset += 1
        }
        return total
    }

    private static func extensionElementsLength(_ extensions: [(id: UInt8, value: [UInt8])], oneByteForm: Bool) -> Int {
        var length = 0
        for element in extensions {
            precondition(element.id != 0, "extension ID 0 is reserved for padding")
            precondition(element.value.count <= 255, "an extension value has at most 255 bytes")
            length += (oneByteForm ? 1 : 2) + element.value.count
        }
        return length
    }
}
