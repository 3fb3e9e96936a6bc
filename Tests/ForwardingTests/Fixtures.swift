import RTP
import Wire

/// Builds an RTP packet: the 12-byte header of RFC 3550 section 5.1, optional CSRCs and a
/// one-byte form extension block, the payload, and `paddingLength` bytes of padding whose last
/// byte is the count.
func makeRTPPacket(
    sequenceNumber: UInt16,
    timestamp: UInt32 = 1000,
    ssrc: UInt32 = 0x1122_3344,
    payloadType: UInt8 = 96,
    marker: Bool = false,
    csrcs: [UInt32] = [],
    extensions: [(id: UInt8, value: [UInt8])] = [],
    payload: [UInt8] = [0xAA, 0xBB, 0xCC],
    paddingLength: Int = 0
) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 12 + 4 + 4 * 64)
    let headerLength = header.withUnsafeMutableBytes { buffer in
        RTPHeaderWriter.write(
            into: buffer, marker: marker, payloadType: payloadType, sequenceNumber: sequenceNumber,
            timestamp: timestamp, ssrc: ssrc, extensions: extensions)!
    }
    header.removeLast(header.count - headerLength)
    guard !csrcs.isEmpty else { return finish(header, payload: payload, paddingLength: paddingLength) }

    // Insert the CSRC list between the fixed header and the extension block.
    var bytes = Array(header[0..<12])
    bytes[0] |= UInt8(csrcs.count)
    for csrc in csrcs {
        bytes += [UInt8(csrc >> 24), UInt8((csrc >> 16) & 0xFF), UInt8((csrc >> 8) & 0xFF), UInt8(csrc & 0xFF)]
    }
    bytes += header[12...]
    return finish(bytes, payload: payload, paddingLength: paddingLength)
}

private func finish(_ header: [UInt8], payload: [UInt8], paddingLength: Int) -> [UInt8] {
    var bytes = header + payload
    if paddingLength > 0 {
        bytes[0] |= 0x20
        bytes += [UInt8](repeating: 0, count: paddingLength - 1) + [UInt8(paddingLength)]
    }
    return bytes
}

/// Returns the instant `milliseconds` after an arbitrary origin.
func at(_ milliseconds: Int64) -> Instant {
    Instant(microseconds: 5_000_000_000 + milliseconds * 1000)
}
