import Wire

/// The value of XOR-MAPPED-ADDRESS (RFC 8489 section 14.2): the port is XORed with the top 16
/// bits of the magic cookie, an IPv4 address with the cookie, and an IPv6 address with the
/// cookie followed by the transaction ID.
///
///     0                   1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |                X-Address (Variable)
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
enum XORAddress {
    static let familyIPv4: UInt8 = 0x01
    static let familyIPv6: UInt8 = 0x02

    static func decode(_ value: UnsafeRawBufferPointer, transactionID: STUNTransactionID) -> SocketAddress? {
        guard value.count >= 4 else { return nil }
        let port = value.loadBigEndianUInt16(at: 2) ^ UInt16(truncatingIfNeeded: STUNMessageView.magicCookie >> 16)
        switch value[1] {
        case familyIPv4:
            guard value.count == 8 else { return nil }
            return .v4(address: value.loadBigEndianUInt32(at: 4) ^ STUNMessageView.magicCookie, port: port)
        case familyIPv6:
            guard value.count == 20 else { return nil }
            let mask = ipv6Mask(transactionID)
            let address = (0..<16).map { value[4 + $0] ^ mask[$0] }
            return .v6(address: IPv6Bytes(address), port: port)
        default:
            return nil
        }
    }

    static func encode(_ address: SocketAddress, transactionID: STUNTransactionID) -> [UInt8] {
        var writer = ByteWriter(capacity: 20)
        let port = address.port ^ UInt16(truncatingIfNeeded: STUNMessageView.magicCookie >> 16)
        switch address {
        case .v4(let ipv4, _):
            writer.write(UInt8(0))
            writer.write(familyIPv4)
            writer.write(port)
            writer.write(ipv4 ^ STUNMessageView.magicCookie)
        case .v6(let ipv6, _):
            writer.write(UInt8(0))
            writer.write(familyIPv6)
            writer.write(port)
            let mask = ipv6Mask(transactionID)
            writer.write(contentsOf: (0..<16).map { ipv6[$0] ^ mask[$0] })
        }
        return writer.bytes
    }

    /// Returns the 16 bytes an IPv6 address is XORed with: the magic cookie, then the transaction ID.
    private static func ipv6Mask(_ transactionID: STUNTransactionID) -> [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.write(STUNMessageView.magicCookie)
        writer.write(contentsOf: transactionID.bytes)
        return writer.bytes
    }
}
