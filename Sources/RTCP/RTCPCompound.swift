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
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard let header = RTCPHeader.parse(rest) else { break }

            let bodyEnd = header.packetLength - header.paddingLength
            let body = UnsafeRawBufferPointer(rebasing: rest[RTCPHeader.length..<bodyEnd])
            guard let packet = RTCPPacket.parse(header: header, body: body) else { break }

            packets.append(packet)
            offset += header.packetLength
        }
        return packets.isEmpty ? nil : packets
    }
}
