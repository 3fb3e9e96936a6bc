/// The media direction attribute of an m-section (RFC 8866 section 6.7), seen from the
/// side that wrote the description.
public enum Direction: String, Equatable, Hashable, Sendable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    /// Returns the direction the other side declares for the same media: RFC 3264 section 6.1.
    public var reversed: Direction {
        switch self {
        case .sendrecv: return .sendrecv
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        case .inactive: return .inactive
        }
    }

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }
}

/// The media type of an m= line (RFC 8866 section 5.14).
public enum MediaKind: Equatable, Hashable, Sendable, CustomStringConvertible {
    case audio
    case video
    case application
    case other(String)

    public init(_ text: String) {
        switch text {
        case "audio": self = .audio
        case "video": self = .video
        case "application": self = .application
        default: self = .other(text)
        }
    }

    public var description: String {
        switch self {
        case .audio: return "audio"
        case .video: return "video"
        case .application: return "application"
        case .other(let text): return text
        }
    }
}
