/// Splits a TCP byte stream into packets framed with a 16-bit length prefix (RFC 4571 section 2),
/// the framing that ICE-TCP candidates use for STUN, DTLS and SRTP (RFC 6544 section 3):
///
///     0                   1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |             LENGTH            |  STUN, DTLS or RTP packet ... |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The framer does no I/O: the caller appends what it reads from the socket, then takes packets
/// until `nextPacket()` returns nil. Because the caller drains it after every append, the buffer
/// contains at most one partial frame plus one read. A frame longer than `maxPacketSize` cannot be
/// skipped safely, since a peer that lies about one length has lost sync, so the framer fails
/// and the caller closes the connection. Zero-length frames carry no packet and are skipped.
public struct TCPFramer {
    public let maxPacketSize: Int
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet returned.
    private var readIndex = 0
    private var failure: TCPFramingError?

    /// Creates a framer that rejects frames longer than `maxPacketSize` bytes (1...65535).
    public init(maxPacketSize: Int) {
        precondition((1...65535).contains(maxPacketSize), "an RFC 4571 frame carries 1...65535 bytes")
        self.maxPacketSize = maxPacketSize
    }

    /// The number of bytes received but not yet returned as packets.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends bytes read from the stream.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // Drop the consumed prefix before growing, so the buffer does not creep.
        if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Returns the next complete packet, or nil when more bytes are needed. Throws
    /// `TCPFramingError.packetTooLarge` for a frame over `maxPacketSize`, then on every later call.
    public mutating func nextPacket() throws(TCPFramingError) -> [UInt8]? {
        if let failure { throw failure }
        while bufferedByteCount >= 2 {
            let length = Int(buffer[readIndex]) << 8 | Int(buffer[readIndex + 1])
            guard length <= maxPacketSize else {
                let error = TCPFramingError.packetTooLarge(length: length, maxPacketSize: maxPacketSize)
                failure = error
                throw error
            }
            guard bufferedByteCount - 2 >= length else { return nil }

            let start = readIndex + 2
            readIndex = start + length
            if length > 0 {
                return Array(buffer[start..<start + length])
            }
        }
        return nil
    }

    /// Returns `packet` with its RFC 4571 length prefix, for sending on the stream.
    public static func frame(_ packet: [UInt8]) -> [UInt8] {
        precondition(packet.count <= 65535, "an RFC 4571 frame carries at most 65535 bytes")
        var framed = [UInt8]()
        framed.reserveCapacity(packet.count + 2)
        framed.append(UInt8(packet.count >> 8))
        framed.append(UInt8(packet.count & 0xFF))
        framed.append(contentsOf: packet)
        return framed
    }
}

/// An error after which a framed TCP stream cannot be read further.
public enum TCPFramingError: Error, Equatable, Sendable {
    /// A frame announced `length` bytes, more than the configured maximum.
    case packetTooLarge(length: Int, maxPacketSize: Int)
}
