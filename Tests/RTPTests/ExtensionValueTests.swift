import Testing

@testable import RTP

@Suite struct ExtensionValueTests {
    @Test(arguments: [
        ([0x00] as [UInt8], false, 0 as UInt8),
        ([0x7F], false, 127),
        ([0x80], true, 0),
        ([0xFF, 0x00], true, 127),
    ])
    func audioLevel(_ bytes: [UInt8], _ voice: Bool, _ level: UInt8) throws {
        try withPacket(bytes) { element in
            let parsed = try #require(AudioLevel.parse(element))
            #expect(parsed.voice == voice)
            #expect(parsed.level == level)
        }
    }

    @Test func emptyAudioLevelIsRejected() {
        withPacket([]) { #expect(AudioLevel.parse($0) == nil) }
    }

    @Test(arguments: [
        ([0x30] as [UInt8], "0" as String?),
        (Array("audio-1".utf8), "audio-1"),
        (Array("v".utf8) + [0, 0], "v"),
        ([], nil),
        ([0x00, 0x41], nil),
        ([0x41, 0x20, 0x42], nil),
        ([0x41, 0x0A], nil),
        ([0xC3, 0xA9], nil),
    ])
    func mid(_ bytes: [UInt8], _ expected: String?) {
        withPacket(bytes) { #expect(parseMid($0) == expected) }
    }

    @Test(arguments: [
        (Array("hi".utf8), "hi" as String?),
        (Array("q_1-B".utf8), "q_1-B"),
        (Array("a.b".utf8), nil),
        (Array("".utf8), nil),
    ])
    func rid(_ bytes: [UInt8], _ expected: String?) {
        withPacket(bytes) { #expect(parseRid($0) == expected) }
    }

    @Test func transportWideSequenceNumber() {
        withPacket([0xFF, 0xFE]) { #expect(TransportWideSequenceNumber.parse($0) == 65534) }
        withPacket([0xFF]) { #expect(TransportWideSequenceNumber.parse($0) == nil) }
        #expect(TransportWideSequenceNumber.value(0x1234) == [0x12, 0x34])
    }

    @Test func absSendTime() {
        withPacket([0x04, 0x00, 0x00]) { element in
            // 0x040000 is 1 second in 6.18 fixed point.
            #expect(AbsSendTime.parse(element) == 0x04_0000)
            #expect(AbsSendTime.microseconds(0x04_0000) == 1_000_000)
        }
        withPacket([0x04, 0x00]) { #expect(AbsSendTime.parse($0) == nil) }
        #expect(AbsSendTime.value(microseconds: 1_000_000) == 0x04_0000)
        #expect(AbsSendTime.value(microseconds: 65_000_000) == 0x04_0000)
        #expect(AbsSendTime.value(microseconds: 1_700_000_000_000_000) == AbsSendTime.value(microseconds: 0))
        #expect(AbsSendTime.bytes(0x12_3456) == [0x12, 0x34, 0x56])
    }

    /// Each fixed-size extension value, with the shortest length its parser accepts.
    static let fixedSizeValues: [(name: String, bytes: [UInt8], minimumLength: Int)] = [
        ("audio level", [0x90], 1),
        ("abs-send-time", [0x04, 0x00, 0x00], 3),
        ("transport-wide sequence number", [0x01, 0x02], 2),
        ("playout delay", [0x00, 0x10, 0x20], 3),
        ("video orientation", [0x0B], 1),
    ]

    static func parses(_ name: String, _ element: UnsafeRawBufferPointer) -> Bool {
        switch name {
        case "audio level": return AudioLevel.parse(element) != nil
        case "abs-send-time": return AbsSendTime.parse(element) != nil
        case "transport-wide sequence number": return TransportWideSequenceNumber.parse(element) != nil
        case "playout delay": return PlayoutDelay.parse(element) != nil
        default: return VideoOrientation.parse(element) != nil
        }
    }

    @Test(arguments: fixedSizeValues.indices)
    func everyTruncationOfFixedSizeValue(_ index: Int) {
        let (name, bytes, minimumLength) = Self.fixedSizeValues[index]
        for length in 0...bytes.count {
            withPacket(Array(bytes.prefix(length))) { element in
                #expect(Self.parses(name, element) == (length >= minimumLength), "\(name), \(length) bytes")
            }
        }
    }

    @Test func everyTruncationOfIdentifiers() {
        let mid = Array("audio-1".utf8)
        let rid = Array("q_1-B".utf8)
        for length in 0...mid.count {
            withPacket(Array(mid.prefix(length))) { element in
                #expect(parseMid(element) == (length == 0 ? nil : String(decoding: mid.prefix(length), as: UTF8.self)))
            }
        }
        for length in 0...rid.count {
            withPacket(Array(rid.prefix(length))) { element in
                #expect(parseRid(element) == (length == 0 ? nil : String(decoding: rid.prefix(length), as: UTF8.self)))
            }
        }
    }
}

