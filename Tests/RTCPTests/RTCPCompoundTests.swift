import Testing

@testable import RTCP

@Suite struct RTCPCompoundTests {
    static let expectedBlock = ReportBlock(
        ssrc: 0xAABB_CCDD, fractionLost: 64, cumulativeLost: -2, extendedHighestSequence: 0x0001_0005, jitter: 32,
        lastSR: 0x1D80_8000, delaySinceLastSR: 0x0001_0000)

    @Test func senderReportAndCNAME() throws {
        let bytes = RTCPFixtures.senderReportWithCNAME.bytes
        #expect(bytes.count == 56)
        let packets = try #require(parseCompound(bytes))
        #expect(packets.count == 2)
        #expect(
            packets.first
                == .senderReport(
                    SenderReport(
                        ssrc: 0x1234_5678, ntpTimestamp: 0xE94C_1D80_8000_0000, rtpTimestamp: 123456,
                        packetCount: 100, octetCount: 16000, reports: [])))
        guard case .sourceDescription(let description) = packets.last else {
            Issue.record("expected SDES, got \(String(describing: packets.last))")
            return
        }
        #expect(description.chunks.count == 1)
        #expect(description.chunks.first?.ssrc == 0x1234_5678)
        #expect(description.chunks.first?.cname == "Xk2bZ8g1uWcYqvR4")
    }

    @Test func lonePictureLossIndication() throws {
        let packets = try #require(parseCompound(RTCPFixtures.pictureLossIndication.bytes))
        #expect(packets == [.pictureLossIndication(senderSSRC: 1, mediaSSRC: 0x1234_5678)])
    }

    @Test func extendedReportIsSkipped() throws {
        let packets = try #require(parseCompound(RTCPFixtures.senderExtendedReceiver.bytes))
        #expect(packets.count == 3)
        guard case .senderReport(let report) = packets.first else {
            Issue.record("expected SR first")
            return
        }
        #expect(report.reports == [Self.expectedBlock])
        #expect(packets.dropFirst().first == .unknown(packetType: 207, format: 0))
        #expect(packets.last == .receiverReport(ReceiverReport(ssrc: 0x8765_4321, reports: [Self.expectedBlock])))
    }

    @Test func nackExpandsPIDAndBLP() throws {
        let packets = try #require(parseCompound(RTCPFixtures.genericNACK.bytes))
        let expected = GenericNACK(
            senderSSRC: 1, mediaSSRC: 0x1234_5678, lostSequenceNumbers: [100, 101, 103, 65535, 0, 15])
        #expect(packets == [.nack(expected)])
    }

    @Test func fullIntraRequest() throws {
        let packets = try #require(parseCompound(RTCPFixtures.fullIntraRequest.bytes))
        let expected = FullIntraRequest(senderSSRC: 1, entries: [.init(ssrc: 0x1234_5678, sequenceNumber: 7)])
        #expect(packets == [.fullIntraRequest(expected)])
    }

    @Test func rembDecodesMantissaAndExponent() throws {
        let packets = try #require(parseCompound(RTCPFixtures.remb.bytes))
        let expected = REMB(senderSSRC: 1, bitrate: 1_048_572, ssrcs: [0x1234_5678])
        #expect(packets == [.receiverEstimatedMaxBitrate(expected)])
    }

    @Test(
        arguments: [
            (63, 0x3FFFF, UInt64.max),  // exponent 63 saturates instead of overflowing
            (0, 0, 0),
            (63, 0, 0),  // a zero mantissa is zero at any exponent
            (46, 0x20000, UInt64(1) << 63),  // top bit exactly
            (46, 0x3FFFF, UInt64(0x3FFFF) << 46),  // the largest value that fits
            (47, 0x3FFFF, UInt64.max),  // one bit more saturates
            (47, 0x1FFFF, UInt64(0x1FFFF) << 47),  // a shorter mantissa fits at 47
        ] as [(UInt32, UInt32, UInt64)])
    func rembExponentIsClamped(_ exponent: UInt32, _ mantissa: UInt32, _ expected: UInt64) throws {
        let field = exponent << 18 | mantissa
        var bytes = RTCPFixtures.remb.bytes
        bytes[17] = UInt8(field >> 16)
        bytes[18] = UInt8(field >> 8 & 0xFF)
        bytes[19] = UInt8(field & 0xFF)
        let packets = try #require(parseCompound(bytes))
        guard case .receiverEstimatedMaxBitrate(let remb) = packets.first else {
            Issue.record("expected REMB")
            return
        }
        #expect(remb.bitrate == expected)
    }

    @Test func goodbyeWithReason() throws {
        let packets = try #require(parseCompound(RTCPFixtures.goodbye.bytes))
        #expect(packets == [.goodbye(Goodbye(ssrcs: [0x1234_5678], reason: "bye"))])
    }

    @Test func paddingIsRemovedFromBody() throws {
        let packets = try #require(parseCompound(RTCPFixtures.paddedReceiverReport.bytes))
        #expect(packets == [.receiverReport(ReceiverReport(ssrc: 0x1234_5678, reports: []))])
    }

    @Test func applicationLayerFeedbackOtherThanREMB() throws {
        var bytes = RTCPFixtures.remb.bytes
        bytes[12] = 0x58  // "XEMB"
        #expect(parseCompound(bytes) == [.unknown(packetType: 206, format: 15)])
    }

    @Test func transportWideFeedbackIsDetected() throws {
        let bytes: [UInt8] = [
            0x8F, 0xCD, 0x00, 0x04,  // FMT=15, PT=205, length 4
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x12, 0x34, 0x56, 0x78,  // media SSRC
            0x00, 0x01, 0x00, 0x01,  // base sequence 1, status count 1
            0x00, 0x00, 0x01, 0x00,  // reference time 1, feedback count 0
        ]
        #expect(parseCompound(bytes) == [.transportWideFeedback(senderSSRC: 1, mediaSSRC: 0x1234_5678)])
    }

    @Test(
        arguments: [
            ("empty", [] as [UInt8]),
            ("version 1", [0x41, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]),
            ("RTP payload type", [0x80, 0x60, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]),
            ("length past end", [0x81, 0xCE, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2]),
            ("padding count 0", [0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 0]),
            ("padding past body", [0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9]),
            ("SR shorter than sender info", [0x80, 0xC8, 0x00, 0x01, 0, 0, 0, 1]),
            ("RR missing its block", [0x81, 0xC9, 0x00, 0x01, 0, 0, 0, 1]),
            ("PLI without media SSRC", [0x81, 0xCE, 0x00, 0x01, 0, 0, 0, 1]),
            (
                "REMB missing its SSRC",
                [0x8F, 0xCE, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0, 0x52, 0x45, 0x4D, 0x42, 1, 0, 0, 1]
            ),
            ("SDES without end byte", [0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 0x41, 0x42]),
            ("BYE reason past end", [0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0x09, 0x41, 0x42, 0x43]),
        ] as [(String, [UInt8])])
    func invalidFirstPacketReturnsNil(_ name: String, _ bytes: [UInt8]) {
        #expect(parseCompound(bytes) == nil, "\(name)")
    }

    @Test func malformedLaterPacketKeepsEarlierOnes() throws {
        let pli = RTCPFixtures.pictureLossIndication.bytes
        let packets = try #require(parseCompound(pli + [0x81, 0xCE, 0x00, 0x09, 0, 0, 0, 1]))
        #expect(packets == [.pictureLossIndication(senderSSRC: 1, mediaSSRC: 0x1234_5678)])
        #expect(parseCompound(pli + [0x81]) == packets)
        #expect(parseCompound(pli + [0x40, 0xCE, 0x00, 0x00]) == packets)
    }

    @Test(arguments: RTCPFixtures.all)
    func everyTruncationFailsCleanly(_ fixture: RTCPFixture) throws {
        let complete = try #require(parseCompound(fixture.bytes))
        for length in 0..<fixture.bytes.count {
            guard let packets = parseCompound(Array(fixture.bytes.prefix(length))) else { continue }
            // A truncated compound keeps only whole packets of the original.
            #expect(packets.count < complete.count)
            #expect(Array(complete.prefix(packets.count)) == packets)
        }
    }

    @Test func applicationAndUnknownTypesAreSkipped() throws {
        let bytes: [UInt8] =
            [
                0x80, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,  // RR without blocks
                0x81, 0xCC, 0x00, 0x03,  // V=2, subtype 1, PT=204 APP, length 3
                0x12, 0x34, 0x56, 0x78,  // SSRC
                0x51, 0x4F, 0x45, 0x31,  // name "QOE1"
                0xDE, 0xAD, 0xBE, 0xEF,  // application-dependent data
                0x80, 0xC3, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,  // PT=195 (IJ, RFC 5450), one word
                0x80, 0xDF, 0x00, 0x00,  // PT=223, the last RTCP type, header only
            ] + RTCPFixtures.pictureLossIndication.bytes
        let packets = try #require(parseCompound(bytes))
        #expect(
            packets == [
                .receiverReport(ReceiverReport(ssrc: 1, reports: [])),
                .unknown(packetType: 204, format: 1),
                .unknown(packetType: 195, format: 0),
                .unknown(packetType: 223, format: 0),
                .pictureLossIndication(senderSSRC: 1, mediaSSRC: 0x1234_5678),
            ])
    }

    @Test(arguments: RTCPFixtures.all)
    func forEachPacketMatchesParse(_ fixture: RTCPFixture) throws {
        for length in 0...fixture.bytes.count {
            let prefix = Array(fixture.bytes.prefix(length))
            var visited: [RTCPPacket] = []
            let found = withPacket(prefix) { RTCPCompound.forEachPacket(in: $0) { visited.append($0) } }
            let parsed = parseCompound(prefix)
            #expect(found == (parsed != nil), "\(length) bytes")
            #expect(visited == (parsed ?? []), "\(length) bytes")
        }
    }

    @Test func nackWithFullBitmasks() throws {
        let bytes: [UInt8] = [
            0xA1, 0xCD, 0x00, 0x05,  // V=2, P=1, FMT=1, PT=205, length 5
            0x00, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,  // sender and media SSRC
            0x00, 0x10, 0xFF, 0xFF,  // PID 16 and the 16 after it
            0xFF, 0xF0, 0x00, 0x00,  // PID 65520 alone
            0x00, 0x01,  // half an entry, ignored
            0x00, 0x02,  // padding, count 2
        ]
        let packets = try #require(parseCompound(bytes))
        guard case .nack(let nack) = packets.first else {
            Issue.record("expected a NACK, got \(packets)")
            return
        }
        #expect(nack.lostSequenceNumbers == Array(16...32) + [65520])
    }

    @Test(arguments: RTCPFixtures.all)
    func packetViewsDecodeLikeParse(_ fixture: RTCPFixture) throws {
        let parsed = try #require(parseCompound(fixture.bytes))
        var decoded: [RTCPPacket?] = []
        var lost: [UInt16] = []
        var blocks: [ReportBlock] = []
        withPacket(fixture.bytes) { bytes in
            RTCPCompound.forEachPacketView(in: bytes) { view in
                decoded.append(view.decode())
                view.forEachLostSequenceNumber { lost.append($0) }
                view.forEachReportBlock { blocks.append($0) }
            }
        }
        #expect(decoded == parsed.map { Optional($0) })

        var expectedLost: [UInt16] = []
        var expectedBlocks: [ReportBlock] = []
        for packet in parsed {
            switch packet {
            case .nack(let nack): expectedLost += nack.lostSequenceNumbers
            case .senderReport(let report): expectedBlocks += report.reports
            case .receiverReport(let report): expectedBlocks += report.reports
            default: break
            }
        }
        #expect(lost == expectedLost)
        #expect(blocks == expectedBlocks)
    }

    @Test func packetViewReadsFeedbackHeader() throws {
        var views: [(type: UInt8, count: UInt8, ssrcs: [UInt32], pli: Bool, nack: Bool)] = []
        withPacket(RTCPFixtures.pictureLossIndication.bytes + RTCPFixtures.genericNACK.bytes) { bytes in
            RTCPCompound.forEachPacketView(in: bytes) { view in
                let ssrcs = view.feedbackSSRCs.map { [$0.sender, $0.media] } ?? []
                views.append((view.packetType, view.count, ssrcs, view.isPictureLossIndication, view.isGenericNACK))
            }
        }
        #expect(views.map(\.type) == [206, 205])
        #expect(views.map(\.count) == [1, 1])
        #expect(views.map(\.ssrcs) == [[1, 0x1234_5678], [1, 0x1234_5678]])
        #expect(views.map(\.pli) == [true, false])
        #expect(views.map(\.nack) == [false, true])
    }

    @Test func packetViewChecksHeadersOnly() {
        // An RR announcing one block without it: forEachPacketView passes it on, decode rejects it.
        let shortReport: [UInt8] = [0x81, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01]
        var decoded: [RTCPPacket?] = []
        var blockCount = 0
        let found = withPacket(shortReport + RTCPFixtures.pictureLossIndication.bytes + [0x40, 0xC9, 0x00, 0x00]) {
            RTCPCompound.forEachPacketView(in: $0) { view in
                decoded.append(view.decode())
                view.forEachReportBlock { _ in blockCount += 1 }
            }
        }
        #expect(found)
        #expect(decoded == [nil, .pictureLossIndication(senderSSRC: 1, mediaSSRC: 0x1234_5678)])
        #expect(blockCount == 0)
        #expect(withPacket([0x40, 0xC9, 0x00, 0x00]) { RTCPCompound.forEachPacketView(in: $0) { _ in } } == false)
    }
}

