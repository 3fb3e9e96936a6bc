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
}
