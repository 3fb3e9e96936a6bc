/// The outcome of one incoming STUN message. The transport sends `reply` (if any) to the
/// source address, and switches media to that address when `nominated` is true.
public struct ICEResponse {
    /// The STUN response to send back, or nil when the message is discarded or needs no reply.
    public var reply: [UInt8]?
    /// Whether this request nominated its source address, which is now `selectedAddress`.
    public var nominated: Bool
    /// The reason the message was rejected or discarded, for counters, or nil on success.
    public var error: ICEError?

    public init(reply: [UInt8]?, nominated: Bool, error: ICEError?) {
        self.reply = reply
        self.nominated = nominated
        self.error = error
    }
}

/// A reason an ICE-lite agent rejected or discarded a STUN message.
public enum ICEError: Error, Equatable, Sendable {
    /// FINGERPRINT did not match, so the message was discarded without a reply (RFC 8445 section 7.3).
    case invalidFingerprint
    /// A response, or an indication of a method other than Binding: discarded, because a lite
    /// agent sends no requests.
    case unexpectedMessage
    /// 400: the request is not a Binding request, or lacks USERNAME or a message integrity attribute.
    case badRequest
    /// 401 (named "Unauthenticated" in RFC 8489): the USERNAME fragments do not match, or the
    /// message integrity check failed.
    case unauthorized
    /// 420: the request has comprehension-required attributes that the agent does not understand.
    case unknownAttributes([UInt16])
    /// 487: the peer sent ICE-CONTROLLED, so both sides are controlled.
    case roleConflict

    /// The STUN error code sent for this error, or nil when the message gets no reply.
    public var errorCode: Int? {
        switch self {
        case .invalidFingerprint, .unexpectedMessage: return nil
        case .badRequest: return 400
        case .unauthorized: return 401
        case .unknownAttributes: return 420
        case .roleConflict: return 487
        }
    }

    /// The reason phrase for the error code, from RFC 8489 section 14.8 and RFC 8445 section 16.2.
    var reasonPhrase: String {
        switch self {
        case .invalidFingerprint, .unexpectedMessage: return ""
        case .badRequest: return "Bad Request"
        case .unauthorized: return "Unauthenticated"
        case .unknownAttributes: return "Unknown Attribute"
        case .roleConflict: return "Role Conflict"
        }
    }
}
