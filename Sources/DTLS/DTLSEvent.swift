/// The result of feeding a datagram to a `DTLSTransport`.
///
/// One datagram can both complete the handshake and require a reply (the server's final flight),
/// so the parts are fields rather than enum cases.
public struct DTLSEvent: Sendable {
    /// Datagrams to send to the peer, in order.
    public var outgoing: [[UInt8]]
    /// Set once, on the call that completed the handshake.
    public var keys: SRTPKeys?
    /// Set once, on the call that failed the association; `outgoing` may then carry a fatal alert.
    public var failure: String?

    public init(outgoing: [[UInt8]] = [], keys: SRTPKeys? = nil, failure: String? = nil) {
        self.outgoing = outgoing
        self.keys = keys
        self.failure = failure
    }
}
