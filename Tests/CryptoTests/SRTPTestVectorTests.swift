import SRTP
import Testing

/// Known-answer tests: the reference implementation is checked against the RFC vectors, then
/// libsrtp's output is compared with the reference byte for byte.
@Suite struct SRTPTestVectorTests {
    // RFC 3711 appendix B.2.
    static let keystreamKey = hexBytes("2B7E151628AED2A6ABF7158809CF4F3C")
    static let keystreamOffset = hexBytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000")

    // RFC 3711 appendix B.3.
    static let masterKey = hexBytes("E1F97A0D3E018BE0D64FA32C06DE4139")
    static let masterSalt = hexBytes("0EC675AD498AFEEBB6960B3AABE6")

    // RFC 7714 sections 16.1.1 and 17.1: session key and salt, given directly.
    static let gcmKey = hexBytes("000102030405060708090a0b0c0d0e0f")
    static let gcmSalt = hexBytes("517569642070726f2071756f")

    @Test func aesCMKeystreamMatchesRFC3711() {
        let keystream = SRTPReference.aesCMKeystream(
            key: Self.keystreamKey, iv: Self.keystreamOffset, length: 0xFF02 * 16)
        #expect(
            Array(keystream[0..<48])
                == hexBytes(
                    """
                    E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0
                    """))
        #expect(
            Array(keystream[(0xFEFF * 16)...])
                == hexBytes(
                    """
                    EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE 6A2CC3787889374FBEB4C81B17BA6C44
                    """))
    }

    @Test func keyDerivationMatchesRFC3711() {
        let keys = SRTPReference.sessionKeys(
            masterKey: Self.masterKey, masterSalt: Self.masterSalt, rtcp: false, saltLength: 14)
        #expect(keys.key == hexBytes("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(keys.salt == hexBytes("30CBBC08863D8C85D49DB34A9AE1"))
        #expect(keys.authenticationKey == hexBytes("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
    }

    @Test func gcmRTPMatchesRFC7714() {
        let plain = hexBytes(
            """
            8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
            69736120 696e2070 61727465 73207472 6573
            """)
        let expected = hexBytes(
            """
            8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
            0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce
            """)
        #expect(
            SRTPReference.protectRTPWithGCM(plain, key: Self.gcmKey, salt: Self.gcmSalt, rolloverCounter: 0) == expected
        )
    }

    @Test func gcmRTCPMatchesRFC7714() {
        let plain = hexBytes(
            """
            81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
            deadbeef deadbeef deadbeef deadbeef deadbeef
            """)
        let expected = hexBytes(
            """
            81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
            c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
            45d9eade 800005d4
            """)
        #expect(SRTPReference.protectRTCPWithGCM(plain, key: Self.gcmKey, salt: Self.gcmSalt, index: 0x5d4) == expected)
    }

    /// libsrtp protecting under the RFC 3711 appendix B.3 master key must produce what AES-CM
    /// protection with the session keys printed in B.3 produces, so the derivation runs in libsrtp.
    @Test func libsrtpUsesRFC3711SessionKeys() throws {
        let sender = try SRTPSession(
            profile: .aesCM128HMACSHA1_80, key: Self.masterKey, salt: Self.masterSalt, direction: .outbound)
        let keys = SRTPReference.SessionKeys(
            key: hexBytes("C61E7A93744F39EE10734AFE3FF7A087"), salt: hexBytes("30CBBC08863D8C85D49DB34A9AE1"),
            authenticationKey: hexBytes("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
        for sequenceNumber: UInt16 in [0, 0x1234, 0xFFFF] {
            let packet = makeRTPPacket(sequenceNumber: sequenceNumber, ssrc: 0xCAFE_BABE, payloadLength: 50)
            let expected = SRTPReference.protectRTPWithAESCM(packet, keys: keys, rolloverCounter: 0)
            #expect(try protectRTP(sender, packet) == expected, "sequence number \(sequenceNumber)")
        }
    }

    /// The RTP packet of RFC 7714 section 16.1.1, byte for byte, through libsrtp in both directions.
    /// libsrtp derives its session key and salt from a master key, so the RFC's session key cannot be
    /// given to it: the reference, checked against the RFC above, supplies the expected bytes.
    @Test func rfc7714PacketThroughLibsrtp() throws {
        let salt = Array(Self.masterSalt.prefix(12))
        let sender = try SRTPSession(profile: .aeadAES128GCM, key: Self.masterKey, salt: salt, direction: .outbound)
        let receiver = try SRTPSession(profile: .aeadAES128GCM, key: Self.masterKey, salt: salt, direction: .inbound)
        let keys = SRTPReference.sessionKeys(masterKey: Self.masterKey, masterSalt: salt, rtcp: false, saltLength: 12)
        let plain = hexBytes(
            """
            8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
            69736120 696e2070 61727465 73207472 6573
            """)
        let expected = SRTPReference.protectRTPWithGCM(plain, key: keys.key, salt: keys.salt, rolloverCounter: 0)
        let protected = try protectRTP(sender, plain)
        #expect(protected == expected)
        #expect(protected.count == plain.count + 16)
        #expect(try unprotectRTP(receiver, protected) == plain)
    }

    /// The RFC 7714 RTP plaintext, protected by libsrtp under the RFC 3711 master key, across a
    /// sequence number wrap so that the rollover counter reaches 1.
    @Test(arguments: SRTPProtectionProfile.allCases)
    func libsrtpMatchesReferenceRTP(_ profile: SRTPProtectionProfile) throws {
        let salt = Array(Self.masterSalt.prefix(profile.saltLength))
        let sender = try SRTPSession(profile: profile, key: Self.masterKey, salt: salt, direction: .outbound)
        let receiver = try SRTPSession(profile: profile, key: Self.masterKey, salt: salt, direction: .inbound)
        let keys = SRTPReference.sessionKeys(
            masterKey: Self.masterKey, masterSalt: salt, rtcp: false, saltLength: profile.saltLength)

        for (sequenceNumber, rolloverCounter) in [(UInt16(0xFFFE), UInt32(0)), (0xFFFF, 0), (0x0000, 1), (0x0001, 1)] {
            let packet = makeRTPPacket(sequenceNumber: sequenceNumber, ssrc: 0x5501_A0B2, payloadLength: 37)
            let expected: [UInt8]
            switch profile {
            case .aeadAES128GCM:
                expected = SRTPReference.protectRTPWithGCM(
                    packet, key: keys.key, salt: keys.salt, rolloverCounter: rolloverCounter)
            case .aesCM128HMACSHA1_80:
                expected = SRTPReference.protectRTPWithAESCM(packet, keys: keys, rolloverCounter: rolloverCounter)
            }
            let protected = try protectRTP(sender, packet)
            #expect(protected == expected, "sequence number \(sequenceNumber)")
            #expect(try unprotectRTP(receiver, expected) == packet)
        }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func libsrtpMatchesReferenceRTCP(_ profile: SRTPProtectionProfile) throws {
        let salt = Array(Self.masterSalt.prefix(profile.saltLength))
        let sender = try SRTPSession(profile: profile, key: Self.masterKey, salt: salt, direction: .outbound)
        let receiver = try SRTPSession(profile: profile, key: Self.masterKey, salt: salt, direction: .inbound)
        let keys = SRTPReference.sessionKeys(
            masterKey: Self.masterKey, masterSalt: salt, rtcp: true, saltLength: profile.saltLength)
        let packet = makeRTCPReceiverReport(ssrc: 0x4D61_7273)

        for _ in 0..<3 {
            let protected = try protectRTCP(sender, packet)
            // libsrtp picks the SRTCP index (RFC 3711 section 3.4); the reference uses the same one.
            let trailerStart = protected.count - profile.tagLength - 4
            let indexOffset = profile == .aeadAES128GCM ? protected.count - 4 : trailerStart
            let indexBytes = Array(protected[indexOffset..<indexOffset + 4])
            #expect(indexBytes[0] & 0x80 != 0, "E flag")
            let index =
                (UInt32(indexBytes[0]) << 24 | UInt32(indexBytes[1]) << 16 | UInt32(indexBytes[2]) << 8
                    | UInt32(indexBytes[3])) & 0x7FFF_FFFF
            let expected: [UInt8]
            switch profile {
            case .aeadAES128GCM:
                expected = SRTPReference.protectRTCPWithGCM(packet, key: keys.key, salt: keys.salt, index: index)
            case .aesCM128HMACSHA1_80:
                expected = SRTPReference.protectRTCPWithAESCM(packet, keys: keys, index: index)
            }
            #expect(protected == expected, "SRTCP index \(index)")
            #expect(try unprotectRTCP(receiver, expected) == packet)
        }
    }
}
