/// The lifecycle of a DTLS association.
public enum DTLSState: Sendable, Hashable {
    case handshaking
    /// The handshake finished and keying material can be exported.
    case connected
    /// A fatal alert was sent or received, or the handshake timed out. The text gives the reason.
    case failed(String)
    /// `close_notify` (RFC 5246 section 7.2.1) ended the association: this side sent it, or the peer
    /// sent it and this side replied with its own.
    case closed
}
