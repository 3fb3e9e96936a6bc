import Testing

@testable import RTP

@Suite struct RTPHeaderWriterTests {
    @Test func plainHeaderRoundTrip() throws {
        var buffer = [UInt8](repeating: 0xEE, count: 12)
        let written = buffer.withUnsafeMutableBytes {
            RTPHeaderWriter.write(
                into: $0, marker: true, payloadType: 96, sequenceNumber: 65535, timestamp: 0xFFFF_FFFF, ssrc: 7)
        }
        #expect(written == 12)
        #expect(buffer == [0x80, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 7])

        try withPacket(buffer) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.marker)
            #expect(view.payloadType == 96)
            #expect(view.sequenceNumber == 65535)
            #expect(view.timestamp == 0xFFFF_FFFF)
            #expect(view.ssrc == 7)
            #expect(view.extensionProfile == nil)
        }
    }

    @Test func oneByteExtensionsRoundTrip() throws {
        var buffer = [UInt8](repeating: 0xEE, count: 64)
        let written = try #require(
            buffer.withUnsafeMutableBytes {
                RTPHeaderWriter.write(
                    into: $0, marker: false, payloadType: 111, sequenceNumber: 1, timestamp: 2, ssrc: 3,
                    extensions: [(id: 1, value: [0x85]), (id: 3, value: [0x00, 0x2A]), (id: 14, value: Array(1...16))])
            })
        // 12 header + 4 block header + (2 + 3 + 17 = 22 padded to 24).
        #expect(written == 40)

        try withPacket(Array(buffer.prefix(written))) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.extensionProfile == 0xBEDE)
            #expect(view.headerLength == written)
            #expect(view.extensionElement(id: 1, in: packet).map(Array.init) == [0x85])
            #expect(view.extensionElement(id: 3, in: packet).map(Array.init) == [0x00, 0x2A])
            #expect(view.extensionElement(id: 14, in: packet).map(Array.init) == Array(1...16))
        }
    }

    @Test func twoByteFormWhenElementNeedsIt() throws {
        var buffer = [UInt8](repeating: 0xEE, count: 64)
        let written = try #require(
            buffer.withUnsafeMutableBytes {
                RTPHeaderWriter.write(
                    into: $0, marker: false, payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3,
                    extensions: [(id: 5, value: Array(repeating: 9, count: 20)), (id: 200, value: [])])
            })
        #expect(written == 12 + 4 + 24)

        try withPacket(Array(buffer.prefix(written))) { packet in
            let view = try #require(RTPPacketView.parse(packet))
            #expect(view.extensionProfile == 0x1000)
            #expect(view.extensionElement(id: 5, in: packet)?.count == 20)
            #expect(view.extensionElement(id: 200, in: packet)?.count == 0)
        }
    }

    @Test func bufferTooSmallReturnsNil() {
        var buffer = [UInt8](repeating: 0, count: 15)
        let written = buffer.withUnsafeMutableBytes {
            RTPHeaderWriter.write(
                into: $0, marker: false, payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3,
                extensions: [(id: 1, value: [1])])
        }
        #expect(written == nil)
        #expect(buffer == [UInt8](repeating: 0, count: 15))
    }
}
