import COpenSSL

/// A self-signed ECDSA P-256 certificate and its private key, for DTLS-SRTP (RFC 5763 section 5).
///
/// WebRTC peers authenticate the certificate by the fingerprint carried in the SDP, not by a chain,
/// so one is generated at start. Instances are immutable and may be shared between threads: OpenSSL
/// reference-counts the key and certificate, and the prepared `SSL_CTX` objects are only read after
/// `generate()` returns.
public final class Certificate: @unchecked Sendable {
    /// The `X509*`.
    let x509: OpaquePointer
    /// The `EVP_PKEY*`.
    let privateKey: OpaquePointer
    /// The fingerprint for `a=fingerprint:sha-256` (RFC 8122), such as "AB:CD:…".
    public let sha256Fingerprint: String
    /// The DER encoding of the certificate.
    public let derBytes: [UInt8]
    /// Prepared DTLS contexts, one per role, so that each connection only calls `SSL_new`.
    let serverContext: DTLSContext
    let clientContext: DTLSContext

    public static let commonName = "chorus"

    /// Generates a new key pair and a certificate valid from one day ago (to tolerate peers whose
    /// clocks are behind) until `validDays` days from now, with a random 63-bit serial number.
    public static func generate(validDays: Int = 30) throws -> Certificate {
        precondition(validDays > 0, "a certificate must be valid for at least one day")
        OpenSSLErrorQueue.clear()
        let key = try generateP256Key()
        let x509: OpaquePointer
        do {
            x509 = try makeSelfSigned(key: key, validDays: validDays)
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        return try Certificate(x509: x509, privateKey: key)
    }

    /// Takes ownership of `x509` and `privateKey`.
    private init(x509: OpaquePointer, privateKey: OpaquePointer) throws {
        self.x509 = x509
        self.privateKey = privateKey
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509(x509, &der)
        if length > 0, let der {
            derBytes = Array(UnsafeBufferPointer(start: der, count: Int(length)))
            CRYPTO_free(der, #fileID, #line)
        } else {
            derBytes = []
        }
        guard let fingerprint = certificateFingerprint(of: x509, algorithm: .sha256), !derBytes.isEmpty else {
            X509_free(x509)
            EVP_PKEY_free(privateKey)
            throw CryptoError.fromQueue("i2d_X509")
        }
        sha256Fingerprint = fingerprint
        do {
            serverContext = try DTLSContext(role: .server, x509: x509, privateKey: privateKey)
            clientContext = try DTLSContext(role: .client, x509: x509, privateKey: privateKey)
        } catch {
            X509_free(x509)
            EVP_PKEY_free(privateKey)
            throw error
        }
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(privateKey)
    }

    /// The fingerprint of this certificate with another hash function.
    public func fingerprint(algorithm: FingerprintAlgorithm) -> String {
        guard let text = certificateFingerprint(of: x509, algorithm: algorithm) else {
            preconditionFailure("X509_digest failed for \(algorithm.rawValue)")
        }
        return text
    }

    func context(for role: DTLSRole) -> DTLSContext {
        role == .server ? serverContext : clientContext
    }

    private static func generateP256Key() throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw CryptoError.fromQueue("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError.fromQueue("EVP_PKEY_keygen_init") }
        guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else {
            throw CryptoError.fromQueue("EVP_PKEY_CTX_set_group_name")
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw CryptoError.fromQueue("EVP_PKEY_generate")
        }
        return key
    }

    private static func makeSelfSigned(key: OpaquePointer, validDays: Int) throws -> OpaquePointer {
        guard let x509 = X509_new() else { throw CryptoError.fromQueue("X509_new") }
        do {
            try fill(x509, key: key, validDays: validDays)
            return x509
        } catch {
            X509_free(x509)
            throw error
        }
    }

    private static func fill(_ x509: OpaquePointer, key: OpaquePointer, validDays: Int) throws {
        // Version 3 is encoded as 2.
        guard X509_set_version(x509, 2) == 1 else { throw CryptoError.fromQueue("X509_set_version") }

        let serial = SecureRandom.bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } & 0x7FFF_FFFF_FFFF_FFFF
        guard ASN1_INTEGER_set_uint64(X509_get_serialNumber(x509), serial) == 1 else {
            throw CryptoError.fromQueue("ASN1_INTEGER_set_uint64")
        }

        let secondsPerDay = 86_400
        guard X509_gmtime_adj(X509_getm_notBefore(x509), -secondsPerDay) != nil,
            X509_gmtime_adj(X509_getm_notAfter(x509), validDays * secondsPerDay) != nil
        else { throw CryptoError.fromQueue("X509_gmtime_adj") }

        guard X509_set_pubkey(x509, key) == 1 else { throw CryptoError.fromQueue("X509_set_pubkey") }

        // Subject and issuer are the same name because the certificate is self-signed.
        guard let name = X509_get_subject_name(x509),
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
            X509_set_issuer_name(x509, name) == 1
        else { throw CryptoError.fromQueue("X509_NAME_add_entry_by_txt") }

        guard X509_sign(x509, key, EVP_sha256()) > 0 else { throw CryptoError.fromQueue("X509_sign") }
    }
}
