import COpenSSL

/// An `SSL_CTX` configured for DTLS-SRTP in one role, shared by every connection that uses the
/// same certificate and role.
///
/// Settings (RFC 5763, RFC 5764, RFC 8827 section 6.5):
/// - DTLS 1.2 only.
/// - `use_srtp` with AEAD_AES_128_GCM preferred over AES_CM_128_HMAC_SHA1_80. OpenSSL's server picks
///   the first profile in its own list that the client offers.
/// - ECDHE over X25519 or P-256 with the ECDSA certificate.
/// - The peer must present a certificate. The chain is not validated, because the peer is
///   authenticated by the fingerprint from the SDP, which `DTLSConnection` checks.
/// - No cookie exchange, because ICE connectivity checks already proved that the peer's address
///   is reachable.
final class DTLSContext: @unchecked Sendable {
    let context: OpaquePointer

    static let srtpProfiles = SRTPProfileName.allCases.map(\.openSSLName).joined(separator: ":")
    static let groups = "X25519:P-256"
    /// ECDHE-ECDSA suites that browsers offer, AEAD suites first.
    static let cipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
        + "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"

    init(role: DTLSRole, x509: OpaquePointer, privateKey: OpaquePointer) throws {
        guard let context = SSL_CTX_new(DTLS_method()) else { throw CryptoError.fromQueue("SSL_CTX_new") }
        self.context = context
        do {
            try configure(role: role, x509: x509, privateKey: privateKey)
        } catch {
            SSL_CTX_free(context)
            throw error
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    private func configure(role: DTLSRole, x509: OpaquePointer, privateKey: OpaquePointer) throws {
        guard chorus_SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1,
            chorus_SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION) == 1
        else { throw CryptoError.fromQueue("SSL_CTX_set_min_proto_version") }

        _ = chorus_SSL_CTX_set_dtls_srtp_options(context)
        _ = chorus_SSL_CTX_set_session_cache_off(context)

        guard SSL_CTX_use_certificate(context, x509) == 1 else {
            throw CryptoError.fromQueue("SSL_CTX_use_certificate")
        }
        guard SSL_CTX_use_PrivateKey(context, privateKey) == 1, SSL_CTX_check_private_key(context) == 1 else {
            throw CryptoError.fromQueue("SSL_CTX_use_PrivateKey")
        }
        guard SSL_CTX_set_cipher_list(context, Self.cipherList) == 1 else {
            throw CryptoError.fromQueue("SSL_CTX_set_cipher_list")
        }
        guard chorus_SSL_CTX_set1_groups_list(context, Self.groups) == 1 else {
            throw CryptoError.fromQueue("SSL_CTX_set1_groups_list")
        }
        // Unlike most OpenSSL functions, this one returns 0 on success.
        guard SSL_CTX_set_tlsext_use_srtp(context, Self.srtpProfiles) == 0 else {
            throw CryptoError.fromQueue("SSL_CTX_set_tlsext_use_srtp")
        }

        // SSL_VERIFY_FAIL_IF_NO_PEER_CERT only affects the server; a client always receives one.
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        SSL_CTX_set_cert_verify_callback(context, verifyPeerCertificate, nil)
    }
}

/// Replaces OpenSSL's chain validation with the fingerprint check of `DTLSConnection`.
/// Returning 0 aborts the handshake with a `bad_certificate` alert.
private func verifyPeerCertificate(
    _ store: OpaquePointer?, _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let store, let certificate = X509_STORE_CTX_get0_cert(store),
        let sslPointer = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
        let connectionPointer = chorus_SSL_get_app_data(OpaquePointer(sslPointer))
    else { return 0 }
    let connection = Unmanaged<DTLSConnection>.fromOpaque(connectionPointer).takeUnretainedValue()
    guard connection.acceptsPeerCertificate(certificate) else {
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)
        return 0
    }
    return 1
}
