/// A request the SFU cannot carry out, with a stable code for API clients.
public struct SFUError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case roomNotFound = "room_not_found"
        case roomExists = "room_exists"
        case roomFull = "room_full"
        case participantNotFound = "participant_not_found"
        case sessionNotFound = "session_not_found"
        case notPublishing = "not_publishing"
        case invalidOffer = "invalid_sdp"
        case invalidArgument = "invalid_argument"
        case alreadyPublishing = "already_publishing"
        case unavailable = "unavailable"
        case trackNotFound = "track_not_found"
        case notAllowed = "not_allowed"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var code: String { kind.rawValue }
    public var description: String { "\(kind.rawValue): \(message)" }
}
