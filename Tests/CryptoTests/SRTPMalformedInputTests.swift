import SRTP
import Testing

/// Packets from the network reach `unprotectRTP` and `unprotectRTCP` unchecked, so every
/// malformed one must throw.
@Suite struct SRTPMalformedInputTests {
    @Test(arguments: SRTPProtectionProfile.allCases)
    func everyTruncatedSRTPPacketFails(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        let srtp = try protectRTP(sender, makeRTPPacket(sequenceNumber: 9, payloadLength: 40))
        for length in 0..<srtp.count {
            #expect(throws: SRTPError.self, "\(length) bytes") {
                try unprotectRTP(receiver, Array(srtp.prefix(length)))
            }
        }
        #expect(try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: 9, payloadLength: 40))
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func everyTruncatedSRTCPPacketFails(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        let srtcp = try protectRTCP(sender, makeRTCPReceiverReport())
        for length in 0..<srtcp.count {
            #expect(throws: SRTPError.self, "\(length) bytes") {
                try unprotectRTCP(receiver, Array(srtcp.prefix(length)))
            }
        }
        #expect(try unprotectRTCP(receiver, srtcp) == makeRTCPReceiverReport())
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func headerLengthsBeyondPacketFail(_ profile: SRTPProtectionProfile) throws {
        let (_, receiver) = try makeSessionPair(profile)
        var manyCSRCs = makeRTPPacket(sequenceNumber: 1, payloadLength: 30)
        manyCSRCs[0] = 0x8F  // 15 CSRCs, 60 bytes, in a 42-byte packet
        #expect(throws: SRTPError.self) { try unprotectRTP(receiver, manyCSRCs) }

        var longExtension = makeRTPPacket(sequenceNumber: 2, payloadLength: 30)
        longExtension[0] = 0x90  // extension bit
        longExtension[12] = 0xBE
        longExtension[13] = 0xDE
        longExtension[14] = 0xFF  // 65280 words of extension
        longExtension[15] = 0x00
        #expect(throws: SRTPError.self) { try unprotectRTP(receiver, longExtension) }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func protectNeedsTrailerRoom(_ profile: SRTPProtectionProfile) throws {
        let (sender, _) = try makeSessionPair(profile)
        var packet = makeRTPPacket(sequenceNumber: 3) + [UInt8](repeating: 0, count: profile.rtpTrailerLength - 1)
        let length = packet.count - (profile.rtpTrailerLength - 1)
        #expect(throws: SRTPError.badParameter) {
            try packet.withUnsafeMutableBytes {
                try sender.protectRTP($0.baseAddress!, length: length, capacity: $0.count)
            }
        }
        var rtcp = makeRTCPReceiverReport() + [UInt8](repeating: 0, count: profile.rtcpTrailerLength - 1)
        let rtcpLength = rtcp.count - (profile.rtcpTrailerLength - 1)
        #expect(throws: SRTPError.badParameter) {
            try rtcp.withUnsafeMutableBytes {
                try sender.protectRTCP($0.baseAddress!, length: rtcpLength, capacity: $0.count)
            }
        }
        var short: [UInt8] = [0x80, 96, 0, 1] + [UInt8](repeating: 0, count: 40)
        #expect(throws: SRTPError.badParameter) {
            try short.withUnsafeMutableBytes { try sender.protectRTP($0.baseAddress!, length: 11, capacity: $0.count) }
        }
    }

    /// libsrtp writes exactly the trailer that `rtpTrailerLength` and `rtcpTrailerLength` promise.
    @Test(arguments: SRTPProtectionProfile.allCases)
    func protectWritesOnlyTheTrailer(_ profile: SRTPProtectionProfile) throws {
        let (sender, _) = try makeSessionPair(profile)
        let packet = makeRTPPacket(sequenceNumber: 4)
        var buffer = packet + [UInt8](repeating: 0xEE, count: profile.rtpTrailerLength + 64)
        let length = try buffer.withUnsafeMutableBytes {
            try sender.protectRTP(
                $0.baseAddress!, length: packet.count, capacity: packet.count + profile.rtpTrailerLength)
        }
        #expect(length == packet.count + profile.rtpTrailerLength)
        #expect(buffer[length...].allSatisfy { $0 == 0xEE })

        let rtcp = makeRTCPReceiverReport()
        var rtcpBuffer = rtcp + [UInt8](repeating: 0xEE, count: profile.rtcpTrailerLength + 64)
        let rtcpLength = try rtcpBuffer.withUnsafeMutableBytes {
            try sender.protectRTCP(
                $0.baseAddress!, length: rtcp.count, capacity: rtcp.count + profile.rtcpTrailerLength)
        }
        #expect(rtcpLength == rtcp.count + profile.rtcpTrailerLength)
        #expect(rtcpBuffer[rtcpLength...].allSatisfy { $0 == 0xEE })
    }
}
