/// Reading of RTP header extension elements in the one-byte and two-byte forms of
/// RFC 8285 section 4.
///
/// One-byte form, profile 0xBEDE (section 4.2): each element starts with a byte whose high
/// nibble is the ID (1-14) and low nibble is the value length minus one.
///
///      0 1 2 3 4 5 6 7
///     +-+-+-+-+-+-+-+-+
///     |  ID   |  len  |  value: len + 1 bytes
///     +-+-+-+-+-+-+-+-+
///
/// Two-byte form, profile 0x100X where X is four application bits (section 4.3): an ID byte
/// (1-255) and a length byte (0-255) precede the value.
///
/// In both forms a zero byte between elements is padding. In the one-byte form ID 15 is
/// reserved, and reaching it ends parsing of the block. A byte with ID 0 and a non-zero
/// length is malformed and also ends parsing. An element whose value runs past the block ends
/// parsing, and the elements before it remain valid.
extension RTPPacketView {
    /// Returns the value of the first extension element with `id`, or nil when the packet has
    /// no such element or uses a profile other than the RFC 8285 forms.
    public func extensionElement(id: UInt8, in packet: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var found: UnsafeRawBufferPointer?
        walkExtensions(in: packet) { elementID, value in
            guard elementID == id else { return true }
            found = value
            return false
        }
        return found
    }

    /// Calls `body` with the ID and value of every extension element, in packet order.
    public func forEachExtension(in packet: UnsafeRawBufferPointer, _ body: (UInt8, UnsafeRawBufferPointer) -> Void) {
        walkExtensions(in: packet) { id, value in
            body(id, value)
            return true
        }
    }

    /// Visits elements until `visit` returns false or the block ends.
    @inline(__always)
    private func walkExtensions(
        in packet: UnsafeRawBufferPointer,
        _ visit: (UInt8, UnsafeRawBufferPointer) -> Bool
    ) {
        guard let profile = extensionProfile, let range = extensionRange, range.upperBound <= packet.count else {
            return
        }
        if profile == Self.oneByteExtensionProfile {
            walkOneByteElements(packet, range, visit)
        } else if profile & 0xFFF0 == Self.twoByteExtensionProfile {
            walkTwoByteElements(packet, range, visit)
        }
    }

    @inline(__always)
    private func walkOneByteElements(
        _ packet: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ visit: (UInt8, UnsafeRawBufferPointer) -> Bool
    ) {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let byte = packet[offset]
            if byte == 0 {
                offset += 1
                continue
            }

            let id = byte >> 4
            guard id != 0, id != 15 else { return }
            let valueStart = offset + 1
            let valueEnd = valueStart + Int(byte & 0x0F) + 1
            guard valueEnd <= range.upperBound else { return }

            guard visit(id, UnsafeRawBufferPointer(rebasing: packet[valueStart..<valueEnd])) else { return }
            offset = valueEnd
        }
    }

    @inline(__always)
    private func walkTwoByteElements(
        _ packet: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        _ visit: (UInt8, UnsafeRawBufferPointer) -> Bool
    ) {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let id = packet[offset]
            if id == 0 {
                offset += 1
                continue
            }

            guard offset + 1 < range.upperBound else { return }
            let valueStart = offset + 2
            let valueEnd = valueStart + Int(packet[offset + 1])
            guard valueEnd <= range.upperBound else { return }

            guard visit(id, UnsafeRawBufferPointer(rebasing: packet[valueStart..<valueEnd])) else { return }
            offset = valueEnd
        }
    }
}
