import Crypto
import DTLS
import Foundation
import ICE
import SDP
import Wire

/// The control plane's view of rooms, participants and sessions, and the only way
/// into the media workers. Every method runs on the control thread.
public final class RoomManager {
    public let configuration: SFUConfiguration
    public let certificate: Certificate
    let worker: MediaWorker
    public private(set) var rooms: [String: Room] = [:]
    private var sessions: [String: SessionRecord] = [:]

    public init(configuration: SFUConfiguration, worker: MediaWorker, certificate: Certificate) {
        self.configuration = configuration
        self.worker = worker
        self.certificate = certificate
    }

    // MARK: Rooms

    public func createRoom(name: String, maxParticipants: Int = 0, emptyTimeoutSeconds: Int = 300,
                           e2eeRequired: Bool = false, now: Date = Date()) throws -> Room {
        guard isValidRoomName(name) else {
            throw SFUError(.invalidArgument, "room name must be 1 to 128 letters, digits, '-', '_' or '.'")
        }
        guard maxParticipants >= 0, emptyTimeoutSeconds >= 0 else {
            throw SFUError(.invalidArgument, "maxParticipants and emptyTimeoutSeconds must not be negative")
        }
        guard rooms[name] == nil else { throw SFUError(.roomExists, "room \(name) already exists") }
        let room = Room(
            name: name, maxParticipants: maxParticipants, emptyTimeoutSeconds: emptyTimeoutSeconds,
            e2eeRequired: e2eeRequired, now: now)
        rooms[name] = room
        Log.info("room created", ["room": name, "sid": room.sid])
        return room
    }

    public func room(named name: String) throws -> Room {
        guard let room = rooms[name] else { throw SFUError(.roomNotFound, "room \(name) does not exist") }
        return room
    }

    public func deleteRoom(named name: String) throws {
        let room = try room(named: name)
        for participant in Array(room.participants.values) {
            removeParticipant(participant, from: room, reason: "room deleted")
        }
        rooms[name] = nil
        Log.info("room deleted", ["room": name, "sid": room.sid])
    }

    /// Disconnects a participant: ends all of its sessions.
    public func removeParticipant(room roomName: String, identity: String) throws {
        let room = try room(named: roomName)
        guard let participant = room.participants[identity] else {
            throw SFUError(.participantNotFound, "participant \(identity) is not in room \(roomName)")
        }
        removeParticipant(participant, from: room, reason: "removed by request")
    }

    /// Deletes rooms that stayed empty longer than their timeout.
    public func expireEmptyRooms(now: Date = Date()) {
        for room in Array(rooms.values) {
            guard room.participants.isEmpty, let since = room.emptySince else { continue }
            if now.timeIntervalSince(since) >= Double(room.emptyTimeoutSeconds) {
                rooms[room.name] = nil
                Log.info("room closed after empty timeout", ["room": room.name, "sid": room.sid])
            }
        }
    }

    // MARK: Sessions

    public struct SessionAnswer {
        public var sessionID: String
        public var sdp: String
    }

