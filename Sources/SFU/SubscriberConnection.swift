import Crypto
import SDP
import Wire

/// The peer connection on which Chorus sends a conference participant everyone else's tracks.
/// Chorus offers and the client answers, so renegotiation never collides with the client's own
/// offers on its publisher connection. Lives on the control thread.
final class SubscriberConnection {
    /// One m-section of the offer. A slot whose track went away stays as `inactive` and is reused
    /// for the next track of the same kind, so m-sections never grow without bound.
    struct Slot: Equatable {
        var mid: String
        var kind: TrackKind
        var trackSid: String?
        var publisherIdentity: String?
        var ssrc: UInt32
    }

    /// The state of one slot that the worker has, from the last applied answer.
    struct AppliedSlot: Equatable {
        var trackSid: String
        var ssrc: UInt32
    }

    let localUfrag = SecureRandom.iceString(8)
    let localPassword = SecureRandom.iceString(24)
    let sessionIdentifier = UInt64.random(in: 1...UInt64(Int64.max))
    private(set) var slots: [Slot] = []
    /// Tracks the participant asked not to receive.
    var unsubscribed: Set<String> = []
    /// Per-track receive preferences (highest layer, paused) set through signaling.
    var preferences: [String: (maxLayer: Int?, paused: Bool)] = [:]
    /// The slots of the offer awaiting an answer.
    private(set) var outstanding: [Slot]?

    private(set) var applied: [String: AppliedSlot] = [:]
    private var offerVersion: UInt64 = 1
    /// Payload type per codec format, stable for the life of the connection as BUNDLE needs.
    private var payloadTypes: [String: UInt8] = [:]
    var sessionID: String?

    /// Brings the slots in line with `tracks` (track, publisher identity); returns whether anything changed.
    func update(to tracks: [(TrackDescription, String)]) -> Bool {
        var changed = false
        let requested = tracks.filter { !unsubscribed.contains($0.0.sid) }
        let requestedSids = Set(requested.map(\.0.sid))
        for index in slots.indices {
            if let sid = slots[index].trackSid, !requestedSids.contains(sid) {
                slots[index].trackSid = nil
                slots[index].publisherIdentity = nil
                changed = true
            }
        }
        let present = Set(slots.compactMap(\.trackSid))
        for (track, identity) in requested where !present.contains(track.sid) {
            let ssrc = SecureRandom.uint32() | 1
            if let free = slots.firstIndex(where: { $0.trackSid == nil && $0.kind == track.kind }) {
                slots[free].trackSid = track.sid
                slots[free].publisherIdentity = identity
                slots[free].ssrc = ssrc
            } else {
                slots.append(Slot(mid: String(slots.count), kind: track.kind, trackSid: track.sid,
                                  publisherIdentity: identity, ssrc: ssrc))
            }
            changed = true
        }
        return changed
    }

    /// Whether the slots differ from what the client last answered.
    var needsOffer: Bool {
        guard outstanding == nil else { return false }
        for slot in slots {
            let current = applied[slot.mid]
            if current?.trackSid != slot.trackSid || (slot.trackSid != nil && current?.ssrc != slot.ssrc) {
                return true
            }
        }
        return false
    }

    /// Builds an offer for the current slots and remembers it as outstanding.
    func makeOffer(tracksBySid: [String: TrackDescription], fingerprint: Fingerprint, candidate: Candidate)
        -> SessionDescription
    {
        offerVersion += 1
        var description = SessionDescription(
            origin: Origin(sessionID: String(sessionIdentifier), sessionVersion: String(offerVersion)))
        description.iceLite = true
        var snapshot = slots
        for index in snapshot.indices {
            // A track that vanished since the slots were updated is offered as inactive.
            if let sid = snapshot[index].trackSid, tracksBySid[sid] == nil {
                snapshot[index].trackSid = nil
                snapshot[index].publisherIdentity = nil
            }
        }
        for slot in snapshot {
            var section = MediaDescription(kind: slot.kind == .audio ? .audio : .video)
            section.mid = slot.mid
            section.rtcpMux = true
            section.rtcpReducedSize = true
            section.iceUfrag = localUfrag
            section.icePassword = localPassword
            section.fingerprints = [fingerprint]
            section.setup = .actpass
            section.candidates = [candidate]
            section.endOfCandidates = true
            section.connection = Connection(address: candidate.address)
            section.port = candidate.port
            let codecs = slotCodecs(slot, track: slot.trackSid.flatMap { tracksBySid[$0] })
            section.codecs = codecs
            section.formats = codecs.map { String($0.payloadType) }
            if let sid = slot.trackSid, let identity = slot.publisherIdentity {
                section.direction = .sendonly
                section.msids = [MSID(stream: identity, track: sid)]
                section.ssrcs = [
                    SSRCAttribute(ssrc: slot.ssrc, name: "cname", value: identity),
                    SSRCAttribute(ssrc: slot.ssrc, name: "msid", value: "\(identity) \(sid)"),
                ]
            } else {
                section.direction = .inactive
            }
            description.media.append(section)
        }
        description.bundleGroups = [snapshot.map(\.mid)]
        outstanding = snapshot
        return description
    }

