import CSRTP

/// Process-wide libsrtp state: `srtp_init` runs once, on first use.
///
/// NOTE: Debian 12's libsrtp2 2.5.0 is built against NSS (its shared library links libnss3).
/// NSS sets up cipher contexts per packet, which makes AES_CM_128_HMAC_SHA1_80 about five times
/// slower than AEAD_AES_128_GCM per 1200-byte packet (see SRTPBenchmarkTests).
public enum SRTPLibrary {
    /// Swift guarantees that a static stored property is initialized lazily and only once, even when
    /// threads race on the first access.
    private static let initStatus: srtp_err_status_t = srtp_init()

    static func initialize() throws {
        guard initStatus == srtp_err_status_ok else { throw SRTPError(status: initStatus) }
    }

    /// The libsrtp version string, such as "libsrtp2 2.5.0".
    public static var version: String {
        String(cString: srtp_get_version_string())
    }
}
