import COpenSSL

/// Results of the handshake: the peer's certificate, the protocol parameters, and the SRTP
/// profile with its keying material.
extension DTLSConnection {
    /// The SHA-256 fingerprint of the peer's certificate, once the peer has sent it.
    public var peerCertificateFingerprint: String? {
        peerCertificateFingerprint(algorithm: .sha256)
    }

    /// Computes the fingerprint of the peer's certificate with any supported hash, for SDP
    /// fingerprints other than SHA-256.
    public func peerCertificateFingerprint(algorithm: FingerprintAlgorithm) -> String? {
        guard let peer = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(peer) }
        return certificateFingerprint(of: peer, algorithm: algorithm)
    }

    /// The negotiated protocol version, such as "DTLSv1.2", for logs.
    public var protocolVersion: String? {
        guard state == .connected, let version = SSL_get_version(ssl) else { return nil }
        return String(cString: version)
    }

    /// The negotiated cipher suite in OpenSSL's naming, such as "ECDHE-ECDSA-AES128-GCM-SHA256", for logs.
    public var cipherSuite: String? {
        guard let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else { return nil }
        return String(cString: name)
    }

    /// The profile that `use_srtp` selected, or nil before the handshake or if the peer offered
    /// none of ours.
    public var selectedSRTPProfile: SRTPProfileName? {
        guard let profile = SSL_get_selected_srtp_profile(ssl) else { return nil }
        guard let identifier = UInt16(exactly: profile.pointee.id) else { return nil }
        return SRTPProfileName(identifier: identifier)
    }

    /// Exports the SRTP master keys and salts with the "EXTRACTOR-dtls_srtp" exporter
    /// (RFC 5764 section 4.2), laid out as client key, server key, client salt, server salt.
    /// Returns nil unless the handshake completed with an SRTP profile.
    public func exportSRTPKeyingMaterial() -> SRTPKeyingMaterial? {
        guard state == .connected, let profile = selectedSRTPProfile else { return nil }
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        var material = [UInt8](repeating: 0, count: 2 * (keyLength + saltLength))
        defer { for index in material.indices { material[index] = 0 } }
        let label = Self.keyingMaterialLabel
        let status = SSL_export_keying_material(
            ssl, &material, material.count, label, label.utf8.count, nil, 0, 0)
        guard status == 1 else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        var offset = 0
        func take(_ count: Int) -> [UInt8] {
            defer { offset += count }
            return Array(material[offset..<offset + count])
        }
        let clientKey = take(keyLength)
        let serverKey = take(keyLength)
        let clientSalt = take(saltLength)
        let serverSalt = take(saltLength)
        return SRTPKeyingMaterial(
            clientKey: clientKey, clientSalt: clientSalt, serverKey: serverKey, serverSalt: serverSalt)
    }
}
