import Crypto
import Wire

/// The result of checking FINGERPRINT (RFC 8489 section 14.7).
public enum STUNFingerprintStatus: Sendable {
    case absent
    case valid
    /// The CRC does not match, the value is not 4 bytes long, or attributes follow it.
    case invalid
}

/// The message integrity attribute that a message carries (RFC 8489 sections 14.5 and 14.6).
public enum STUNIntegrityAlgorithm: Sendable {
    /// MESSAGE-INTEGRITY: HMAC-SHA1, 20 bytes.
    case sha1
    /// MESSAGE-INTEGRITY-SHA256: HMAC-SHA256, 32 bytes here, truncated to 16 or more bytes by
    /// some senders.
    case sha256
}

extension STUNMessageView {
    /// The value XORed into the CRC of FINGERPRINT, "STUN" in ASCII.
    static let fingerprintXOR: UInt32 = 0x5354_554E

    /// Checks FINGERPRINT: the CRC-32 of the message up to the attribute, XORed with 0x5354554E.
    /// The length field in the header already covers FINGERPRINT because it is the last attribute.
    public func verifyFingerprint() -> STUNFingerprintStatus {
        guard let offset = fingerprintOffset else { return .absent }
        guard bytes.loadBigEndianUInt16(at: offset + 2) == 4, offset + 8 == bytes.count else { return .invalid }

        let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<offset])) ^ STUNMessageView.fingerprintXOR
        return crc == bytes.loadBigEndianUInt32(at: offset + 4) ? .valid : .invalid
    }

    /// The integrity attribute that `verifyMessageIntegrity(key:)` checks: SHA-256 when the
    /// message carries MESSAGE-INTEGRITY-SHA256, else SHA-1 when it carries MESSAGE-INTEGRITY.
    public var integrityAlgorithm: STUNIntegrityAlgorithm? {
        if messageIntegritySHA256Offset != nil { return .sha256 }
        if messageIntegrityOffset != nil { return .sha1 }
        return nil
    }

    /// Checks the message integrity with `key`: the password for short-term credentials, or
    /// MD5(username ":" realm ":" password) for long-term ones (RFC 8489 section 9.2.2).
    ///
    /// When MESSAGE-INTEGRITY-SHA256 is present, only it is checked, as RFC 8489 section 9.1.3
    /// specifies for a server; otherwise MESSAGE-INTEGRITY is. The HMAC covers the message up to
    /// the attribute, with the header length field set as if the attribute ended the message
    /// (sections 14.5 and 14.6). Returns false when neither attribute is present.
    public func verifyMessageIntegrity(key: [UInt8]) -> Bool {
        if let offset = messageIntegritySHA256Offset {
            let length = Int(bytes.loadBigEndianUInt16(at: offset + 2))
            // Section 14.6: at least 16 bytes, a multiple of 4, at most the full 32.
            guard length >= 16, length <= 32, length % 4 == 0 else { return false }
            let expected = Array(UnsafeRawBufferPointer(rebasing: bytes[offset + 4..<offset + 4 + length]))
            let computed = hmac(.sha256, key: key, attributeOffset: offset, valueLength: length)
            return Digest.constantTimeEqual(Array(computed.prefix(length)), expected)
        }
        if let offset = messageIntegrityOffset {
            guard bytes.loadBigEndianUInt16(at: offset + 2) == 20 else { return false }
            let expected = Array(UnsafeRawBufferPointer(rebasing: bytes[offset + 4..<offset + 24]))
            return Digest.constantTimeEqual(hmac(.sha1, key: key, attributeOffset: offset, valueLength: 20), expected)
        }
        return false
    }

    /// Computes the HMAC over the message before `attributeOffset`, with the header length
    /// patched to end after an attribute of `valueLength` bytes at that offset.
    private func hmac(
        _ algorithm: STUNIntegrityAlgorithm, key: [UInt8], attributeOffset: Int, valueLength: Int
    ) -> [UInt8] {
        let patchedLength = UInt16(truncatingIfNeeded: attributeOffset + 4 + valueLength - STUNMessageView.headerSize)
        return withUnsafeTemporaryAllocation(byteCount: attributeOffset, alignment: 1) { copy in
            copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<attributeOffset]))
            copy.storeBigEndian(patchedLength, at: 2)
            let covered = UnsafeRawBufferPointer(copy)
            switch algorithm {
            case .sha1: return Digest.sha1HMAC(key: key, data: covered)
            case .sha256: return Digest.sha256HMAC(key: key, data: covered)
            }
        }
    }
}
