import Crypto
import STUN
import Testing

@Suite("MESSAGE-INTEGRITY-SHA256")
struct MessageIntegritySHA256Tests {
    static let key = Array("sha256 password".utf8)
    static let transactionID = STUNTransactionID(1, 2, 3)

    static func unsignedRequest() -> STUNMessageBuilder {
        var builder = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: transactionID)
        builder.addUsername("a:b")
        builder.addPriority(7)
        return builder
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 truncated to `length` bytes, computed the way RFC 8489
    /// section 14.6 specifies, independently of the builder.
    static func appendingTruncatedSHA256(_ message: [UInt8], length: Int) -> [UInt8] {
        var covered = message
        let total = covered.count + 4 + length - 20
        covered[2] = UInt8(total >> 8)
        covered[3] = UInt8(total & 0xFF)
        let mac = Digest.sha256HMAC(key: key, data: covered)
        return covered + [0x00, 0x1C, 0x00, UInt8(length)] + mac.prefix(length)
    }

    @Test func builderOutputVerifies() throws {
        let message = Self.unsignedRequest().finish(integrityKey: Self.key, algorithm: .sha256, fingerprint: true)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.integrityAlgorithm == .sha256)
            #expect(view.verifyMessageIntegrity(key: Self.key))
            #expect(!view.verifyMessageIntegrity(key: Array("other".utf8)))
            #expect(view.verifyFingerprint() == .valid)
            #expect(view.priority == 7)
        }
    }

    @Test func builderMatchesIndependentComputation() {
        let unsigned = Self.unsignedRequest().finish(integrityKey: nil, fingerprint: false)
        let signed = Self.unsignedRequest().finish(integrityKey: Self.key, algorithm: .sha256, fingerprint: false)
        #expect(signed == Self.appendingTruncatedSHA256(unsigned, length: 32))
    }

    @Test(arguments: [16, 20, 24, 28, 32])
    func truncatedValueVerifies(length: Int) throws {
        let unsigned = Self.unsignedRequest().finish(integrityKey: nil, fingerprint: false)
        let message = Self.appendingTruncatedSHA256(unsigned, length: length)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.verifyMessageIntegrity(key: Self.key))
        }
    }

    /// RFC 8489 section 14.6: shorter than 16 bytes, or not a multiple of 4, is invalid even
    /// when the bytes match the HMAC prefix.
    @Test(arguments: [4, 8, 12])
    func tooShortValueFails(length: Int) throws {
        let unsigned = Self.unsignedRequest().finish(integrityKey: nil, fingerprint: false)
        let message = Self.appendingTruncatedSHA256(unsigned, length: length)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(!view.verifyMessageIntegrity(key: Self.key))
        }
    }

    /// With both attributes, MESSAGE-INTEGRITY comes first and MESSAGE-INTEGRITY-SHA256 covers
    /// it; a receiver checks the SHA-256 one (RFC 8489 section 9.1.3).
    @Test func sha256AfterSHA1IsPreferred() throws {
        let sha1Signed = Self.unsignedRequest().finish(integrityKey: Self.key, fingerprint: false)
        let both = Self.appendingTruncatedSHA256(sha1Signed, length: 32)
        try both.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.integrityAlgorithm == .sha256)
            #expect(view.verifyMessageIntegrity(key: Self.key))
            #expect(view.priority == 7)
        }

        var corrupted = both
        corrupted[corrupted.count - 1] ^= 0x01
        try corrupted.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(!view.verifyMessageIntegrity(key: Self.key))
        }
    }
}
