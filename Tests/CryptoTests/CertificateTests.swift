import COpenSSL
import Crypto
import Testing

@Suite struct CertificateTests {
    @Test func fingerprintIsSHA256OfDER() throws {
        let certificate = try Certificate.generate()
        let expected = FingerprintFormat.format(Digest.sha256(certificate.derBytes))
        #expect(certificate.sha256Fingerprint == expected)
        #expect(certificate.sha256Fingerprint.count == 32 * 3 - 1)
        #expect(certificate.fingerprint(algorithm: .sha256) == expected)
        #expect(certificate.fingerprint(algorithm: .sha1).count == 20 * 3 - 1)
        #expect(certificate.fingerprint(algorithm: .sha512).count == 64 * 3 - 1)
    }

    @Test func fingerprintFormat() {
        #expect(FingerprintFormat.format([0x00, 0xAB, 0x0F, 0xF0]) == "00:AB:0F:F0")
        #expect(FingerprintFormat.format([]) == "")
        #expect(FingerprintFormat.matches("00:ab:0f", " 00:AB:0F\r\n"))
        #expect(!FingerprintFormat.matches("00:AB:0F", "00:AB:0E"))
        #expect(!FingerprintFormat.matches("00:AB:0F", "00:AB"))
    }

    @Test(arguments: [
        ("sha-256", FingerprintAlgorithm.sha256), ("SHA-1", .sha1), ("Sha-384", .sha384), ("sha-512", .sha512),
    ])
    func sdpHashNames(_ name: String, _ algorithm: FingerprintAlgorithm) {
        #expect(FingerprintAlgorithm(sdpName: name) == algorithm)
    }

    @Test func unknownSDPHashName() {
        #expect(FingerprintAlgorithm(sdpName: "md5") == nil)
        #expect(FingerprintAlgorithm(sdpName: "sha256") == nil)
    }

    @Test func certificatesDiffer() throws {
        let first = try Certificate.generate()
        let second = try Certificate.generate()
        #expect(first.sha256Fingerprint != second.sha256Fingerprint)
    }

    /// Parses the DER back with OpenSSL to check the fields that a peer receives.
    @Test func certificateFields() throws {
        let certificate = try Certificate.generate(validDays: 30)
        let x509 = try #require(
            certificate.derBytes.withUnsafeBufferPointer { buffer -> OpaquePointer? in
                var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
                return d2i_X509(nil, &pointer, buffer.count)
            })
        defer { X509_free(x509) }

        var commonName = [CChar](repeating: 0, count: 64)
        let nameLength = X509_NAME_get_text_by_NID(X509_get_subject_name(x509), NID_commonName, &commonName, 64)
        #expect(nameLength == 6)
        #expect(commonName.prefix(6).map { UInt8(bitPattern: $0) } == Array("chorus".utf8))
        // Self-signed: the issuer is the subject and the signature verifies with the own key.
        #expect(X509_NAME_cmp(X509_get_subject_name(x509), X509_get_issuer_name(x509)) == 0)
        let publicKey = try #require(X509_get0_pubkey(x509))
        #expect(X509_verify(x509, publicKey) == 1)
        #expect(EVP_PKEY_get_bits(publicKey) == 256)
        #expect(X509_get_version(x509) == 2)

        // Valid now and for about 30 days; notBefore is one day back.
        var days: Int32 = 0
        var seconds: Int32 = 0
        #expect(ASN1_TIME_diff(&days, &seconds, nil, X509_get0_notAfter(x509)) == 1)
        #expect(days == 29 || days == 30)
        #expect(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(x509), nil) == 1)
        #expect(days == 1 || (days == 0 && seconds >= 86_000))

        let serial = try #require(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509), nil))
        defer { BN_free(serial) }
        #expect(BN_is_negative(serial) == 0)
        #expect(BN_is_zero(serial) == 0)
    }
}
