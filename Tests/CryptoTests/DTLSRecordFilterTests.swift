import DTLS
import Testing

@Suite struct DTLSRecordFilterTests {
    /// Builds a record header (RFC 6347 section 4.1) around `body`.
    static func record(_ contentType: UInt8, epoch: UInt8 = 0, _ body: [UInt8]) -> [UInt8] {
        [contentType, 0xFE, 0xFD, 0, epoch, 0, 0, 0, 0, 0, 1, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    /// Builds a handshake fragment with its header: type, length, message_seq, fragment_offset, fragment_length.
    static func fragment(type: UInt8, length: Int, offset: Int, fragmentLength: Int) -> [UInt8] {
        func uint24(_ value: Int) -> [UInt8] {
            [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        return [type] + uint24(length) + [0, 0] + uint24(offset) + uint24(fragmentLength)
            + [UInt8](repeating: 0xAB, count: fragmentLength)
    }

    static let cases: [(name: String, datagram: [UInt8], isWellFormed: Bool)] = [
        ("change_cipher_spec", record(20, [1]), true),
        ("change_cipher_spec with value 2", record(20, [2]), false),
        ("change_cipher_spec with two bytes", record(20, [1, 1]), false),
        ("fatal alert", record(21, [2, 40]), true),
        ("alert with level 3", record(21, [3, 40]), false),
        ("plaintext alert of three bytes", record(21, [2, 40, 0]), false),
        ("encrypted alert", record(21, epoch: 1, [9, 9, 9, 9, 9, 9]), true),
        ("client_hello fragment", record(22, fragment(type: 1, length: 40, offset: 0, fragmentLength: 40)), true),
        ("second fragment", record(22, fragment(type: 11, length: 900, offset: 600, fragmentLength: 300)), true),
        (
            "fragment past message end", record(22, fragment(type: 11, length: 900, offset: 700, fragmentLength: 300)),
            false
        ),
        ("plaintext finished", record(22, fragment(type: 20, length: 12, offset: 0, fragmentLength: 12)), false),
        ("unknown handshake type", record(22, fragment(type: 99, length: 4, offset: 0, fragmentLength: 4)), false),
        ("empty plaintext handshake", record(22, []), false),
        ("encrypted handshake", record(22, epoch: 1, [1, 2, 3, 4, 5]), true),
        ("plaintext application_data", record(23, [1, 2, 3]), false),
        ("encrypted application_data", record(23, epoch: 1, [1, 2, 3]), true),
        ("heartbeat", record(24, epoch: 1, [1, 2, 3]), false),
        ("TLS 1.2 version", [22, 0x03, 0x03] + Array(record(22, epoch: 1, [1]).dropFirst(3)), false),
        ("two records", record(20, [1]) + record(22, epoch: 1, [1, 2, 3]), true),
        ("record then garbage", record(20, [1]) + [0xFF], false),
        ("empty datagram", [], false),
    ]

    @Test(arguments: cases)
    func classifiesRecord(_ name: String, _ datagram: [UInt8], _ isWellFormed: Bool) {
        #expect(datagram.withUnsafeBytes { DTLSRecordFilter.isWellFormed($0) } == isWellFormed, "\(name)")
    }

    @Test func truncationInsideRecordIsRejected() throws {
        let pair = try DTLSTestPair()
        pair.handshake()
        #expect(pair.server.state == .connected)

        for (_, datagram) in pair.delivered {
            #expect(datagram.withUnsafeBytes { DTLSRecordFilter.isWellFormed($0) })
            let boundaries = Self.recordBoundaries(datagram)
            for length in 0..<datagram.count where !boundaries.contains(length) {
                let truncated = Array(datagram.prefix(length))
                #expect(!truncated.withUnsafeBytes { DTLSRecordFilter.isWellFormed($0) }, "prefix of \(length) bytes")
            }
        }
    }

    /// Offsets at which a record ends, where a truncated datagram is still a valid sequence of
    /// records (except at 0).
    static func recordBoundaries(_ datagram: [UInt8]) -> Set<Int> {
        var boundaries: Set<Int> = []
        var offset = 0
        while offset + 13 <= datagram.count {
            offset += 13 + (Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
            boundaries.insert(offset)
        }
        return boundaries
    }

    @Test(arguments: [(UInt8(19), false), (20, true), (63, true), (64, false), (0, false), (128, false)])
    func demultiplexingRange(_ firstByte: UInt8, _ isDTLS: Bool) {
        #expect(DTLSRecordFilter.isDTLS(firstByte: firstByte) == isDTLS)
    }
}
