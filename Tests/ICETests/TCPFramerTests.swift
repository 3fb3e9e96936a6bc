import ICE
import Testing

@Suite("RFC 4571 TCP framer")
struct TCPFramerTests {
    static let packets: [[UInt8]] = [[0x00, 0x01, 0x00, 0x00], [0x16], Array(repeating: 0x80, count: 300), [1, 2, 3]]
    static let stream: [UInt8] = packets.flatMap { TCPFramer.frame($0) }

    @Test func framePrefixesLength() {
        #expect(TCPFramer.frame([0xAA, 0xBB, 0xCC]) == [0x00, 0x03, 0xAA, 0xBB, 0xCC])
        #expect(TCPFramer.frame(Array(repeating: 0, count: 258)).prefix(2) == [0x01, 0x02])
        #expect(TCPFramer.frame([]) == [0x00, 0x00])
    }

    @Test func splitsWholeStream() throws {
        var framer = TCPFramer(maxPacketSize: 1500)
        framer.append(Self.stream)
        for packet in Self.packets {
            #expect(try framer.nextPacket() == packet)
        }
        #expect(try framer.nextPacket() == nil)
        #expect(framer.bufferedByteCount == 0)
    }

    /// Feeding the stream in chunks of every size yields the same packets, so frames split
    /// across reads (including inside the length prefix) are reassembled.
    @Test(arguments: [1, 2, 3, 5, 7, 64, 301, 1000])
    func reassemblesAcrossChunks(chunkSize: Int) throws {
        var framer = TCPFramer(maxPacketSize: 1500)
        var received: [[UInt8]] = []
        var offset = 0
        while offset < Self.stream.count {
            let end = min(offset + chunkSize, Self.stream.count)
            framer.append(Array(Self.stream[offset..<end]))
            offset = end
            while let packet = try framer.nextPacket() {
                received.append(packet)
            }
        }
        #expect(received == Self.packets)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func skipsZeroLengthFrames() throws {
        var framer = TCPFramer(maxPacketSize: 10)
        framer.append([0, 0, 0, 0, 0, 1, 0x42, 0, 0])
        #expect(try framer.nextPacket() == [0x42])
        #expect(try framer.nextPacket() == nil)
    }

    @Test func oversizeFrameFailsForGood() {
        var framer = TCPFramer(maxPacketSize: 4)
        framer.append([0, 5, 1, 2, 3, 4, 5])
        #expect(throws: TCPFramingError.packetTooLarge(length: 5, maxPacketSize: 4)) { try framer.nextPacket() }
        framer.append([0, 1, 9])
        #expect(throws: TCPFramingError.packetTooLarge(length: 5, maxPacketSize: 4)) { try framer.nextPacket() }
    }

    @Test func maxSizeFrameIsAccepted() throws {
        var framer = TCPFramer(maxPacketSize: 65535)
        let packet = [UInt8](repeating: 7, count: 65535)
        framer.append(TCPFramer.frame(packet))
        #expect(try framer.nextPacket() == packet)
    }

    @Test func partialFrameWaitsForMore() throws {
        var framer = TCPFramer(maxPacketSize: 100)
        framer.append([0])
        #expect(try framer.nextPacket() == nil)
        framer.append([3, 1, 2])
        #expect(try framer.nextPacket() == nil)
        #expect(framer.bufferedByteCount == 4)
        framer.append([3])
        #expect(try framer.nextPacket() == [1, 2, 3])
    }

    /// Every prefix of the stream yields exactly the frames that end inside it, and keeps the
    /// partial frame after them buffered.
    @Test func everyTruncationYieldsWholeFrames() throws {
        var frameEnds: [Int] = []
        var end = 0
        for packet in Self.packets {
            end += 2 + packet.count
            frameEnds.append(end)
        }
        for length in 0...Self.stream.count {
            var framer = TCPFramer(maxPacketSize: 1500)
            framer.append(Array(Self.stream.prefix(length)))
            var received: [[UInt8]] = []
            while let packet = try framer.nextPacket() {
                received.append(packet)
            }
            let whole = frameEnds.filter { $0 <= length }
            #expect(received == Array(Self.packets.prefix(whole.count)), "\(length) bytes")
            #expect(framer.bufferedByteCount == length - (whole.last ?? 0), "\(length) bytes")
        }
    }
}

