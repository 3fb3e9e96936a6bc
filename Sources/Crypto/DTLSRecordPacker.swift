/// Groups the DTLS records that OpenSSL wrote into datagrams.
///
/// OpenSSL sizes each record to the MTU but cannot see datagram boundaries through a memory BIO,
/// so this splits its output at record headers and packs whole records into datagrams of at most
/// `mtu` bytes. RFC 6347 section 4.1.1 allows several records per datagram.
enum DTLSRecordPacker {
    /// Content type (1), version (2), epoch (2), sequence number (6), length (2).
    static let headerLength = 13

    static func pack(_ bytes: [UInt8], mtu: Int) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var current: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let recordLength = lengthOfRecord(in: bytes, at: offset)
            if !current.isEmpty && current.count + recordLength > mtu {
                datagrams.append(current)
                current = []
            }
            current.append(contentsOf: bytes[offset..<offset + recordLength])
            offset += recordLength
        }
        if !current.isEmpty { datagrams.append(current) }
        return datagrams
    }

    /// Returns the length of the record at `offset`, header included. OpenSSL's own output always parses;
    /// if it did not, the rest is treated as one record so that no byte is lost.
    private static func lengthOfRecord(in bytes: [UInt8], at offset: Int) -> Int {
        let remaining = bytes.count - offset
        guard remaining >= headerLength else { return remaining }
        let bodyLength = Int(bytes[offset + 11]) << 8 | Int(bytes[offset + 12])
        return min(headerLength + bodyLength, remaining)
    }
}
