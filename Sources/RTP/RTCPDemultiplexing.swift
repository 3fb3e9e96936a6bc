/// Returns whether `bytes`, a packet already known to be RTP or RTCP, is RTCP, by the
/// rule for RTP and RTCP on one port (RFC 5761 section 4).
///
/// The second byte of RTCP is its packet type. Types 192-223 would be RTP payload types 64-95
/// with the marker bit set, and RFC 5761 keeps that range free of RTP payload types. The
/// version bits must also be 2.
@inlinable
public func isRTCPPacket(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= 2, bytes[0] >> 6 == 2 else { return false }
    return (192...223).contains(bytes[1])
}