    /// Applies the client's answer to the outstanding offer. Returns the subscriptions to add
    /// and the SSRCs to stop sending; throws when the answer does not fit the offer.
    func applyAnswer(_ answer: SessionDescription, tracksBySid: [String: TrackDescription],
                     publisherSessions: [String: String]) throws
        -> (add: [PendingSubscription], remove: [UInt32])
    {
        guard let offered = outstanding else {
            throw SFUError(.invalidOffer, "no subscriber offer is awaiting an answer")
        }
        guard answer.media.count == offered.count else {
            throw SFUError(.invalidOffer,
                           "the answer has \(answer.media.count) media sections, the offer had \(offered.count)")
        }
        var add: [PendingSubscription] = []
        var remove: [UInt32] = []
        for (index, slot) in offered.enumerated() {
            let section = answer.media[index]
            let old = applied[slot.mid]
            let accepted = section.port != 0 && section.direction.receives
            if let old, old.trackSid != slot.trackSid || old.ssrc != slot.ssrc || !accepted {
                remove.append(old.ssrc)
                applied[slot.mid] = nil
            }
            guard accepted, let sid = slot.trackSid, let track = tracksBySid[sid],
                let identity = slot.publisherIdentity, let publisherSession = publisherSessions[identity],
                applied[slot.mid] == nil
            else { continue }
            let offeredCodecs = slotCodecs(slot, track: track)
            // The answerer uses the offerer's payload types, so the answer's formats select among them.
            let answered = offeredCodecs.filter { codec in section.formats.contains(String(codec.payloadType)) }
            add.append(PendingSubscription(
                publisherSessionID: publisherSession, publisherMid: track.mid, ssrc: slot.ssrc,
                payloadTypeMap: payloadTypeMap(from: track.codecs, to: answered),
                maxLayer: preferences[sid]?.maxLayer))
            applied[slot.mid] = AppliedSlot(trackSid: sid, ssrc: slot.ssrc)
        }
        outstanding = nil
        return (add, remove)
    }

    /// The SSRC Chorus sends `trackSid` with, once the client has answered an offer carrying it.
    func appliedSSRC(of trackSid: String) -> UInt32? {
        applied.values.first { $0.trackSid == trackSid }?.ssrc
    }

    /// Forgets the outstanding offer, for example when its connection drops before an answer.
    func abandonOffer() {
        outstanding = nil
    }

    /// The codecs offered in a slot: the publisher's formats, under payload types fixed per connection.
    private func slotCodecs(_ slot: Slot, track: TrackDescription?) -> [Codec] {
        let source = track?.codecs ?? (slot.kind == .audio ? [Self.placeholderAudio] : [Self.placeholderVideo])
        return source.map { codec in
            var copy = codec
            copy.payloadType = payloadType(for: codec)
            copy.rtxPayloadType = nil
            copy.feedback = codec.feedback.filter(MediaCapabilities.supportedFeedback.contains)
            return copy
        }
    }

    private func payloadType(for codec: Codec) -> UInt8 {
        let key = ([codec.name.lowercased(), String(codec.clockRate), String(codec.channels ?? 1)]
            + codec.parameters.map { "\($0.name.lowercased())=\($0.value ?? "")" }.sorted()).joined(separator: ";")
        if let existing = payloadTypes[key] { return existing }
        let used = Set(payloadTypes.values)
        let preferred: UInt8 = codec.name.lowercased() == "opus" ? 111 : 96
        var candidate = preferred
        // 32 dynamic payload types (96 to 127) are far more than the formats one room publishes.
        for _ in 0..<32 where used.contains(candidate) {
            candidate = candidate == 127 ? 96 : candidate + 1
        }
        payloadTypes[key] = candidate
        return candidate
    }

    static let placeholderAudio = Codec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2)
    static let placeholderVideo = Codec(payloadType: 96, name: "VP8", clockRate: 90000)
}