    /// Accepts a WHIP offer: negotiates receive-only media and places the session on a worker.
    public func publish(room roomName: String, identity: String, name: String?, offer offerText: String)
        throws -> SessionAnswer
    {
        let offer = try parseOffer(offerText)
        let room: Room
        if let existing = rooms[roomName] {
            room = existing
        } else if configuration.autoCreateRooms {
            room = try createRoom(name: roomName)
        } else {
            throw SFUError(.roomNotFound, "room \(roomName) does not exist")
        }
        if let participant = room.participants[identity], participant.publisherSessionID != nil {
            throw SFUError(.alreadyPublishing, "participant \(identity) already publishes in room \(roomName)")
        }
        let participant = try join(room, identity: identity, name: name)

        let credentials = try remoteCredentials(of: offer)
        let options = answerOptions(codecs: MediaCapabilities.defaultCodecs)
        let negotiated: (answer: SessionDescription, media: [NegotiatedMedia])
        do {
            negotiated = try makeAnswer(to: offer, role: .receiveFromClient, options: options.sdp)
        } catch let error as SDPError {
            leaveIfIdle(participant, room: room)
            throw SFUError(.invalidOffer, error.message)
        }

        let sessionID = "PS_" + randomIdentifier(16)
        let session = try makeSession(
            id: sessionID, role: .publisher, room: room, identity: identity, options: options,
            credentials: credentials)
        var tracks: [TrackDescription] = []
        for media in negotiated.media where media.direction.receives {
            guard let kind = TrackKind(media.kind) else { continue }
            let description = TrackDescription(
                sid: "TR_" + randomIdentifier(12), kind: kind, mid: media.mid, muted: false,
                codecs: media.codecs, announcedSSRCs: media.remoteSSRCs.map(\.ssrc),
                rids: media.rids.map(\.id))
            let upTrack = UpTrack(description: description, publisher: session)
            session.upTracksByMid[media.mid] = upTrack
            for remote in media.remoteSSRCs { session.upTracksBySSRC[remote.ssrc] = upTrack }
            if session.midExtensionID == nil,
                let midExtension = media.extensions.first(where: { $0.uri == HeaderExtensionURI.mid })
            {
                session.midExtensionID = UInt8(truncatingIfNeeded: midExtension.id)
            }
            tracks.append(description)
        }
        guard !tracks.isEmpty else {
            leaveIfIdle(participant, room: room)
            throw SFUError(.invalidOffer, "the offer sends no audio or video")
        }
        assignPayloadTypes(of: session)

        participant.publisherSessionID = sessionID
        participant.tracks = tracks
        sessions[sessionID] = SessionRecord(id: sessionID, role: .publisher, roomName: room.name, identity: identity)
        worker.add(session)
        for track in tracks {
            Log.info("track published", ["room": room.name, "participant": identity, "track": track.sid,
                                         "kind": track.kind.rawValue, "mid": track.mid])
        }
        return SessionAnswer(sessionID: sessionID, sdp: negotiated.answer.serialize())
    }

    /// Accepts a WHEP offer for the tracks `publisherIdentity` publishes.
    public func subscribe(
        room roomName: String, identity: String, to publisherIdentity: String, offer offerText: String
    ) throws -> SessionAnswer {
        let offer = try parseOffer(offerText)
        let room = try room(named: roomName)
        guard let publisher = room.participants[publisherIdentity], let publisherSessionID = publisher.publisherSessionID
        else {
            throw SFUError(.notPublishing, "participant \(publisherIdentity) publishes nothing in room \(roomName)")
        }
        let credentials = try remoteCredentials(of: offer)

        // Pair each offered receiving m-section with a published track of the same kind, in order.
        var available = publisher.tracks
        var outgoing: [OutgoingTrack?] = []
        var pairedTracks: [TrackDescription?] = []
        let streamID = publisher.identity
        for media in offer.media {
            let kind = TrackKind(media.kind)
            guard media.direction.receives, let kind, let index = available.firstIndex(where: { $0.kind == kind })
            else {
                outgoing.append(nil)
                pairedTracks.append(nil)
                continue
            }
            let track = available.remove(at: index)
            outgoing.append(OutgoingTrack(
                ssrc: SecureRandom.uint32() | 1, rtxSSRC: nil, cname: publisher.identity, streamID: streamID,
                trackID: track.sid))
            pairedTracks.append(track)
        }
        guard pairedTracks.contains(where: { $0 != nil }) else {
            throw SFUError(.invalidOffer, "the offer receives no audio or video that \(publisherIdentity) publishes")
        }

        // The subscriber may only get codecs the publisher sends.
        let options = answerOptions(codecs: MediaCapabilities.restricted(to: publisher.tracks))
        let negotiated: (answer: SessionDescription, media: [NegotiatedMedia])
        do {
            negotiated = try makeAnswer(to: offer, role: .sendToClient(outgoing), options: options.sdp)
        } catch let error as SDPError {
            throw SFUError(.invalidOffer, error.message)
        }

        let participant = try join(room, identity: identity, name: nil)
        let sessionID = "SS_" + randomIdentifier(16)
        let session = try makeSession(
            id: sessionID, role: .subscriber, room: room, identity: identity, options: options,
            credentials: credentials)
        for media in negotiated.media {
            guard media.index < pairedTracks.count, let track = pairedTracks[media.index],
                let outgoingTrack = outgoing[media.index], media.direction.sends
            else { continue }
            let map = payloadTypeMap(from: track.codecs, to: media.codecs)
            session.pendingSubscriptions.append(PendingSubscription(
                publisherSessionID: publisherSessionID, publisherMid: track.mid, ssrc: outgoingTrack.ssrc,
                payloadTypeMap: map))
        }
        participant.subscriberSessionIDs.insert(sessionID)
        sessions[sessionID] = SessionRecord(id: sessionID, role: .subscriber, roomName: room.name, identity: identity)
        worker.add(session)
        Log.info("subscribed", ["room": room.name, "participant": identity, "publisher": publisherIdentity,
                                "session": sessionID])
        return SessionAnswer(sessionID: sessionID, sdp: negotiated.answer.serialize())
    }

