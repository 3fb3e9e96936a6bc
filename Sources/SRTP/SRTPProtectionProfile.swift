import CSRTP

/// An SRTP protection profile from the DTLS `use_srtp` extension (RFC 5764 section 4.1.2).
///
/// Mirrors `SRTPProfileName` of the Crypto target case for case, so that this target does not
/// depend on OpenSSL.
public enum SRTPProtectionProfile: Sendable, CaseIterable, Hashable {
    /// AEAD_AES_128_GCM with a 16-byte tag (RFC 7714 section 14.2).
    case aeadAES128GCM
    /// AES-128 counter mode with an 80-bit HMAC-SHA1 tag for SRTP and SRTCP (RFC 3711, RFC 5764).
    case aesCM128HMACSHA1_80

    /// The master key length in bytes.
    public var keyLength: Int { 16 }

    /// The master salt length in bytes: 12 for AES-GCM (RFC 7714 section 12), 14 for AES-CM.
    public var saltLength: Int {
        switch self {
        case .aeadAES128GCM: return 12
        case .aesCM128HMACSHA1_80: return 14
        }
    }

    /// The authentication tag length that protection appends, in bytes.
    public var tagLength: Int {
        switch self {
        case .aeadAES128GCM: return 16
        case .aesCM128HMACSHA1_80: return 10
        }
    }

    /// Bytes that `protectRTP` appends: the tag (no MKI is used).
    public var rtpTrailerLength: Int { tagLength }

    /// Bytes that `protectRTCP` appends: the E flag with the SRTCP index (RFC 3711 section 3.4),
    /// then the tag.
    public var rtcpTrailerLength: Int { tagLength + 4 }

    func setCryptoPolicy(_ policy: inout srtp_crypto_policy_t) {
        switch self {
        case .aeadAES128GCM: srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy)
        case .aesCM128HMACSHA1_80: chorus_srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy)
        }
    }
}
