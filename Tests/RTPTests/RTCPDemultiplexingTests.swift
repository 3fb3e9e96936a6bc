import Testing

@testable import RTP

@Suite struct RTCPDemultiplexingTests {
    @Test(arguments: [
        ([0x80, 0xC8] as [UInt8], true),  // SR, 200
        ([0x81, 0xC9], true),  // RR, 201
        ([0x80, 0xC0], true),  // 192, bottom of the range
        ([0x80, 0xDF], true),  // 223, top of the range
        ([0x80, 0xBF], false),  // PT 63 with marker
        ([0x80, 0xE0], false),  // PT 96 with marker
        ([0x80, 0x6F], false),  // PT 111 without marker
        ([0x40, 0xC8], false),  // version 1
        ([0x80], false),
        ([], false),
    ])
    func demultiplexBySecondByte(_ bytes: [UInt8], _ expected: Bool) {
        withPacket(bytes) { #expect(isRTCPPacket($0) == expected) }
    }
}
