import Wire

/// A structural check of each received datagram before it reaches OpenSSL.
///
/// Every record must have a content type that DTLS-SRTP uses, a DTLS version and a length that fits
/// the datagram (RFC 6347 section 4.1):
///
///     0                   1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |  content type |    version (0xFEFD or 0xFEFF) |     epoch     |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |     epoch     |          sequence number (48 bits)            |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |                       sequence number                         |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |             length            |   fragment ...
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Records of epoch 0 are plaintext, so their contents are checked too: OpenSSL drops records
/// that fail authentication, but it ends the handshake on a malformed plaintext record such as a
/// change_cipher_spec with a wrong body. Dropping such datagrams here keeps stray or truncated
/// datagrams from killing a handshake. A well-formed fatal alert in epoch 0 still ends it, as
/// RFC 6347 allows.
public enum DTLSRecordFilter {
    /// RFC 6347 section 4.1.2: a record's ciphertext is at most 2^14 + 2048 bytes.
    static let maximumRecordLength = 16_384 + 2048

    enum ContentType {
        static let changeCipherSpec: UInt8 = 20
        static let alert: UInt8 = 21
        static let handshake: UInt8 = 22
        static let applicationData: UInt8 = 23
    }

    /// Handshake message types that can appear in plaintext (RFC 5246 section 7.4, RFC 6347
    /// section 4.2.1): hello_request through client_key_exchange, without finished, which is
    /// always encrypted.
    static let plaintextHandshakeTypes: Set<UInt8> = [0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16]

    /// Returns whether the first byte falls in the DTLS range of the RFC 7983 section 7 demultiplexing
    /// rule (20 to 63), as opposed to STUN, RTP or RTCP.
    public static func isDTLS(firstByte: UInt8) -> Bool {
        (20...63).contains(firstByte)
    }

    /// Returns whether `datagram` is a sequence of complete, structurally valid DTLS records.
    public static func isWellFormed(_ datagram: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(datagram)
        guard reader.remaining > 0 else { return false }
        while reader.remaining > 0 {
            guard let contentType = reader.readUInt8(),
                let version = reader.readUInt16(), version == 0xFEFD || version == 0xFEFF,
                let epoch = reader.readUInt16(),
                reader.skip(6),
                let length = reader.readUInt16(), Int(length) <= maximumRecordLength,
                let body = reader.readBytes(Int(length)),
                isValidBody(body, contentType: contentType, plaintext: epoch == 0)
            else { return false }
        }
        return true
    }

    private static func isValidBody(_ body: UnsafeRawBufferPointer, contentType: UInt8, plaintext: Bool) -> Bool {
        switch contentType {
        case ContentType.changeCipherSpec:
            // RFC 5246 section 7.1: a single byte of value 1; never encrypted without renegotiation.
            return body.count == 1 && body[0] == 1
        case ContentType.alert:
            // RFC 5246 section 7.2: level (warning 1 or fatal 2) and description.
            return !plaintext || (body.count == 2 && (1...2).contains(body[0]))
        case ContentType.handshake:
            return !plaintext || isValidPlaintextHandshake(body)
        case ContentType.applicationData:
            return !plaintext
        default:
            return false
        }
    }

    /// Checks the handshake fragment headers of a plaintext record (RFC 6347 section 4.2.2):
    /// type (1), length (3), message_seq (2), fragment_offset (3), fragment_length (3), fragment.
    private static func isValidPlaintextHandshake(_ body: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(body)
        guard reader.remaining > 0 else { return false }
        while reader.remaining > 0 {
            guard let messageType = reader.readUInt8(), plaintextHandshakeTypes.contains(messageType),
                let messageLength = reader.readUInt24(),
                reader.skip(2),
                let fragmentOffset = reader.readUInt24(),
                let fragmentLength = reader.readUInt24(),
                UInt64(fragmentOffset) + UInt64(fragmentLength) <= UInt64(messageLength),
                reader.skip(Int(fragmentLength))
            else { return false }
        }
        return true
    }
}
