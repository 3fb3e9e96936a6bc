import Testing

@testable import chorus_load

@Suite struct ProbeHeaderTests {
    static let header = ProbeHeader(
        frameNumber: 0x0102_0304, sendTimeMicroseconds: 0x0000_0A0B_0C0D_0E0F, packetIndex: 2, packetCount: 5,
        layer: 1, flags: ProbeHeader.keyframeFlag)

    /// The header as written: magic "CLD1", frame number, send time, index, count, layer, flags, reserved.
    static let bytes: [UInt8] = [
        0x43, 0x4C, 0x44, 0x31,  // magic
        0x01, 0x02, 0x03, 0x04,  // frame number
        0x00, 0x00, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,  // send time in microseconds
        0x00, 0x02,  // packet index
        0x00, 0x05,  // packet count
        0x01,  // layer
        0x01,  // flags: keyframe
        0x00, 0x00,  // reserved
    ]

    @Test func writesDocumentedLayout() {
        var buffer = [UInt8](repeating: 0xEE, count: ProbeHeader.length)
        buffer.withUnsafeMutableBytes { Self.header.write(into: $0, at: 0) }
        #expect(buffer == Self.bytes)
    }

    @Test func readsWrittenHeader() {
        let read = Self.bytes.withUnsafeBytes { ProbeHeader.read($0, at: 0) }
        #expect(read == Self.header)
        #expect(read?.isKeyframe == true)
    }

    @Test func everyTruncationFailsCleanly() {
        for length in 0..<Self.bytes.count {
            let prefix = Array(Self.bytes.prefix(length))
            #expect(prefix.withUnsafeBytes { ProbeHeader.read($0, at: 0) } == nil, "length \(length)")
            #expect(prefix.withUnsafeBytes { ProbeHeader.find(in: $0, expectedOffset: 0) } == nil, "length \(length)")
        }
    }

    @Test(arguments: [-1, 1, 100])
    func offsetOutsidePayloadFails(offset: Int) {
        #expect(Self.bytes.withUnsafeBytes { ProbeHeader.read($0, at: offset) } == nil)
    }

    @Test func wrongMagicFails() {
        var bytes = Self.bytes
        bytes[3] = 0x32
        #expect(bytes.withUnsafeBytes { ProbeHeader.read($0, at: 0) } == nil)
    }

    @Test(arguments: [(UInt8(0), UInt8(0)), (5, 5), (6, 5)])
    func indexOutsideCountFails(index: UInt8, count: UInt8) {
        var bytes = Self.bytes
        bytes[17] = index
        bytes[19] = count
        #expect(bytes.withUnsafeBytes { ProbeHeader.read($0, at: 0) } == nil)
    }

    /// A forwarder that rewrote a VP8 descriptor moves the header; the search still finds it.
    @Test(arguments: [0, 1, 4, 7, 14, 30])
    func findsHeaderAtUnexpectedOffset(offset: Int) {
        let payload = [UInt8](repeating: 0x90, count: offset) + Self.bytes + [0, 1, 2]
        let found = payload.withUnsafeBytes { ProbeHeader.find(in: $0, expectedOffset: 4) }
        #expect(found == Self.header)
    }

    @Test func findGivesUpBeyondSearchWindow() {
        let payload = [UInt8](repeating: 0x90, count: 60) + Self.bytes
        #expect(payload.withUnsafeBytes { ProbeHeader.find(in: $0, expectedOffset: 0) } == nil)
    }
}
