import Foundation

/// A room as the control plane keeps it. Lives on the control thread only.
public final class Room {
    public let name: String
    public let sid: String
    public let createdAt: Date
    public var maxParticipants: Int
    public var emptyTimeoutSeconds: Int
    public var e2eeRequired: Bool
    public internal(set) var participants: [String: Participant] = [:]
    /// When the room became empty, for the empty-room timeout.
    var emptySince: Date?

    init(name: String, maxParticipants: Int, emptyTimeoutSeconds: Int, e2eeRequired: Bool, now: Date) {
        self.name = name
        self.sid = "RM_" + randomIdentifier(12)
        self.createdAt = now
        self.maxParticipants = maxParticipants
        self.emptyTimeoutSeconds = emptyTimeoutSeconds
        self.e2eeRequired = e2eeRequired
        self.emptySince = now
    }

    public var numPublishers: Int { participants.values.filter { $0.publisherSessionID != nil }.count }
}

/// A participant of a room: an identity with at most one publishing session and
/// any number of subscribing sessions.
public final class Participant {
    public let identity: String
    public let sid: String
    public var name: String
    public let joinedAt: Date
    public internal(set) var publisherSessionID: String?
    public internal(set) var subscriberSessionIDs: Set<String> = []
    public internal(set) var tracks: [TrackDescription] = []
    /// Joined through the signaling WebSocket: stays in the room without sessions until it leaves.
    public internal(set) var isConference = false
    /// Set while the participant is being removed, so that ending its sessions does not remove it a second time.
    var isLeaving = false
    /// The connection on which a conference participant receives everyone else.
    var subscriber: SubscriberConnection?

    init(identity: String, name: String, now: Date) {
        self.identity = identity
        self.sid = "PA_" + randomIdentifier(12)
        self.name = name
        self.joinedAt = now
    }

    var hasSessions: Bool { publisherSessionID != nil || !subscriberSessionIDs.isEmpty }

    func track(sid: String) -> TrackDescription? {
        tracks.first { $0.sid == sid }
    }
}

/// The control plane's record of one session: a WHIP, WHEP or conference peer connection.
struct SessionRecord {
    var id: String
    var role: PeerSession.Role
    var roomName: String
    var identity: String
    var localUfrag: String
    var localPassword: String
    var remoteUfrag: String
}

/// A random identifier of letters and digits, for room, participant and session ids.
func randomIdentifier(_ length: Int) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    var generator = SystemRandomNumberGenerator()
    return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
}

/// Room names: 1 to 128 characters of letters, digits, `-`, `_` and `.`.
public func isValidRoomName(_ name: String) -> Bool {
    // "." and ".." would be removed from request paths, so such a room could not be addressed.
    guard (1...128).contains(name.count), name != ".", name != ".." else { return false }
    return name.unicodeScalars.allSatisfy { scalar in
        (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))) || scalar == "-" || scalar == "_"
            || scalar == "."
    }
}
