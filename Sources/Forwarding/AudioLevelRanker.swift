import Wire

/// Ranks the active speakers of a room from the client-to-mixer audio levels of RFC 6464
/// section 3, which stay readable when the audio itself is end-to-end encrypted.
///
/// Each packet's level in -dBov (0 loudest, 127 silence) becomes a loudness of 127 - level,
/// counted only when the voice activity flag is set (unless `usesVoiceFlag` is off, for senders
/// that negotiated `vad=off`). Loudness is averaged per window of `windowMilliseconds`, and the
/// smoothed level moves halfway to each window's average. A window without packets averages 0:
/// senders using discontinuous transmission send few packets in silence, so a missing packet is
/// silence and the level decays, rather than being held as if packets were lost.
///
/// The ranking is sticky: a speaker enters when the smoothed level reaches `activationLevel`,
/// leaves below `deactivationLevel`, and passes the speaker ahead only when louder by
/// `switchMargin`. `update` returns the ranking only when it changed.
public struct AudioLevelRanker {
    public struct Configuration: Sendable {
        public var windowMilliseconds: Int64 = 500
        /// Loudness (127 - dBov) at which a speaker becomes active; 40 is about -87 dBov.
        public var activationLevel = 40.0
        public var deactivationLevel = 25.0
        /// How much louder a speaker must be to pass the one ranked above.
        public var switchMargin = 10.0
        public var maxSpeakers = 3
        /// Participants tracked; levels of further participants are ignored.
        public var maxParticipants = 64
        public var usesVoiceFlag = true

        public init() {}
    }

    private struct Participant {
        var id: UInt32
        var sum: Int
        var count: Int
        var smoothed: Double
    }

    public let configuration: Configuration
    private var participants: [Participant]
    private var windowEnd: Instant?
    /// The latest ranking, loudest first.
    public private(set) var ranking: [UInt32] = []
    private var rankingChanged = false

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.windowMilliseconds > 0, "a window has a positive length")
        self.configuration = configuration
        participants = []
        participants.reserveCapacity(configuration.maxParticipants)
    }

    /// Records the RFC 6464 level of one audio packet from `participant`.
    public mutating func record(participant: UInt32, level: UInt8, voice: Bool, now: Instant) {
        advanceWindows(now: now)
        guard let index = indexOf(participant, adding: true) else { return }

        let counted = voice || !configuration.usesVoiceFlag
        participants[index].sum += counted ? 127 - Int(min(level, 127)) : 0
        participants[index].count += 1
    }

    /// Closes the windows that ended by `now` and returns the ranking when it changed since the
    /// last call that returned one.
    public mutating func update(now: Instant) -> [UInt32]? {
        advanceWindows(now: now)
        guard rankingChanged else { return nil }
        rankingChanged = false
        return ranking
    }

    /// Stops tracking `participant`, who left the room.
    public mutating func removeParticipant(_ participant: UInt32) {
        guard let index = indexOf(participant, adding: false) else { return }
        participants.remove(at: index)
        if let position = ranking.firstIndex(of: participant) {
            ranking.remove(at: position)
            rankingChanged = true
        }
    }

    /// Returns the smoothed loudness of `participant`, or nil when it is not tracked.
    public func smoothedLevel(of participant: UInt32) -> Double? {
        participants.first { $0.id == participant }?.smoothed
    }

    private func indexOfExisting(_ participant: UInt32) -> Int? {
        participants.firstIndex { $0.id == participant }
    }

    private mutating func indexOf(_ participant: UInt32, adding: Bool) -> Int? {
        if let index = indexOfExisting(participant) { return index }
        guard adding, participants.count < configuration.maxParticipants else { return nil }
        participants.append(Participant(id: participant, sum: 0, count: 0, smoothed: 0))
        return participants.count - 1
    }

    private mutating func advanceWindows(now: Instant) {
        guard var end = windowEnd else {
            windowEnd = now.adding(milliseconds: configuration.windowMilliseconds)
            return
        }
        // After 20 empty windows every level is below 127 / 2^20, so later ones change nothing.
        var closed = 0
        while now >= end, closed < 20 {
            closeWindow()
            end = end.adding(milliseconds: configuration.windowMilliseconds)
            closed += 1
        }
        if now >= end {
            let windows = (now.microseconds - end.microseconds) / (configuration.windowMilliseconds * 1000) + 1
            end = end.adding(milliseconds: windows * configuration.windowMilliseconds)
        }
        windowEnd = end
    }

    private mutating func closeWindow() {
        for index in participants.indices {
            let participant = participants[index]
            let average = participant.count > 0 ? Double(participant.sum) / Double(participant.count) : 0
            participants[index].smoothed = (participant.smoothed + average) / 2
            participants[index].sum = 0
            participants[index].count = 0
        }
        rank()
    }

    private mutating func rank() {
        var list: [(id: UInt32, level: Double)] = []
        for id in ranking {
            if let level = smoothedLevel(of: id), level >= configuration.deactivationLevel {
                list.append((id, level))
            }
        }
        let newcomers = participants.filter { participant in
            participant.smoothed >= configuration.activationLevel && !ranking.contains(participant.id)
        }
        list += newcomers.sorted { $0.smoothed > $1.smoothed }.map { ($0.id, $0.smoothed) }

        // Bubble passes that swap neighbours only across the margin. Each swap fixes an
        // inversion of the true order, so the passes end.
        var swapped = true
        while swapped {
            swapped = false
            for index in list.indices.dropLast()
            where list[index + 1].level > list[index].level + configuration.switchMargin {
                list.swapAt(index, index + 1)
                swapped = true
            }
        }

        let ranked = list.prefix(configuration.maxSpeakers).map(\.id)
        if ranked != ranking {
            ranking = ranked
            rankingChanged = true
        }
    }
}
