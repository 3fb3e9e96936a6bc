import STUN
import Wire

/// The controlled side of ICE in lite mode (RFC 8445 section 2.5): the agent responds to
/// connectivity checks and sends none, and the full agent at the peer nominates the pair.
///
/// One agent serves one peer connection and is used from one event loop. It checks each Binding
/// request with the short-term credential of RFC 8489 section 9.1, whose key is the local
/// password, and responds with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
public final class ICELiteAgent {
    public let localUfrag: String
    public let localPassword: String
    /// The peer's ufrag from its SDP, when known. When set, the second USERNAME fragment of
    /// each request must match it.
    public let remoteUfrag: String?
    /// The peer's password. A lite agent sends no checks, so it keeps this only for the caller.
    public let remotePassword: String?

    /// The address media goes to: the source of the newest authenticated request with
    /// USE-CANDIDATE. A later nomination from another address replaces it.
    public private(set) var selectedAddress: SocketAddress?
    /// When the last authenticated Binding request from any address arrived.
    public private(set) var lastRequestAt: Instant?
    /// When the last authenticated Binding request from `selectedAddress` arrived: the peer's
    /// consent to keep receiving media there (RFC 7675 section 5.1).
    public private(set) var lastConsentAt: Instant?

    private let key: [UInt8]

    public init(localUfrag: String, localPassword: String, remoteUfrag: String?, remotePassword: String?) {
        self.localUfrag = localUfrag
        self.localPassword = localPassword
        self.remoteUfrag = remoteUfrag
        self.remotePassword = remotePassword
        // RFC 8489 section 9.1.1: the short-term key is the password after OpaqueString
        // processing, which leaves ice-chars (RFC 8839 section 5.4) unchanged.
        key = Array(localPassword.utf8)
    }

    /// Returns whether consent on the selected address has expired: no authenticated request from it
    /// for `milliseconds` (RFC 7675 section 5.1 uses 30 seconds). Returns false before the
    /// first nomination, so the caller needs its own timer for connections that never nominate.
    public func isExpired(now: Instant, timeout milliseconds: Int64) -> Bool {
        guard let lastConsentAt else { return false }
        return now.milliseconds(since: lastConsentAt) >= milliseconds
    }

    /// Handles one STUN message from `from`, whose parsed view is `request`, and returns the
    /// reply to send and whether the source was nominated. `bytes` is the datagram the view was
    /// parsed from. The agent reads the message only through the view.
    ///
    /// The checks follow RFC 8489 sections 6.3 and 9.1.3 and RFC 8445 section 7.3:
    /// - an invalid FINGERPRINT, any response, or an indication of another method: discarded;
    /// - a Binding indication (keepalive, RFC 8445 section 11): accepted without a reply;
    /// - a request of another method, or without USERNAME or message integrity: 400;
    /// - a USERNAME whose fragments do not match, or a failed integrity check: 401;
    /// - unknown comprehension-required attributes: 420 with UNKNOWN-ATTRIBUTES;
    /// - ICE-CONTROLLED, because a lite agent is always controlled: 487.
    /// 400 and 401 carry no message integrity because the request was not authenticated. Every
    /// other reply carries the integrity attribute type of the request (RFC 8489 section 9.1.3).
    public func handle(
        _ request: STUNMessageView, bytes: UnsafeRawBufferPointer, from: SocketAddress, now: Instant
    ) -> ICEResponse {
        assert(request.bytes.baseAddress == bytes.baseAddress, "the view must be parsed from `bytes`")

        guard request.verifyFingerprint() != .invalid else {
            return ICEResponse(reply: nil, nominated: false, error: .invalidFingerprint)
        }
        switch request.messageClass {
        case .request:
            break
        case .indication where request.method == STUNMethod.binding:
            return ICEResponse(reply: nil, nominated: false, error: nil)
        case .indication, .successResponse, .errorResponse:
            return ICEResponse(reply: nil, nominated: false, error: .unexpectedMessage)
        }
        guard request.method == STUNMethod.binding else {
            return reject(request, .badRequest, authenticated: false)
        }

        if let error = authenticate(request) {
            return reject(request, error, authenticated: false)
        }
        let unknown = request.unknownComprehensionRequired
        guard unknown.isEmpty else {
            return reject(request, .unknownAttributes(unknown), authenticated: true)
        }
        guard request.iceControlled == nil else {
            return reject(request, .roleConflict, authenticated: true)
        }

        lastRequestAt = now
        let nominated = request.useCandidate
        if nominated {
            selectedAddress = from
        }
        if from == selectedAddress {
            lastConsentAt = now
        }

        var builder = STUNMessageBuilder(
            class: .successResponse, method: STUNMethod.binding, transactionID: request.transactionID)
        builder.addXORMappedAddress(from)
        let reply = builder.finish(integrityKey: key, algorithm: request.integrityAlgorithm ?? .sha1, fingerprint: true)
        return ICEResponse(reply: reply, nominated: nominated, error: nil)
    }

    /// Checks USERNAME and message integrity (RFC 8489 section 9.1.3), returning the error to
    /// send or nil when the request is authentic.
    private func authenticate(_ request: STUNMessageView) -> ICEError? {
        guard request.attribute(STUNAttributeType.username) != nil, request.integrityAlgorithm != nil else {
            return .badRequest
        }
        guard let username = request.username, let fragments = iceUsernameFragments(username),
            fragments.local == localUfrag
        else {
            return .unauthorized
        }
        if let remoteUfrag, fragments.remote != remoteUfrag {
            return .unauthorized
        }
        guard request.verifyMessageIntegrity(key: key) else { return .unauthorized }
        return nil
    }

    private func reject(_ request: STUNMessageView, _ error: ICEError, authenticated: Bool) -> ICEResponse {
        guard let code = error.errorCode else {
            return ICEResponse(reply: nil, nominated: false, error: error)
        }
        var builder = STUNMessageBuilder(
            class: .errorResponse, method: request.method, transactionID: request.transactionID)
        builder.addErrorCode(code, reason: error.reasonPhrase)
        if case .unknownAttributes(let types) = error {
            builder.addUnknownAttributes(types)
        }
        let reply = builder.finish(
            integrityKey: authenticated ? key : nil, algorithm: request.integrityAlgorithm ?? .sha1, fingerprint: true)
        return ICEResponse(reply: reply, nominated: false, error: error)
    }
}
