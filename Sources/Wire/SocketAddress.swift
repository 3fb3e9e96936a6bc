/// An IPv4 or IPv6 address with a UDP or TCP port, as plain values so that wire
/// formats (STUN XOR-MAPPED-ADDRESS, SDP candidates) and sockets share one type.
public enum SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// IPv4 address in host byte order.
    case v4(address: UInt32, port: UInt16)
    /// IPv6 address as its 16 bytes in network order.
    case v6(address: IPv6Bytes, port: UInt16)

    public var port: UInt16 {
        switch self {
        case .v4(_, let port), .v6(_, let port): return port
        }
    }

    /// The address without the port, in its usual text form.
    public var host: String {
        switch self {
        case .v4(let address, _):
            return "\(address >> 24).\((address >> 16) & 0xFF).\((address >> 8) & 0xFF).\(address & 0xFF)"
        case .v6(let address, _):
            var groups: [String] = []
            for index in 0..<8 {
                let value = UInt16(address[index * 2]) << 8 | UInt16(address[index * 2 + 1])
                groups.append(String(value, radix: 16))
            }
            return groups.joined(separator: ":")
        }
    }

    public var description: String {
        switch self {
        case .v4: return "\(host):\(port)"
        case .v6: return "[\(host)]:\(port)"
        }
    }

    /// Parses a dotted-quad IPv4 address; returns nil for anything else.
    public static func parseIPv4(_ text: String, port: UInt16) -> SocketAddress? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var address: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, let octet = UInt8(part) else { return nil }
            address = address << 8 | UInt32(octet)
        }
        return .v4(address: address, port: port)
    }
}

/// The 16 bytes of an IPv6 address, as a fixed-size value type.
public struct IPv6Bytes: Hashable, Sendable {
    public var storage: (UInt64, UInt64)

    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        storage = (high, low)
    }

    public subscript(index: Int) -> UInt8 {
        let word = index < 8 ? storage.0 : storage.1
        return UInt8(truncatingIfNeeded: word >> UInt64((7 - index % 8) * 8))
    }

    public var bytes: [UInt8] { (0..<16).map { self[$0] } }

    public static func == (lhs: IPv6Bytes, rhs: IPv6Bytes) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
    }
}
