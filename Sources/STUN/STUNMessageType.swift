import Crypto
import Wire

/// The class of a STUN message (RFC 8489 section 5), carried in bits C1 and C0 of the message type.
public enum STUNClass: UInt8, Sendable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11
}

/// STUN method numbers from the IANA "STUN Methods" registry.
public enum STUNMethod {
    /// Binding (RFC 8489 section 18.2), the only method ICE uses.
    public static let binding: UInt16 = 0x001
}

/// The 14-bit message type field, which interleaves the 12-bit method with the 2-bit class
/// (RFC 8489 section 5):
///
///     0                 1
///     2  3  4 5 6 7 8 9 0 1 2 3 4 5
///    +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
///    |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
///    |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
///    +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
enum STUNMessageType {
    static func encode(class messageClass: STUNClass, method: UInt16) -> UInt16 {
        precondition(method <= 0x0FFF, "a STUN method has 12 bits")
        let classBits = UInt16(messageClass.rawValue)
        let methodBits = (method & 0x000F) | (method & 0x0070) << 1 | (method & 0x0F80) << 2
        return methodBits | (classBits & 0b01) << 4 | (classBits & 0b10) << 7
    }

    static func messageClass(_ type: UInt16) -> STUNClass {
        let bits = UInt8(truncatingIfNeeded: (type >> 4) & 0b01 | (type >> 7) & 0b10)
        // Two bits always map to one of the four cases.
        return STUNClass(rawValue: bits) ?? .request
    }

    static func method(_ type: UInt16) -> UInt16 {
        (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2
    }
}

/// The 96-bit transaction ID of a STUN message (RFC 8489 section 6), as three words in network order.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    public var words: (UInt32, UInt32, UInt32)

    public init(_ first: UInt32, _ second: UInt32, _ third: UInt32) {
        words = (first, second, third)
    }

    /// Creates an ID from exactly 12 bytes in network order.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 12, "a STUN transaction ID has 12 bytes")
        self = bytes.withUnsafeBytes { STUNTransactionID(reading: $0, at: 0) }
    }

    /// Reads 12 bytes at `offset`; the caller checks the bounds.
    init(reading bytes: UnsafeRawBufferPointer, at offset: Int) {
        words = (
            bytes.loadBigEndianUInt32(at: offset),
            bytes.loadBigEndianUInt32(at: offset + 4),
            bytes.loadBigEndianUInt32(at: offset + 8)
        )
    }

    /// Creates an ID from a cryptographically secure source, as RFC 8489 section 6 requires.
    public static func random() -> STUNTransactionID {
        STUNTransactionID(bytes: SecureRandom.bytes(12))
    }

    public var bytes: [UInt8] {
        var writer = ByteWriter(capacity: 12)
        writer.write(words.0)
        writer.write(words.1)
        writer.write(words.2)
        return writer.bytes
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    public static func == (lhs: STUNTransactionID, rhs: STUNTransactionID) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
    }
}
