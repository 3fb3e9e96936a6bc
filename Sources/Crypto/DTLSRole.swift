/// The side of the DTLS handshake that this endpoint plays. In WebRTC the SDP `a=setup` attribute
/// decides it (RFC 5763 section 5): `active` is the client and `passive` is the server.
public enum DTLSRole: Sendable, Hashable {
    case server
    case client
}
