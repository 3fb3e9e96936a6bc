import COpenSSL

/// A hash function for certificate fingerprints, named as in the SDP `a=fingerprint` attribute
/// (RFC 8122 section 5, hash function textual names from the IANA registry).
public enum FingerprintAlgorithm: String, CaseIterable, Sendable {
    case sha1 = "sha-1"
    case sha224 = "sha-224"
    case sha256 = "sha-256"
    case sha384 = "sha-384"
    case sha512 = "sha-512"

    /// Looks up an SDP hash function name; RFC 8122 section 5 makes the names case-insensitive.
    public init?(sdpName: String) {
        self.init(rawValue: sdpName.lowercased())
    }

    var messageDigest: OpaquePointer? {
        switch self {
        case .sha1: return EVP_sha1()
        case .sha224: return EVP_sha224()
        case .sha256: return EVP_sha256()
        case .sha384: return EVP_sha384()
        case .sha512: return EVP_sha512()
        }
    }
}

/// Fingerprint text in the SDP form: uppercase hex byte pairs joined by colons (RFC 8122 section 5).
public enum FingerprintFormat {
    public static func format(_ digest: [UInt8]) -> String {
        let hexDigits = Array("0123456789ABCDEF")
        var text = ""
        text.reserveCapacity(digest.count * 3)
        for (index, byte) in digest.enumerated() {
            if index > 0 { text.append(":") }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return text
    }

    /// Compares two fingerprints, ignoring the case of hex digits and surrounding whitespace.
    public static func matches(_ a: String, _ b: String) -> Bool {
        let left = a.trimmingWhitespace().uppercased()
        let right = b.trimmingWhitespace().uppercased()
        return Digest.constantTimeEqual(Array(left.utf8), Array(right.utf8))
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}

/// Computes the fingerprint of the DER encoding of `certificate` (an `X509*`).
func certificateFingerprint(of certificate: OpaquePointer, algorithm: FingerprintAlgorithm) -> String? {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    guard X509_digest(certificate, algorithm.messageDigest, &digest, &length) == 1 else {
        OpenSSLErrorQueue.clear()
        return nil
    }
    return FingerprintFormat.format(Array(digest.prefix(Int(length))))
}
