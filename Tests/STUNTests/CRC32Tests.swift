import STUN
import Testing

@Suite("CRC-32")
struct CRC32Tests {
    @Test(arguments: [
        ("", UInt32(0x0000_0000)),
        ("a", 0xE8B7_BE43),
        ("123456789", 0xCBF4_3926),  // The standard check value of CRC-32/ISO-HDLC.
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
    ])
    func checksumMatchesKnownValues(text: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(text.utf8)) == expected)
    }
}
