/// A change in a room that connected participants hear about. Emitted on the control thread.
public enum RoomEvent {
    case participantJoined(room: String, participant: Participant)
    case participantLeft(room: String, identity: String, sid: String, reason: String)
    case trackPublished(room: String, identity: String, track: TrackDescription)
    case trackUnpublished(room: String, identity: String, trackSid: String)
    case trackMuted(room: String, identity: String, trackSid: String, muted: Bool)
    case roomDeleted(room: String)

    public var roomName: String {
        switch self {
        case .participantJoined(let room, _), .participantLeft(let room, _, _, _), .trackPublished(let room, _, _),
            .trackUnpublished(let room, _, _), .trackMuted(let room, _, _, _), .roomDeleted(let room):
            return room
        }
    }
}
