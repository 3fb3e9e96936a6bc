import Testing

@testable import Wire

@Suite struct SequenceNumberTests {
    @Test(arguments: [
        (1 as UInt16, 0 as UInt16, true),
        (0, 1, false),
        (0, 65535, true),  // across the wrap
        (65535, 0, false),
        (5, 65530, true),
        (0x7FFF, 0, true),  // just under half the space ahead
        (0x8000, 0, false),  // exactly half: taken as older
        (7, 7, false),
    ])
    func isNewer16(_ a: UInt16, _ b: UInt16, _ expected: Bool) {
        #expect(isNewer(a, than: b) == expected)
    }

    @Test(arguments: [
        (1 as UInt32, 0 as UInt32, true),
        (0, 0xFFFF_FFFF, true),
        (0xFFFF_FFFF, 0, false),
        (0x7FFF_FFFF, 0, true),
        (0x8000_0000, 0, false),
        (42, 42, false),
    ])
    func isNewer32(_ a: UInt32, _ b: UInt32, _ expected: Bool) {
        #expect(isNewer(a, than: b) == expected)
    }

    @Test func unwrapperCountsWraps() {
        var unwrapper = SequenceUnwrapper()
        let input: [UInt16] = [65533, 65534, 65535, 0, 1, 2]
        let extended = input.map { unwrapper.unwrap($0) }
        #expect(extended == [65533, 65534, 65535, 65536, 65537, 65538])
        #expect(unwrapper.highest == 65538)
    }

    @Test func unwrapperPlacesReorderedPacketBeforeWrap() {
        var unwrapper = SequenceUnwrapper()
        #expect(unwrapper.unwrap(65535) == 65535)
        #expect(unwrapper.unwrap(1) == 65537)
        #expect(unwrapper.unwrap(0) == 65536)  // late, and on the new cycle
        #expect(unwrapper.unwrap(65534) == 65534)  // late, and on the old cycle
        #expect(unwrapper.highest == 65537)
    }

    @Test func unwrapperHandlesManyWraps() {
        var unwrapper = SequenceUnwrapper()
        var sequenceNumber: UInt16 = 60000
        var last: Int64 = 0
        for _ in 0..<(5 * 65536 / 1000) {
            last = unwrapper.unwrap(sequenceNumber)
            sequenceNumber &+= 1000
        }
        #expect(last == 60000 + Int64(5 * 65536 / 1000 - 1) * 1000)
    }

    @Test func unwrapperBeforeFirstValueGoesNegative() {
        // A packet reordered before the first one seen, across the wrap, lands below zero.
        var unwrapper = SequenceUnwrapper()
        #expect(unwrapper.unwrap(0) == 0)
        #expect(unwrapper.unwrap(65535) == -1)
        #expect(unwrapper.highest == 0)
    }

    @Test func timestampUnwrapperCountsWraps() {
        var unwrapper = TimestampUnwrapper()
        #expect(unwrapper.unwrap(0xFFFF_FF00) == 0xFFFF_FF00)
        #expect(unwrapper.unwrap(0x0000_0100) == 0x1_0000_0100)
        #expect(unwrapper.unwrap(0xFFFF_FFF0) == 0xFFFF_FFF0)  // reordered, before the wrap
        #expect(unwrapper.unwrap(0x8000_0000) == 0x1_8000_0000)
        #expect(unwrapper.highest == 0x1_8000_0000)
    }
}
