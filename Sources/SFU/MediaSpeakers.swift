import Forwarding
import Wire

/// The active speakers of one room, ranked by `AudioLevelRanker` from the audio level header
/// extension (RFC 6464) of its publishers' audio, with participant identities mapped to the
/// ranker's numeric ids.
final class RoomSpeakers {
    private var ranker = AudioLevelRanker()
    private var ids: [String: UInt32] = [:]
    private var identities: [UInt32: String] = [:]
    private var nextID: UInt32 = 1

    var isEmpty: Bool { ids.isEmpty }

    /// Records the level of one audio packet from `identity`.
    func record(identity: String, level: UInt8, voice: Bool, now: Instant) {
        let id: UInt32
        if let existing = ids[identity] {
            id = existing
        } else {
            id = nextID
            nextID &+= 1
            ids[identity] = id
            identities[id] = identity
        }
        ranker.record(participant: id, level: level, voice: voice, now: now)
    }

    /// Stops ranking `identity`, whose audio ended.
    func remove(identity: String) {
        guard let id = ids.removeValue(forKey: identity) else { return }
        identities[id] = nil
        ranker.removeParticipant(id)
    }

    /// Returns the ranking, loudest first with levels from 0 to 1, when it changed since the last
    /// call that returned one.
    func update(now: Instant) -> [(identity: String, level: Double)]? {
        guard let ranking = ranker.update(now: now) else { return nil }
        return ranking.compactMap { id in
            guard let identity = identities[id] else { return nil }
            // The ranker's loudness is 127 - dBov, so 127 is the loudest level.
            let level = min(1, max(0, (ranker.smoothedLevel(of: id) ?? 0) / 127))
            return (identity, level)
        }
    }
}
