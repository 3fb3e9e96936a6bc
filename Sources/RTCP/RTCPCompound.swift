/// Parsing of compound RTCP packets (RFC 3550 section 6.1): RTCP packets stacked back to back
/// in one datagram, each with its own common header and length.
///
/// The parser does not require the compound to start with a report, because reduced-size
/// RTCP (RFC 5506 section 3) sends a lone feedback message.
public enum RTCPCompound {
    /// Parses every packet of `bytes`.
    ///
    /// Returns nil when the first packet is invalid: a bad header (version, packet type outside
    /// 192-223, length or padding past the end) or a body too short for its type. A later
    /// invalid packet ends parsing, and the packets before it are returned. Bytes after the
    /// last whole packet that are too few for a header are ignored the same way.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> [RTCPPacket]? {
        var packets: [RTCPPacket] = []
        guard forEachPacket(in: bytes, { packets.append($0) }) else { return nil }
        return packets
    }

    /// Calls `body` with each packet of `bytes` in order, with the rules of `parse(_:)`, and
    /// returns false when the first packet is invalid.
    ///
    /// Unlike `parse(_:)` it collects no array, so a compound of packets whose bodies have no
    /// lists, such as a picture loss indication or a report without report blocks, is parsed
    /// without allocating.
    @discardableResult
    public static func forEachPacket(in bytes: UnsafeRawBufferPointer, _ body: (RTCPPacket) -> Void) -> Bool {
        var offset = 0
        var count = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard let header = RTCPHeader.parse(rest) else { break }

            let bodyEnd = header.packetLength - header.paddingLength
            let packetBody = UnsafeRawBufferPointer(rebasing: rest[RTCPHeader.length..<bodyEnd])
            guard let packet = RTCPPacket.parse(header: header, body: packetBody) else { break }

            body(packet)
            count += 1
            offset += header.packetLength
        }
        return count > 0
    }

    /// Calls `body` with a view of each packet of `bytes` in order, and returns false when the
    /// first packet has an invalid common header.
    ///
    /// Only the common headers are checked (version, packet type 192-223, length and padding), so
    /// a packet whose body is too short for its type is passed on, and the view's accessors
    /// reject it. Parsing stops at the first invalid header. Nothing is allocated.
    @discardableResult
    public static func forEachPacketView(in bytes: UnsafeRawBufferPointer, _ body: (RTCPPacketView) -> Void) -> Bool {
        var offset = 0
        var count = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard let header = RTCPHeader.parse(rest) else { break }

            let bodyEnd = header.packetLength - header.paddingLength
            body(RTCPPacketView(header: header, body: UnsafeRawBufferPointer(rebasing: rest[RTCPHeader.length..<bodyEnd])))
            count += 1
            offset += header.packetLength
        }
        return count > 0
    }
}