    /// Returns the room and identity a session belongs to, for authorising its deletion.
    public func sessionOwner(_ sessionID: String) -> (room: String, identity: String)? {
        sessions[sessionID].map { ($0.roomName, $0.identity) }
    }

    /// Ends a WHIP or WHEP session by request.
    public func endSession(_ sessionID: String) throws {
        guard let record = sessions[sessionID] else {
            throw SFUError(.sessionNotFound, "session \(sessionID) does not exist")
        }
        finishSession(record, notifyWorker: true, reason: "ended by request")
    }

    /// Handles a session the media worker closed by itself. Call on the control thread.
    public func sessionClosedByWorker(_ sessionID: String, reason: String) {
        guard let record = sessions[sessionID] else { return }
        finishSession(record, notifyWorker: false, reason: reason)
    }

    // MARK: Helpers

    private func finishSession(_ record: SessionRecord, notifyWorker: Bool, reason: String) {
        sessions[record.id] = nil
        if notifyWorker { worker.remove(sessionID: record.id) }
        guard let room = rooms[record.roomName], let participant = room.participants[record.identity] else { return }
        if participant.publisherSessionID == record.id {
            participant.publisherSessionID = nil
            for track in participant.tracks {
                Log.info("track unpublished", ["room": room.name, "participant": participant.identity,
                                               "track": track.sid])
            }
            participant.tracks = []
        }
        participant.subscriberSessionIDs.remove(record.id)
        Log.info("session ended", ["room": room.name, "participant": participant.identity, "session": record.id,
                                   "reason": reason])
        leaveIfIdle(participant, room: room)
    }

    private func removeParticipant(_ participant: Participant, from room: Room, reason: String) {
        var ids = participant.subscriberSessionIDs
        if let publisherID = participant.publisherSessionID { ids.insert(publisherID) }
        for id in ids {
            if let record = sessions[id] { finishSession(record, notifyWorker: true, reason: reason) }
        }
        if room.participants[participant.identity] != nil {
            room.participants[participant.identity] = nil
            Log.info("participant left", ["room": room.name, "participant": participant.identity, "reason": reason])
            if room.participants.isEmpty { room.emptySince = Date() }
        }
    }

    private func join(_ room: Room, identity: String, name: String?) throws -> Participant {
        if let existing = room.participants[identity] { return existing }
        if room.maxParticipants > 0, room.participants.count >= room.maxParticipants {
            throw SFUError(.roomFull, "room \(room.name) is full (\(room.maxParticipants) participants)")
        }
        let participant = Participant(identity: identity, name: name ?? identity, now: Date())
        room.participants[identity] = participant
        room.emptySince = nil
        Log.info("participant joined", ["room": room.name, "participant": identity, "sid": participant.sid])
        return participant
    }

    private func leaveIfIdle(_ participant: Participant, room: Room) {
        guard !participant.hasSessions, room.participants[participant.identity] === participant else { return }
        room.participants[participant.identity] = nil
        Log.info("participant left", ["room": room.name, "participant": participant.identity])
        if room.participants.isEmpty { room.emptySince = Date() }
    }

