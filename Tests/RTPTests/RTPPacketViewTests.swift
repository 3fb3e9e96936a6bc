import Testing

@testable import RTP
import Wire

@Suite struct RTPPacketViewTests {
    @Test func opusPacketHeaderFields() throws {
        try withPacket(RTPFixtures.opusWithOneByteExtensions.bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.marker == false)
            #expect(view.payloadType == 111)
            #expect(view.sequenceNumber == 6699)
            #expect(view.timestamp == 15424)
            #expect(view.ssrc == 0x1234_5678)
            #expect(view.csrcCount == 0)
            #expect(view.hasPadding == false)
            #expect(view.paddingLength == 0)
            #expect(view.extensionProfile == 0xBEDE)
            #expect(view.extensionRange == 16..<28)
            #expect(view.headerLength == 28)
            #expect(view.payloadLength == 8)
            #expect(view.packetLength == packet.count)
        }
    }

    @Test func opusPacketExtensionValues() throws {
        try withPacket(RTPFixtures.opusWithOneByteExtensions.bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            let levelElement = try #require(view.extensionElement(id: 1, in: packet))
            let sendTimeElement = try #require(view.extensionElement(id: 2, in: packet))
            let sequenceElement = try #require(view.extensionElement(id: 3, in: packet))
            let midElement = try #require(view.extensionElement(id: 4, in: packet))

            let level = try #require(AudioLevel.parse(levelElement))
            #expect(level.voice == true)
            #expect(level.level == 37)
            #expect(AbsSendTime.parse(sendTimeElement) == 0x12_3456)
            #expect(TransportWideSequenceNumber.parse(sequenceElement) == 42)
            #expect(parseMid(midElement) == "0")
            #expect(view.extensionElement(id: 5, in: packet) == nil)
        }
    }

    @Test func csrcsPaddingAndExtensions() throws {
        try withPacket(RTPFixtures.mixedWithCSRCsAndPadding.bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.marker == true)
            #expect(view.payloadType == 96)
            #expect(view.sequenceNumber == 65535)
            #expect(view.timestamp == 0xFFFF_FFF0)
            #expect(view.ssrc == 0xDEAD_BEEF)
            #expect(view.csrcCount == 2)
            #expect(view.csrc(at: 0, in: packet) == 1)
            #expect(view.csrc(at: 1, in: packet) == 2)
            #expect(view.csrc(at: 2, in: packet) == nil)
            #expect(view.hasPadding == true)
            #expect(view.paddingLength == 3)
            #expect(view.headerLength == 36)
            #expect(view.payloadLength == 4)
            #expect(view.payload(in: packet).map(Array.init) == [0xAA, 0xBB, 0xCC, 0xDD])

            var seen: [(UInt8, [UInt8])] = []
            view.forEachExtension(in: packet) { id, value in seen.append((id, Array(value))) }
            #expect(seen.map(\.0) == [1, 2, 3])
            #expect(seen.map(\.1) == [[0x90], [0x01, 0x02, 0x03], [0xAB, 0xCD]])
        }
    }

    @Test func twoByteProfileWithTwentyByteElement() throws {
        try withPacket(RTPFixtures.twoByteExtensions.bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.extensionProfile == 0x1003)
            #expect(view.extensionAppBits == 3)
            #expect(view.headerLength == 44)
            #expect(view.payloadLength == 2)

            let element = try #require(view.extensionElement(id: 5, in: packet))
            #expect(Array(element) == Array(1...20))
            let empty = try #require(view.extensionElement(id: 7, in: packet))
            #expect(empty.count == 0)

            var ids: [UInt8] = []
            view.forEachExtension(in: packet) { id, _ in ids.append(id) }
            #expect(ids == [5, 7])
        }
    }

    @Test func reservedIDFifteenStopsParsing() throws {
        try withPacket(RTPFixtures.reservedIDStopsParsing.bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.extensionElement(id: 1, in: packet).map(Array.init) == [0xAA])
            #expect(view.extensionElement(id: 2, in: packet) == nil)

            var ids: [UInt8] = []
            view.forEachExtension(in: packet) { id, _ in ids.append(id) }
            #expect(ids == [1])
        }
    }

    @Test func unknownProfileIsOpaque() throws {
        // Profile 0x0001 with one word of elements: the block is skipped but not interpreted.
        let bytes: [UInt8] = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x01, 0x00, 0x01, 0x10, 0xAA, 0, 0, 0xFF]
        try withPacket(bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.extensionProfile == 1)
            #expect(view.extensionAppBits == nil)
            #expect(view.headerLength == 20)
            #expect(view.payloadLength == 1)
            #expect(view.extensionElement(id: 1, in: packet) == nil)
        }
    }

    @Test func elementPastBlockEndIsDropped() throws {
        // ID 1 claims 4 bytes, but the block holds only 3 after it.
        let bytes: [UInt8] = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x01, 0x13, 1, 2, 3]
        try withPacket(bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.extensionElement(id: 1, in: packet) == nil)
        }
    }

    @Test func idZeroWithLengthStopsParsing() throws {
        // 0x05 has ID 0 and a length: not a padding byte, so the rest is not trusted.
        let bytes: [UInt8] = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x01, 0x05, 0x10, 0xAA, 0]
        try withPacket(bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.extensionElement(id: 1, in: packet) == nil)
        }
    }

    @Test(
        arguments: [
            ("version 1", [0x40, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
            ("version 0", [0x00, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
            ("11 bytes", [0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
            ("CSRC list past end", [0x81, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]),
            ("extension header past end", [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0]),
            ("extension length past end", [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 0, 0, 0, 0]),
            ("padding count 0", [0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA, 0x00]),
            ("padding past header", [0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA, 0x03]),
            ("padding bit without bytes", [0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
        ] as [(String, [UInt8])])
    func invalidPacketIsRejected(_ name: String, _ bytes: [UInt8]) {
        withPacket(bytes) { packet in
            #expect(RTPPacketView.parse(packet) == nil, "\(name)")
        }
    }

    @Test func paddingOnlyPacketIsValid() throws {
        // Senders probe bandwidth with packets that hold nothing but padding.
        let bytes: [UInt8] = [0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4]
        try withPacket(bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.paddingLength == 4)
            #expect(view.payloadLength == 0)
        }
    }

    @Test(arguments: RTPFixtures.all)
    func everyTruncationFailsCleanly(_ fixture: RTPFixture) {
        for length in 0...fixture.bytes.count {
            withPacket(Array(fixture.bytes.prefix(length))) { packet in
                guard let view = RTPPacketView.parse(packet) else { return }
                #expect(view.packetLength == packet.count)
                #expect(view.payloadRange.upperBound <= packet.count)
                if let range = view.extensionRange {
                    #expect(range.upperBound <= view.headerLength)
                }
                view.forEachExtension(in: packet) { _, value in
                    #expect(value.count <= packet.count)
                }
                _ = view.extensionElement(id: 5, in: packet)
            }
        }
    }

    @Test func viewDoesNotReadPastShorterBuffer() throws {
        let bytes = RTPFixtures.opusWithOneByteExtensions.bytes
        let view = try withPacket(bytes) { try #require(RTPPacketView.parse($0)) }
        withPacket(Array(bytes.prefix(20))) { shorter in
            #expect(view.extensionElement(id: 1, in: shorter) == nil)
            #expect(view.payload(in: shorter) == nil)
        }
    }

    @Test func mixedElementsInTwoByteBlock() throws {
        // With a=extmap-allow-mixed a two-byte block carries elements that would fit the one-byte
        // form beside ones that need the two-byte form: an ID above 14, an empty value, 17 bytes.
        let bytes: [UInt8] =
            [
                0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x2A,
                0x10, 0x00, 0x00, 0x08,  // two-byte profile, 8 words
                0x01, 0x01, 0x90,  // ID 1, 1 byte: audio level
                0x10, 0x00,  // ID 16, empty
                0x03, 0x02, 0x01, 0x02,  // ID 3, 2 bytes: transport-wide sequence number 258
                0x0F, 0x11,  // ID 15, 17 bytes
            ] + Array(1...17) + [0x00, 0x00, 0x00, 0x00, 0xEE]
        try withPacket(bytes) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.headerLength == 48)
            #expect(view.payloadLength == 1)

            var seen: [(UInt8, Int)] = []
            view.forEachExtension(in: packet) { id, value in seen.append((id, value.count)) }
            #expect(seen.map(\.0) == [1, 16, 3, 15])
            #expect(seen.map(\.1) == [1, 0, 2, 17])
            let sequenceElement = try #require(view.extensionElement(id: 3, in: packet))
            #expect(TransportWideSequenceNumber.parse(sequenceElement) == 258)
            #expect(view.extensionElement(id: 15, in: packet).map(Array.init) == Array(1...17))
        }
    }

    @Test func sequenceAndTimestampComparisonAcrossWrap() throws {
        // Packets just before and after the 16-bit and 32-bit wraps, as a receiver sees them.
        let before = RTPFixtures.mixedWithCSRCsAndPadding.bytes  // sequence 65535, timestamp 0xFFFFFFF0
        var after = before
        after.replaceSubrange(2..<8, with: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10])  // sequence 0, timestamp 16
        let first = try withPacket(before) { try #require(RTPPacketView.parse($0)) }
        let second = try withPacket(after) { try #require(RTPPacketView.parse($0)) }
        #expect(isNewer(second.sequenceNumber, than: first.sequenceNumber))
        #expect(!isNewer(first.sequenceNumber, than: second.sequenceNumber))
        #expect(isNewer(second.timestamp, than: first.timestamp))
        #expect(second.timestamp &- first.timestamp == 32)

        var sequence = SequenceUnwrapper()
        var timestamp = TimestampUnwrapper()
        #expect([first, second].map { sequence.unwrap($0.sequenceNumber) } == [65535, 65536])
        #expect([first, second].map { timestamp.unwrap($0.timestamp) } == [0xFFFF_FFF0, 0x1_0000_0010])
    }
}

