import Foundation
import SFU

/// The JSON shapes of rooms, participants and tracks, shared by the REST API and signaling.
enum JSONShapes {
    static func room(_ room: Room, node: String) -> [String: Any] {
        [
            "name": room.name, "sid": room.sid, "createdAt": timestamp(room.createdAt),
            "numParticipants": room.participants.count, "numPublishers": room.numPublishers,
            "maxParticipants": room.maxParticipants, "emptyTimeoutSeconds": room.emptyTimeoutSeconds,
            "e2eeRequired": room.e2eeRequired, "node": node,
        ]
    }

    static func participant(_ participant: Participant) -> [String: Any] {
        [
            "identity": participant.identity, "sid": participant.sid, "name": participant.name,
            "joinedAt": timestamp(participant.joinedAt), "tracks": participant.tracks.map(track),
        ]
    }

    static func track(_ track: TrackDescription) -> [String: Any] {
        [
            "sid": track.sid, "kind": track.kind.rawValue, "source": track.source, "mid": track.mid,
            "muted": track.muted, "e2ee": false,
            "layers": track.layers.map { layer -> [String: Any] in
                var object: [String: Any] = ["rid": layer.rid]
                if let width = layer.width { object["width"] = width }
                if let height = layer.height { object["height"] = height }
                if let bitrate = layer.bitrate { object["bitrate"] = bitrate }
                return object
            },
        ]
    }

    /// RFC 3339 time in UTC. One formatter serves every call, because building one is far
    /// slower than formatting; it is used on the control thread only.
    static func timestamp(_ date: Date) -> String {
        formatter.string(from: date)
    }

    nonisolated(unsafe) private static let formatter = ISO8601DateFormatter()

    static func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return #"{"type":"error","code":"internal","message":"response could not be encoded"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}
