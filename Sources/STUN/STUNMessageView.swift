import Wire

/// A parsed view over one STUN message in a datagram (RFC 8489 section 5).
///
///     0                   1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |0 0|     STUN Message Type     |         Message Length        |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |                         Magic Cookie                          |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |                     Transaction ID (96 bits)                  |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |     Attribute Type            |      Attribute Length         |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |          Value (padded to a multiple of 4 bytes)          ....
///
/// Parsing checks the header and that every attribute fits in the message, and records where
/// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT sit. Attributes are then found
/// by scanning their headers again, so the view allocates nothing. The view borrows the bytes:
/// keep the buffer alive and unchanged while the view is in use.
///
/// Attributes after MESSAGE-INTEGRITY are ignored except MESSAGE-INTEGRITY-SHA256 and
/// FINGERPRINT, and attributes after MESSAGE-INTEGRITY-SHA256 are ignored except FINGERPRINT
/// (RFC 8489 sections 14.5 and 14.6). Attributes after FINGERPRINT are ignored too, and make the
/// fingerprint invalid because FINGERPRINT must be last (section 14.7).
public struct STUNMessageView {
    /// The whole message, header included.
    public let bytes: UnsafeRawBufferPointer
    /// The 14-bit message type, which combines class and method.
    public let messageType: UInt16
    public let transactionID: STUNTransactionID

    /// Offset of the MESSAGE-INTEGRITY attribute header, if the message has one before any
    /// MESSAGE-INTEGRITY-SHA256 or FINGERPRINT.
    let messageIntegrityOffset: Int?
    /// Offset of the MESSAGE-INTEGRITY-SHA256 attribute header, if present before FINGERPRINT.
    let messageIntegritySHA256Offset: Int?
    /// Offset of the first FINGERPRINT attribute header.
    let fingerprintOffset: Int?
    /// End of the attributes that count: the first integrity or FINGERPRINT attribute.
    let endOfAttributes: Int

    public static let headerSize = 20
    public static let magicCookie: UInt32 = 0x2112_A442

    /// Parses the STUN message that fills `bytes`, or returns nil when the header or an
    /// attribute length is invalid (RFC 8489 sections 5 and 14).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> STUNMessageView? {
        guard bytes.count >= headerSize, bytes[0] & 0xC0 == 0 else { return nil }
        let length = Int(bytes.loadBigEndianUInt16(at: 2))
        guard length % 4 == 0, length == bytes.count - headerSize,
            bytes.loadBigEndianUInt32(at: 4) == magicCookie
        else { return nil }

        var messageIntegrity: Int?
        var messageIntegritySHA256: Int?
        var fingerprint: Int?
        var endOfAttributes: Int?
        var offset = headerSize
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { return nil }
            let type = bytes.loadBigEndianUInt16(at: offset)
            let valueLength = Int(bytes.loadBigEndianUInt16(at: offset + 2))
            let paddedLength = (valueLength + 3) & ~3
            guard bytes.count - offset - 4 >= paddedLength else { return nil }

            if fingerprint == nil {
                switch type {
                case STUNAttributeType.messageIntegrity where messageIntegrity == nil && messageIntegritySHA256 == nil:
                    messageIntegrity = offset
                case STUNAttributeType.messageIntegritySHA256 where messageIntegritySHA256 == nil:
                    messageIntegritySHA256 = offset
                case STUNAttributeType.fingerprint:
                    fingerprint = offset
                default:
                    break
                }
                if endOfAttributes == nil,
                    messageIntegrity != nil || messageIntegritySHA256 != nil || fingerprint != nil
                {
                    endOfAttributes = offset
                }
            }
            offset += 4 + paddedLength
        }

        return STUNMessageView(
            bytes: bytes,
            messageType: bytes.loadBigEndianUInt16(at: 0),
            transactionID: STUNTransactionID(reading: bytes, at: 8),
            messageIntegrityOffset: messageIntegrity,
            messageIntegritySHA256Offset: messageIntegritySHA256,
            fingerprintOffset: fingerprint,
            endOfAttributes: endOfAttributes ?? bytes.count
        )
    }

    public var messageClass: STUNClass { STUNMessageType.messageClass(messageType) }

    /// The 12-bit method, such as `STUNMethod.binding`.
    public var method: UInt16 { STUNMessageType.method(messageType) }

    /// Returns the value (without padding) of the first attribute of `type` before
    /// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, or nil when there is none.
    /// Use the integrity and fingerprint checks for those three attributes.
    public func attribute(_ type: UInt16) -> UnsafeRawBufferPointer? {
        var found: UnsafeRawBufferPointer?
        forEachAttribute { attributeType, value in
            guard attributeType == type else { return true }
            found = value
            return false
        }
        return found
    }

    /// Calls `body` with the type and value of each attribute before the integrity and
    /// fingerprint attributes, in order, until it returns false.
    public func forEachAttribute(_ body: (UInt16, UnsafeRawBufferPointer) -> Bool) {
        var offset = STUNMessageView.headerSize
        // parse(_:) checked that every attribute up to the end of the message fits.
        while offset < endOfAttributes {
            let type = bytes.loadBigEndianUInt16(at: offset)
            let valueLength = Int(bytes.loadBigEndianUInt16(at: offset + 2))
            let value = UnsafeRawBufferPointer(rebasing: bytes[offset + 4..<offset + 4 + valueLength])
            guard body(type, value) else { return }
            offset += 4 + (valueLength + 3) & ~3
        }
    }

    /// The comprehension-required attribute types that this implementation does not understand,
    /// each listed once, for the UNKNOWN-ATTRIBUTES of a 420 response (RFC 8489 section 6.3.1).
    /// Empty, and allocation-free, for the usual message.
    public var unknownComprehensionRequired: [UInt16] {
        var unknown: [UInt16] = []
        forEachAttribute { type, _ in
            if STUNAttributeType.isComprehensionRequired(type), !STUNAttributeType.isUnderstood(type),
                !unknown.contains(type)
            {
                unknown.append(type)
            }
            return true
        }
        return unknown
    }
}

/// Returns whether a datagram on a multiplexed port is STUN. RFC 7983 section 7 assigns first
/// bytes 0...3 to STUN, and the magic cookie of RFC 8489 section 5 separates STUN from the rest.
@inlinable
public func isSTUNPacket(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= STUNMessageView.headerSize && bytes[0] <= 3
        && bytes.loadBigEndianUInt32(at: 4) == STUNMessageView.magicCookie
}
