/// An SRTP protection profile negotiated by the DTLS `use_srtp` extension (RFC 5764 section 4.1.2).
///
/// The SRTP target declares a matching `SRTPProtectionProfile` because it does not depend on this
/// target; the two enums have the same cases.
public enum SRTPProfileName: Sendable, CaseIterable, Hashable {
    /// AEAD_AES_128_GCM with a 16-byte tag for SRTP and SRTCP (RFC 7714 section 14.2), profile 0x0007.
    case aeadAES128GCM
    /// AES-128 counter mode with an 80-bit HMAC-SHA1 tag (RFC 5764 section 4.1.2), profile 0x0001.
    case aesCM128HMACSHA1_80

    /// The two-byte profile identifier on the wire.
    public var identifier: UInt16 {
        switch self {
        case .aeadAES128GCM: return 0x0007
        case .aesCM128HMACSHA1_80: return 0x0001
        }
    }

    public init?(identifier: UInt16) {
        switch identifier {
        case 0x0007: self = .aeadAES128GCM
        case 0x0001: self = .aesCM128HMACSHA1_80
        default: return nil
        }
    }

    /// The profile name that `SSL_CTX_set_tlsext_use_srtp` accepts.
    public var openSSLName: String {
        switch self {
        case .aeadAES128GCM: return "SRTP_AEAD_AES_128_GCM"
        case .aesCM128HMACSHA1_80: return "SRTP_AES128_CM_SHA1_80"
        }
    }

    /// The SRTP master key length in bytes.
    public var masterKeyLength: Int { 16 }

    /// The SRTP master salt length in bytes: 14 for AES-CM (RFC 3711 section 8.2) and 12 for
    /// AES-GCM (RFC 7714 section 12).
    public var masterSaltLength: Int {
        switch self {
        case .aeadAES128GCM: return 12
        case .aesCM128HMACSHA1_80: return 14
        }
    }
}
