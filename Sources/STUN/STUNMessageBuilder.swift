import Crypto
import Wire

/// Builds a STUN message (RFC 8489 section 5): add attributes in order, then `finish` appends
/// MESSAGE-INTEGRITY and FINGERPRINT, which must come last.
public struct STUNMessageBuilder {
    private var writer: ByteWriter
    public let transactionID: STUNTransactionID
    /// The byte that pads attribute values to a multiple of 4. RFC 8489 section 14 lets it be
    /// any value and receivers ignore it; RFC 5769 test vectors use 0x20.
    public var paddingByte: UInt8 = 0

    public init(class messageClass: STUNClass, method: UInt16, transactionID: STUNTransactionID) {
        self.transactionID = transactionID
        writer = ByteWriter(capacity: 128)
        writer.write(STUNMessageType.encode(class: messageClass, method: method))
        writer.write(UInt16(0))  // Length, set by finish().
        writer.write(STUNMessageView.magicCookie)
        writer.write(transactionID.words.0)
        writer.write(transactionID.words.1)
        writer.write(transactionID.words.2)
    }

    /// Appends an attribute with `value`, padded to a multiple of 4 bytes.
    public mutating func add(type: UInt16, value: [UInt8]) {
        precondition(value.count <= Int(UInt16.max), "a STUN attribute value is at most 65535 bytes")
        writer.write(type)
        writer.write(UInt16(value.count))
        writer.write(contentsOf: value)
        let padding = (4 - value.count % 4) % 4
        for _ in 0..<padding {
            writer.write(paddingByte)
        }
    }

    /// Appends XOR-MAPPED-ADDRESS (RFC 8489 section 14.2).
    public mutating func addXORMappedAddress(_ address: SocketAddress) {
        add(type: STUNAttributeType.xorMappedAddress, value: XORAddress.encode(address, transactionID: transactionID))
    }

    /// Appends ERROR-CODE (RFC 8489 section 14.8) for `code` in 300...699.
    public mutating func addErrorCode(_ code: Int, reason: String) {
        precondition((300...699).contains(code), "a STUN error code is in 300...699")
        var value = ByteWriter(capacity: 4 + reason.utf8.count)
        value.write(UInt16(0))
        value.write(UInt8(code / 100))
        value.write(UInt8(code % 100))
        // Section 14.8: the reason phrase is fewer than 128 characters of UTF-8.
        value.write(contentsOf: reason.prefix(127).utf8)
        add(type: STUNAttributeType.errorCode, value: value.bytes)
    }

    /// Appends UNKNOWN-ATTRIBUTES (RFC 8489 section 14.13), for a 420 response.
    public mutating func addUnknownAttributes(_ types: [UInt16]) {
        var value = ByteWriter(capacity: types.count * 2)
        for type in types {
            value.write(type)
        }
        add(type: STUNAttributeType.unknownAttributes, value: value.bytes)
    }

    /// Appends USERNAME (RFC 8489 section 14.3).
    public mutating func addUsername(_ username: String) {
        add(type: STUNAttributeType.username, value: Array(username.utf8))
    }

    /// Appends SOFTWARE (RFC 8489 section 14.14).
    public mutating func addSoftware(_ software: String) {
        add(type: STUNAttributeType.software, value: Array(software.utf8))
    }

    /// Appends PRIORITY (RFC 8445 section 7.1.1).
    public mutating func addPriority(_ priority: UInt32) {
        var value = ByteWriter(capacity: 4)
        value.write(priority)
        add(type: STUNAttributeType.priority, value: value.bytes)
    }

    /// Appends USE-CANDIDATE (RFC 8445 section 7.1.2), which has no value.
    public mutating func addUseCandidate() {
        add(type: STUNAttributeType.useCandidate, value: [])
    }

    /// Appends ICE-CONTROLLING (RFC 8445 section 7.1.3) with its tie-breaker.
    public mutating func addICEControlling(_ tieBreaker: UInt64) {
        var value = ByteWriter(capacity: 8)
        value.write(tieBreaker)
        add(type: STUNAttributeType.iceControlling, value: value.bytes)
    }

    /// Appends ICE-CONTROLLED (RFC 8445 section 7.1.3) with its tie-breaker.
    public mutating func addICEControlled(_ tieBreaker: UInt64) {
        var value = ByteWriter(capacity: 8)
        value.write(tieBreaker)
        add(type: STUNAttributeType.iceControlled, value: value.bytes)
    }

    /// Returns the message, with MESSAGE-INTEGRITY (HMAC-SHA1) keyed by `integrityKey` when one
    /// is given and FINGERPRINT when `fingerprint` is true.
    public func finish(integrityKey: [UInt8]?, fingerprint: Bool) -> [UInt8] {
        finish(integrityKey: integrityKey, algorithm: .sha1, fingerprint: fingerprint)
    }

    /// Returns the message, with the integrity attribute of `algorithm` keyed by `integrityKey`
    /// when one is given (RFC 8489 sections 14.5 and 14.6), then FINGERPRINT when `fingerprint`
    /// is true (section 14.7). Each is computed with the header length already counting it.
    public func finish(integrityKey: [UInt8]?, algorithm: STUNIntegrityAlgorithm, fingerprint: Bool) -> [UInt8] {
        var message = writer
        if let integrityKey {
            let type: UInt16
            let macLength: Int
            switch algorithm {
            case .sha1: (type, macLength) = (STUNAttributeType.messageIntegrity, 20)
            case .sha256: (type, macLength) = (STUNAttributeType.messageIntegritySHA256, 32)
            }
            message.set(UInt16(message.count + 4 + macLength - STUNMessageView.headerSize), at: 2)
            let mac =
                switch algorithm {
                case .sha1: Digest.sha1HMAC(key: integrityKey, data: message.bytes)
                case .sha256: Digest.sha256HMAC(key: integrityKey, data: message.bytes)
                }
            message.write(type)
            message.write(UInt16(macLength))
            message.write(contentsOf: mac)
        }
        if fingerprint {
            message.set(UInt16(message.count + 8 - STUNMessageView.headerSize), at: 2)
            let crc = CRC32.checksum(message.bytes) ^ STUNMessageView.fingerprintXOR
            message.write(STUNAttributeType.fingerprint)
            message.write(UInt16(4))
            message.write(crc)
        }
        message.set(UInt16(message.count - STUNMessageView.headerSize), at: 2)
        return message.bytes
    }
}
