import Crypto
import DTLS
import SRTP
import Testing

@Suite struct SRTPSessionTests {
    @Test(arguments: SRTPProfileName.allCases)
    func dtlsKeysProtectBothDirections(_ profileName: SRTPProfileName) throws {
        let pair = try DTLSTestPair(clientProfiles: [profileName])
        pair.handshake()
        let clientKeys = try #require(pair.clientKeys)
        let serverKeys = try #require(pair.serverKeys)
        #expect(clientKeys.profile == profileName)
        let profile = SRTPProtectionProfile(profileName)

        for (senderKeys, receiverKeys) in [(clientKeys, serverKeys), (serverKeys, clientKeys)] {
            let sender = try SRTPSession(
                profile: profile, key: senderKeys.localKey, salt: senderKeys.localSalt, direction: .outbound)
            let receiver = try SRTPSession(
                profile: profile, key: receiverKeys.remoteKey, salt: receiverKeys.remoteSalt, direction: .inbound)

            let rtp = makeRTPPacket(sequenceNumber: 1000)
            let srtp = try protectRTP(sender, rtp)
            #expect(srtp.count == rtp.count + profile.rtpTrailerLength)
            #expect(Array(srtp.prefix(12)) == Array(rtp.prefix(12)))
            #expect(srtp[12..<rtp.count] != rtp[12...])
            #expect(try unprotectRTP(receiver, srtp) == rtp)

            let rtcp = makeRTCPReceiverReport()
            let srtcp = try protectRTCP(sender, rtcp)
            #expect(srtcp.count == rtcp.count + profile.rtcpTrailerLength)
            #expect(try unprotectRTCP(receiver, srtcp) == rtcp)
        }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func tamperedPacketFailsAuthentication(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        let srtp = try protectRTP(sender, makeRTPPacket(sequenceNumber: 7))
        for index in [2, 11, 12, srtp.count - 1] {
            var tampered = srtp
            tampered[index] ^= 0x01
            #expect(throws: SRTPError.authenticationFailed) { try unprotectRTP(receiver, tampered) }
        }
        #expect(try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: 7))

        let srtcp = try protectRTCP(sender, makeRTCPReceiverReport())
        var tampered = srtcp
        tampered[9] ^= 0x80
        #expect(throws: SRTPError.authenticationFailed) { try unprotectRTCP(receiver, tampered) }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func missingPacketArrivesLateThenReplays(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        var late: [UInt8] = []
        for sequenceNumber in UInt16(1)...600 {
            let srtp = try protectRTP(sender, makeRTPPacket(sequenceNumber: sequenceNumber))
            if sequenceNumber == 50 {
                late = srtp
                continue
            }
            #expect(try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: sequenceNumber))
        }
        #expect(try unprotectRTP(receiver, late) == makeRTPPacket(sequenceNumber: 50))
        #expect(throws: SRTPError.replay) { try unprotectRTP(receiver, late) }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func packetOlderThanWindowIsRejected(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile, replayWindow: 128)
        let old = try protectRTP(sender, makeRTPPacket(sequenceNumber: 1))
        for sequenceNumber in UInt16(2)...300 {
            _ = try unprotectRTP(receiver, protectRTP(sender, makeRTPPacket(sequenceNumber: sequenceNumber)))
        }
        #expect(throws: SRTPError.replay) { try unprotectRTP(receiver, old) }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func outboundRetransmissionReusesIndex(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        let packet = makeRTPPacket(sequenceNumber: 42)
        let first = try protectRTP(sender, packet)
        let second = try protectRTP(sender, packet)
        #expect(first == second)
        #expect(try unprotectRTP(receiver, first) == packet)
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func streamStartingBeforeWrapDecrypts(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        // The sender's first packets (0xFFFC and 0xFFFD) are lost.
        for sequenceNumber: UInt16 in [0xFFFC, 0xFFFD] {
            _ = try protectRTP(sender, makeRTPPacket(sequenceNumber: sequenceNumber))
        }
        for sequenceNumber: UInt16 in [0xFFFE, 0xFFFF, 0, 1, 2] {
            let srtp = try protectRTP(sender, makeRTPPacket(sequenceNumber: sequenceNumber))
            #expect(try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: sequenceNumber))
        }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func firstPacketAfterLostWrapDecrypts(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        // The stream starts at 0xFFFE and both packets before the wrap are lost, so the first packet
        // the receiver gets, sequence number 0, was protected with rollover counter 1.
        for sequenceNumber: UInt16 in [0xFFFE, 0xFFFF] {
            _ = try protectRTP(sender, makeRTPPacket(sequenceNumber: sequenceNumber))
        }
        for sequenceNumber: UInt16 in [0, 1, 3, 2, 500] {
            let srtp = try protectRTP(sender, makeRTPPacket(sequenceNumber: sequenceNumber))
            #expect(
                try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: sequenceNumber),
                "sequence number \(sequenceNumber)")
        }
        #expect(receiver.rolloverCounterRecoveries == 1)
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func forgedFirstPacketLeavesNoStream(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        var forged = try protectRTP(sender, makeRTPPacket(sequenceNumber: 3, ssrc: 0x0BAD_0BAD))
        forged[forged.count - 1] ^= 0x01
        #expect(throws: SRTPError.authenticationFailed) { try unprotectRTP(receiver, forged) }
        #expect(receiver.rolloverCounterRecoveries == 0)

        // Had the failed attempt left a stream with rollover counter 1 behind, this packet with
        // counter 0 would no longer decrypt.
        let genuine = try protectRTP(sender, makeRTPPacket(sequenceNumber: 4, ssrc: 0x0BAD_0BAD))
        #expect(try unprotectRTP(receiver, genuine) == makeRTPPacket(sequenceNumber: 4, ssrc: 0x0BAD_0BAD))
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func largeGapsDecrypt(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        let delivered: Set<Int> = [12, 82630, 115_999]
        var received: [Int] = []
        for extended in 0...115_999 {
            let sequenceNumber = UInt16(truncatingIfNeeded: extended)
            let srtp = try protectRTP(sender, makeRTPPacket(sequenceNumber: sequenceNumber, payloadLength: 20))
            guard delivered.contains(extended) else { continue }
            do {
                #expect(
                    try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: sequenceNumber, payloadLength: 20)
                )
                received.append(extended)
            } catch {
                Issue.record("packet \(extended) failed: \(error)")
            }
        }
        #expect(received == [12, 82630, 115_999])
        #expect(receiver.rolloverCounterRecoveries == 2)
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func streamAfterLargeGapKeepsReplayProtection(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        var protected: [Int: [UInt8]] = [:]
        for extended in 0...70_010 {
            let sequenceNumber = UInt16(truncatingIfNeeded: extended)
            protected[extended] = try protectRTP(
                sender, makeRTPPacket(sequenceNumber: sequenceNumber, payloadLength: 20))
        }
        for extended in [5, 70_000, 70_001, 70_002, 70_005, 70_003, 70_010] {
            #expect(throws: Never.self, "packet \(extended)") { try unprotectRTP(receiver, protected[extended]!) }
        }
        // Only the first packet after the gap needed a retry; libsrtp tracks the new ROC from there.
        #expect(receiver.rolloverCounterRecoveries == 1)
        for extended in [70_000, 70_002, 70_005] {
            #expect(throws: SRTPError.replay, "replayed packet \(extended)") {
                try unprotectRTP(receiver, protected[extended]!)
            }
        }
        #expect(throws: Never.self) { try unprotectRTP(receiver, protected[70_004]!) }
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func removedStreamStartsOver(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        let srtp = try protectRTP(sender, makeRTPPacket(sequenceNumber: 10, ssrc: 0x0102_0304))
        #expect(try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: 10, ssrc: 0x0102_0304))
        #expect(throws: SRTPError.replay) { try unprotectRTP(receiver, srtp) }

        receiver.removeStream(ssrc: 0x0102_0304)
        #expect(try unprotectRTP(receiver, srtp) == makeRTPPacket(sequenceNumber: 10, ssrc: 0x0102_0304))
        receiver.removeStream(ssrc: 0x0A0B_0C0D)
    }

    @Test func wrongKeyLengthIsRejected() {
        #expect(throws: SRTPError.badParameter) {
            try SRTPSession(
                profile: .aeadAES128GCM, key: [UInt8](repeating: 1, count: 16),
                salt: [UInt8](repeating: 1, count: 14), direction: .inbound)
        }
        #expect(throws: SRTPError.badParameter) {
            try SRTPSession(
                profile: .aesCM128HMACSHA1_80, key: [UInt8](repeating: 1, count: 16),
                salt: [UInt8](repeating: 1, count: 14), direction: .inbound, replayWindow: 10)
        }
    }

    @Test func libraryVersionIsReported() {
        print("libsrtp version: \(SRTPLibrary.version)")
        #expect(SRTPLibrary.version.contains("2."))
    }
}
