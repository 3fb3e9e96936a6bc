/// The sample messages of RFC 5769 section 2, as published there, with the attribute layout of
/// each noted beside its bytes.
enum RFC5769 {
    /// The short-term password of sections 2.1 to 2.3.
    static let password = "VOkJxbRl1RmTxUk/WvJxBt"
    static let transactionID: [UInt8] = [0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae]

    /// Section 2.1: a Binding request with SOFTWARE "STUN test client", PRIORITY 0x6e0001ff,
    /// ICE-CONTROLLED, USERNAME "evtj:h6vY" padded with spaces, MESSAGE-INTEGRITY and FINGERPRINT.
    static let request: [UInt8] = bytes(
        "000100582112a442b7e7a701bc34d686fa87dfae"
            + "80220010" + "5354554e207465737420636c69656e74"  // SOFTWARE
            + "00240004" + "6e0001ff"  // PRIORITY
            + "80290008" + "932ff9b151263b36"  // ICE-CONTROLLED
            + "00060009" + "6576746a3a68367659202020"  // USERNAME
            + "00080014" + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"  // MESSAGE-INTEGRITY
            + "80280004" + "e57a3bcf"  // FINGERPRINT
    )

    /// Section 2.2: a success response with SOFTWARE "test vector" and XOR-MAPPED-ADDRESS
    /// 192.0.2.1:32853.
    static let responseIPv4: [UInt8] = bytes(
        "0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b" + "7465737420766563746f7220"  // SOFTWARE
            + "00200008" + "0001a147e112a643"  // XOR-MAPPED-ADDRESS
            + "00080014" + "2b91f599fd9e90c38c7489f92af9ba53f06be7d7"  // MESSAGE-INTEGRITY
            + "80280004" + "c07d4c96"  // FINGERPRINT
    )

    /// Section 2.3: the same response with XOR-MAPPED-ADDRESS
    /// [2001:db8:1234:5678:11:2233:4455:6677]:32853.
    static let responseIPv6: [UInt8] = bytes(
        "010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b" + "7465737420766563746f7220"  // SOFTWARE
            + "00200014" + "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9"  // XOR-MAPPED-ADDRESS
            + "00080014" + "a382954e4be67bf11784c97c8292c275bfe3ed41"  // MESSAGE-INTEGRITY
            + "80280004" + "c8fb0b4c"  // FINGERPRINT
    )

    /// Section 2.4: a request with long-term credentials: USERNAME "マトリックス" (U+30DE U+30C8
    /// U+30EA U+30C3 U+30AF U+30B9), NONCE, REALM "example.org" and MESSAGE-INTEGRITY, with no
    /// FINGERPRINT.
    static let longTermRequest: [UInt8] = bytes(
        "000100602112a44278ad3433c6ad72c029da412e"
            + "00060012" + "e3839ee38388e383aae38383e382afe382b90000"  // USERNAME
            + "0015001c" + "662f2f3439396b39353464364f4c33346f4c39465354767936347341"  // NONCE
            + "0014000b" + "6578616d706c652e6f726700"  // REALM
            + "00080014" + "f67024656dd64a3e02b8e0712e85c9a28ca89666"  // MESSAGE-INTEGRITY
    )

    /// The long-term key of section 2.4, MD5("マトリックス:example.org:TheMatrIX") as RFC 8489
    /// section 9.2.2 defines it; "TheMatrIX" is the password after SASLprep. Computed with
    /// Python's hashlib because Crypto has no MD5.
    static let longTermKey: [UInt8] = bytes("e8ca7ad59d5eb0518e312911d2dab2a9")

    static let all: [[UInt8]] = [request, responseIPv4, responseIPv6, longTermRequest]
}

/// Decodes a string of hex digit pairs; a test fixture with an odd digit count is a bug in the test.
func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    precondition(digits.count % 2 == 0, "hex fixture has an odd number of digits")
    return stride(from: 0, to: digits.count, by: 2).map { index in
        guard let value = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
            preconditionFailure("hex fixture has a non-hex digit")
        }
        return value
    }
}
