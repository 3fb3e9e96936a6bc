import RTP
import Testing
import Wire

@testable import Forwarding

@Suite struct RTXPacketTests {
    static let originalSSRC: UInt32 = 0x1122_3344
    static let rtxSSRC: UInt32 = 0x5566_7788

    /// A media packet with a CSRC, a mid extension and a marker bit.
    static let original = makeRTPPacket(
        sequenceNumber: 4242, timestamp: 0xDEAD_BEEF, ssrc: originalSSRC, payloadType: 96, marker: true,
        csrcs: [0x0102_0304], extensions: [(id: 1, value: Array("0".utf8))], payload: [1, 2, 3, 4, 5])

    static func wrap(_ packet: [UInt8], rtxSequenceNumber: UInt16 = 7) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 1500)
        let length = packet.withUnsafeBytes { source in
            buffer.withUnsafeMutableBytes {
                RTXPacket.wrap(
                    source, rtxSSRC: rtxSSRC, rtxPayloadType: 97, rtxSequenceNumber: rtxSequenceNumber, into: $0)
            }
        }
        return length.map { Array(buffer.prefix($0)) }
    }

    static func unwrap(_ packet: [UInt8], capacity: Int = 1500) -> (bytes: [UInt8], sequenceNumber: UInt16)? {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let result = packet.withUnsafeBytes { source in
            buffer.withUnsafeMutableBytes {
                RTXPacket.unwrap(source, originalPayloadType: 96, originalSSRC: originalSSRC, into: $0)
            }
        }
        return result.map { (Array(buffer.prefix($0.length)), $0.sequenceNumber) }
    }

    @Test func wrapWritesHeaderAndOSN() throws {
        let rtx = try #require(Self.wrap(Self.original))
        let view = try #require(rtx.withUnsafeBytes { RTPPacketView.parse($0) })
        #expect(view.ssrc == Self.rtxSSRC)
        #expect(view.payloadType == 97)
        #expect(view.sequenceNumber == 7)
        #expect(view.timestamp == 0xDEAD_BEEF)
        #expect(view.marker)
        #expect(view.csrcCount == 1)
        #expect(Array(rtx[view.payloadRange]) == [0x10, 0x92, 1, 2, 3, 4, 5])
        #expect(rtx.withUnsafeBytes { RTXPacket.originalSequenceNumber(of: $0) } == 4242)
    }

    @Test(arguments: [UInt16(0), 1, 4242, 0x7FFF, 0x8000, 0xFFFF])
    func rtxCarryingSequenceNumberRestoresIt(_ sequenceNumber: UInt16) throws {
        let original = makeRTPPacket(sequenceNumber: sequenceNumber, ssrc: Self.originalSSRC, payload: [9, 8, 7])
        let rtx = try #require(Self.wrap(original, rtxSequenceNumber: 1))
        let restored = try #require(Self.unwrap(rtx))
        #expect(restored.sequenceNumber == sequenceNumber)
        #expect(restored.bytes == original)
    }

    @Test func roundTripKeepsExtensionsAndCSRCs() throws {
        let rtx = try #require(Self.wrap(Self.original))
        let restored = try #require(Self.unwrap(rtx))
        #expect(restored.bytes == Self.original)
    }

    @Test func paddingIsNotCarried() throws {
        let padded = makeRTPPacket(sequenceNumber: 10, ssrc: Self.originalSSRC, payload: [1, 2], paddingLength: 4)
        let rtx = try #require(Self.wrap(padded))
        #expect(rtx[0] & 0x20 == 0)
        let restored = try #require(Self.unwrap(rtx))
        #expect(restored.bytes == makeRTPPacket(sequenceNumber: 10, ssrc: Self.originalSSRC, payload: [1, 2]))
    }

    @Test func paddingOnlyRTXHasNoOSN() {
        // Senders probe bandwidth with RTX packets that carry only padding.
        let probe = makeRTPPacket(sequenceNumber: 5, ssrc: Self.rtxSSRC, payload: [], paddingLength: 200)
        #expect(Self.unwrap(probe) == nil)
        #expect(probe.withUnsafeBytes { RTXPacket.originalSequenceNumber(of: $0) } == nil)
    }

    @Test func smallBufferIsRejected() throws {
        let rtx = try #require(Self.wrap(Self.original))
        #expect(Self.unwrap(rtx, capacity: Self.original.count - 1) == nil)
        #expect(Self.unwrap(rtx, capacity: Self.original.count) != nil)

        var buffer = [UInt8](repeating: 0, count: rtx.count - 1)
        let length = Self.original.withUnsafeBytes { source in
            buffer.withUnsafeMutableBytes {
                RTXPacket.wrap(source, rtxSSRC: 1, rtxPayloadType: 97, rtxSequenceNumber: 1, into: $0)
            }
        }
        #expect(length == nil)
    }

    @Test func wrapAndUnwrapInPlace() throws {
        var bytes = Self.original + [0, 0]
        let length = bytes.withUnsafeMutableBytes { buffer in
            RTXPacket.wrap(
                UnsafeRawBufferPointer(rebasing: buffer[0..<Self.original.count]), rtxSSRC: Self.rtxSSRC,
                rtxPayloadType: 97, rtxSequenceNumber: 7, into: buffer)
        }
        #expect(length == Self.original.count + 2)
        #expect(bytes == Self.wrap(Self.original))

        let restored = bytes.withUnsafeMutableBytes { buffer in
            RTXPacket.unwrap(
                UnsafeRawBufferPointer(buffer), originalPayloadType: 96, originalSSRC: Self.originalSSRC, into: buffer)
        }
        #expect(restored?.length == Self.original.count)
        #expect(Array(bytes.prefix(Self.original.count)) == Self.original)
    }

    @Test func everyTruncationFailsCleanly() throws {
        let rtx = try #require(Self.wrap(Self.original))
        for length in 0..<rtx.count {
            let prefix = Array(rtx.prefix(length))
            if let restored = Self.unwrap(prefix) {
                // A prefix that still parses is a shorter packet; it restores to a shorter one.
                #expect(restored.bytes.count < Self.original.count)
            }
            _ = Self.wrap(prefix)
        }
    }
}