    private func parseOffer(_ text: String) throws -> SessionDescription {
        do {
            return try SessionDescription.parse(text)
        } catch let error as SDPError {
            throw SFUError(.invalidOffer, error.description)
        }
    }

    private struct RemoteCredentials {
        var ufrag: String
        var password: String
        var fingerprint: Fingerprint
        var setup: SetupRole?
    }

    private func remoteCredentials(of offer: SessionDescription) throws -> RemoteCredentials {
        guard let first = offer.media.firstIndex(where: { $0.port != 0 }) ?? offer.media.indices.first else {
            throw SFUError(.invalidOffer, "the offer has no media sections")
        }
        guard let ufrag = offer.iceUfrag(forMediaAt: first), let password = offer.icePassword(forMediaAt: first) else {
            throw SFUError(.invalidOffer, "the offer has no ICE credentials (a=ice-ufrag, a=ice-pwd)")
        }
        guard let fingerprint = offer.fingerprint(forMediaAt: first) else {
            throw SFUError(.invalidOffer, "the offer has no DTLS fingerprint (a=fingerprint)")
        }
        return RemoteCredentials(ufrag: ufrag, password: password, fingerprint: fingerprint, setup: offer.setup(forMediaAt: first))
    }

    private struct LocalOptions {
        var sdp: AnswerOptions
        var ufrag: String
        var password: String
    }

    private func answerOptions(codecs: [CodecCapability]) -> LocalOptions {
        let ufrag = SecureRandom.iceString(8)
        let password = SecureRandom.iceString(24)
        // The announced host with the port the worker really bound, which differs when configured as 0.
        let address = configuration.announcedAddress
        let candidate = Candidate(
            foundation: "1", component: 1, transport: "udp", priority: 2_130_706_431, address: address.host,
            port: Int(worker.localAddress.port), kind: .host)
        let sdp = AnswerOptions(
            iceUfrag: ufrag, icePassword: password,
            fingerprint: Fingerprint(algorithm: "sha-256", value: certificate.sha256Fingerprint),
            candidates: [candidate], supportedCodecs: codecs,
            supportedExtensions: MediaCapabilities.headerExtensions)
        return LocalOptions(sdp: sdp, ufrag: ufrag, password: password)
    }

    private func makeSession(
        id: String, role: PeerSession.Role, room: Room, identity: String, options: LocalOptions,
        credentials: RemoteCredentials
    ) throws -> PeerSession {
        let ice = ICELiteAgent(
            localUfrag: options.ufrag, localPassword: options.password, remoteUfrag: credentials.ufrag,
            remotePassword: credentials.password)
        // The answer takes the passive role unless the offerer insists on being passive itself.
        let dtlsRole: DTLSRole = credentials.setup == .passive ? .client : .server
        let dtls = try DTLSTransport(
            certificate: certificate, role: dtlsRole,
            expectedRemoteFingerprint: (credentials.fingerprint.algorithm, credentials.fingerprint.value))
        return PeerSession(id: id, role: role, roomName: room.name, identity: identity, ice: ice, dtls: dtls,
                           now: Instant.now())
    }

    /// Indexes a publisher's tracks by payload type where only one track uses that payload type.
    private func assignPayloadTypes(of session: PeerSession) {
        var owners: [UInt8: [UpTrack]] = [:]
        for track in session.upTracksByMid.values {
            for codec in track.description.codecs { owners[codec.payloadType, default: []].append(track) }
        }
        for (payloadType, tracks) in owners where tracks.count == 1 {
            session.upTracksByPayloadType[payloadType] = tracks[0]
        }
    }
}

extension TrackKind {
    init?(_ kind: MediaKind) {
        switch kind {
        case .audio: self = .audio
        case .video: self = .video
        default: return nil
        }
    }
}

/// Maps each publisher payload type to the subscriber's payload type of the same format.
func payloadTypeMap(from published: [Codec], to subscribed: [Codec]) -> [UInt8] {
    var map = [UInt8](repeating: 0xFF, count: 128)
    for codec in published {
        if let match = subscribed.first(where: { isSameFormat($0, codec) }) {
            map[Int(codec.payloadType & 0x7F)] = match.payloadType
        }
    }
    return map
}
