import Testing

@testable import RTCP

@Suite struct RTCPWriterTests {
    @Test func pictureLossIndicationBytes() {
        let bytes = RTCPWriter.pictureLossIndication(senderSSRC: 1, mediaSSRC: 0x1234_5678)
        #expect(bytes == RTCPFixtures.pictureLossIndication.bytes)
    }

    @Test func fullIntraRequestBytes() {
        let bytes = RTCPWriter.fullIntraRequest(senderSSRC: 1, mediaSSRC: 0x1234_5678, sequenceNumber: 7)
        #expect(bytes == RTCPFixtures.fullIntraRequest.bytes)
    }

    @Test func rembBytes() {
        let bytes = RTCPWriter.remb(senderSSRC: 1, bitrate: 1_048_572, ssrcs: [0x1234_5678])
        #expect(bytes == RTCPFixtures.remb.bytes)
    }

    @Test(arguments: [0, 1, 262_143, 262_144, 2_500_000, 1 << 40, UInt64.max] as [UInt64])
    func rembBitrateRoundsDown(_ bitrate: UInt64) throws {
        let packets = try #require(parseCompound(RTCPWriter.remb(senderSSRC: 1, bitrate: bitrate, ssrcs: [2, 3])))
        guard case .receiverEstimatedMaxBitrate(let remb) = packets.first else {
            Issue.record("expected REMB")
            return
        }
        #expect(remb.ssrcs == [2, 3])
        #expect(remb.bitrate <= bitrate)
        // The 18-bit mantissa keeps at least 17 significant bits.
        #expect(bitrate - remb.bitrate <= bitrate >> 17)
    }

    @Test(arguments: [
        [100, 101, 103, 65535, 0, 15] as [UInt16],
        [65534, 65535, 0, 5, 20, 100],
        [7],
        Array(1000...1040),
    ])
    func nackRoundTrip(_ lost: [UInt16]) throws {
        let bytes = RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 2, lost: lost)
        let packets = try #require(parseCompound(bytes))
        #expect(packets == [.nack(GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: lost))])
    }

    @Test func nackPacksNeighboursIntoOneEntry() {
        let bytes = RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 2, lost: [65534, 65535, 0, 5])
        // One entry: PID 65534, BLP bits 0 (65535), 1 (0) and 6 (5).
        #expect(bytes.count == 16)
        #expect(Array(bytes[12...]) == [0xFF, 0xFE, 0x00, 0x43])
    }

    @Test func nackFixtureRoundTrip() {
        let bytes = RTCPWriter.nack(senderSSRC: 1, mediaSSRC: 0x1234_5678, lost: [100, 101, 103, 65535, 0, 15])
        #expect(bytes == RTCPFixtures.genericNACK.bytes)
    }

    @Test func receiverReportRoundTrip() throws {
        let block = RTCPCompoundTests.expectedBlock
        let bytes = RTCPWriter.receiverReport(ssrc: 0x8765_4321, reports: [block])
        #expect(bytes == Array(RTCPFixtures.senderExtendedReceiver.bytes.suffix(32)))
        #expect(parseCompound(bytes) == [.receiverReport(ReceiverReport(ssrc: 0x8765_4321, reports: [block]))])
    }

    @Test func senderReportAndSourceDescriptionBytes() {
        let report = RTCPWriter.senderReport(
            ssrc: 0x1234_5678, ntpTimestamp: 0xE94C_1D80_8000_0000, rtpTimestamp: 123456, packetCount: 100,
            octetCount: 16000, reports: [])
        let description = RTCPWriter.sourceDescription(ssrc: 0x1234_5678, cname: "Xk2bZ8g1uWcYqvR4")
        #expect(report + description == RTCPFixtures.senderReportWithCNAME.bytes)
    }

    @Test(arguments: 1...8)
    func sourceDescriptionPadsEveryLength(_ length: Int) throws {
        let cname = String(repeating: "c", count: length)
        let bytes = RTCPWriter.sourceDescription(ssrc: 9, cname: cname)
        #expect(bytes.count % 4 == 0)
        let packets = try #require(parseCompound(bytes))
        guard case .sourceDescription(let description) = packets.first else {
            Issue.record("expected SDES")
            return
        }
        #expect(description.chunks.first?.cname == cname)
    }

    @Test func cumulativeLossIsClampedToTwentyFourBits() throws {
        var block = RTCPCompoundTests.expectedBlock
        block.cumulativeLost = -10_000_000
        let packets = try #require(parseCompound(RTCPWriter.receiverReport(ssrc: 1, reports: [block])))
        guard case .receiverReport(let report) = packets.first else {
            Issue.record("expected RR")
            return
        }
        #expect(report.reports.first?.cumulativeLost == -0x80_0000)
    }

    @Test(arguments: [nil, "", "bye", "leaving"] as [String?])
    func goodbyeRoundTrip(_ reason: String?) throws {
        let bytes = RTCPWriter.goodbye(ssrcs: [1, 2], reason: reason)
        #expect(bytes.count % 4 == 0)
        let expectedReason = reason?.isEmpty == true ? nil : reason
        #expect(parseCompound(bytes) == [.goodbye(Goodbye(ssrcs: [1, 2], reason: expectedReason))])
    }
}
