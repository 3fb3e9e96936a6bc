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
    public internal(set) var rooms: [String: Room] = [:]
    var sessions: [String: SessionRecord] = [:]
    /// Receives every room change, on the control thread.
    public var onEvent: ((RoomEvent) -> Void)?

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
            removeParticipant(participant, from: room, reason: "room_deleted")
        }
        rooms[name] = nil
        Log.info("room deleted", ["room": name, "sid": room.sid])
        onEvent?(.roomDeleted(room: name))
    }

    /// Disconnects a participant: ends all of its sessions and removes it from the room.
    public func removeParticipant(room roomName: String, identity: String, reason: String = "kicked") throws {
        let room = try room(named: roomName)
        guard let participant = room.participants[identity] else {
            throw SFUError(.participantNotFound, "participant \(identity) is not in room \(roomName)")
        }
        removeParticipant(participant, from: room, reason: reason)
    }

    /// Deletes rooms that stayed empty longer than their timeout.
    public func expireEmptyRooms(now: Date = Date()) {
        for room in Array(rooms.values) {
            guard room.participants.isEmpty, let since = room.emptySince else { continue }
            if now.timeIntervalSince(since) >= Double(room.emptyTimeoutSeconds) {
                rooms[room.name] = nil
                Log.info("room closed after empty timeout", ["room": room.name, "sid": room.sid])
                onEvent?(.roomDeleted(room: room.name))
            }
        }
    }

    // MARK: WHIP and WHEP

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
        do {
            let result = try negotiatePublisher(room: room, participant: participant, offer: offer, infos: [])
            return SessionAnswer(sessionID: result.sessionID, sdp: result.sdp)
        } catch {
            leaveIfIdle(participant, room: room)
            throw error
        }
    }

    /// Accepts a WHEP offer for the tracks `publisherIdentity` publishes.
    public func subscribe(
        room roomName: String, identity: String, to publisherIdentity: String, offer offerText: String,
        maxLayer: Int? = nil
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
                ssrc: SecureRandom.uint32() | 1, rtxSSRC: nil, cname: publisher.identity, streamID: publisher.identity,
                trackID: track.sid))
            pairedTracks.append(track)
        }
        guard pairedTracks.contains(where: { $0 != nil }) else {
            throw SFUError(.invalidOffer, "the offer receives no audio or video that \(publisherIdentity) publishes")
        }

        // The subscriber may only get codecs the publisher sends.
        // Sections of a kind the publisher does not send are answered inactive rather than
        // rejected, because a viewer cannot know in advance what the publisher sends and a
        // rejected first section would take the BUNDLE transport with it.
        var capabilities = MediaCapabilities.restricted(to: publisher.tracks)
        let publishedKinds = Set(publisher.tracks.map(\.kind))
        for capability in MediaCapabilities.defaultCodecs {
            let kind: TrackKind = capability.kind == .audio ? .audio : .video
            if !publishedKinds.contains(kind) { capabilities.append(capability) }
        }
        let options = answerOptions(codecs: capabilities)
        let negotiated: (answer: SessionDescription, media: [NegotiatedMedia])
        do {
            negotiated = try makeAnswer(to: offer, role: .sendToClient(outgoing), options: options.sdp)
        } catch let error as SDPError {
            throw SFUError(.invalidOffer, error.message)
        }

        let participant = try join(room, identity: identity, name: nil)
        let sessionID = "SS_" + randomIdentifier(16)
        let session = try makeSession(
            id: sessionID, role: .subscriber, room: room, identity: identity, ufrag: options.ufrag,
            password: options.password, credentials: credentials)
        for media in negotiated.media {
            guard media.index < pairedTracks.count, let track = pairedTracks[media.index],
                let outgoingTrack = outgoing[media.index], media.direction.sends
            else { continue }
            session.pendingSubscriptions.append(PendingSubscription(
                publisherSessionID: publisherSessionID, publisherMid: track.mid, ssrc: outgoingTrack.ssrc,
                payloadTypeMap: payloadTypeMap(from: track.codecs, to: media.codecs), maxLayer: maxLayer))
        }
        participant.subscriberSessionIDs.insert(sessionID)
        sessions[sessionID] = SessionRecord(
            id: sessionID, role: .subscriber, roomName: room.name, identity: identity, localUfrag: options.ufrag,
            localPassword: options.password, remoteUfrag: credentials.ufrag)
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

    // MARK: Publisher negotiation

    struct PublisherResult {
        var sessionID: String
        var sdp: String
    }

    /// Answers a publisher offer, first or renegotiated, and brings the participant's tracks in line with it.
    func negotiatePublisher(room: Room, participant: Participant, offer: SessionDescription,
                            infos: [PublishedTrackInfo]) throws -> PublisherResult {
        let credentials = try remoteCredentials(of: offer)
        let existing = participant.publisherSessionID.flatMap { sessions[$0] }
        if let existing, existing.remoteUfrag != credentials.ufrag {
            throw SFUError(.invalidOffer, "ICE restarts are not supported; keep the ICE credentials when renegotiating")
        }
        let options = answerOptions(
            codecs: MediaCapabilities.defaultCodecs, ufrag: existing?.localUfrag, password: existing?.localPassword)
        let negotiated: (answer: SessionDescription, media: [NegotiatedMedia])
        do {
            negotiated = try makeAnswer(to: offer, role: .receiveFromClient, options: options.sdp)
        } catch let error as SDPError {
            throw SFUError(.invalidOffer, error.message)
        }

        let infoByMid = Dictionary(infos.map { ($0.mid, $0) }, uniquingKeysWith: { first, _ in first })
        let currentByMid = Dictionary(participant.tracks.map { ($0.mid, $0) }, uniquingKeysWith: { first, _ in first })
        var kept: [TrackDescription] = []
        var added: [TrackDescription] = []
        var extensionIDs = HeaderExtensionIDs()
        for media in negotiated.media where media.direction.receives {
            guard let kind = TrackKind(media.kind) else { continue }
            extensionIDs.merge(media.extensions)
            if let current = currentByMid[media.mid], current.kind == kind {
                kept.append(current)
                continue
            }
            let info = infoByMid[media.mid]
            let layers = info?.layers ?? media.rids.map { LayerDescription(rid: $0.id) }
            var track = TrackDescription(
                sid: "TR_" + randomIdentifier(12), kind: kind, mid: media.mid, muted: info?.muted ?? false,
                codecs: media.codecs, announcedSSRCs: media.remoteSSRCs.map(\.ssrc), rids: media.rids.map(\.id),
                source: info?.source ?? (kind == .audio ? "microphone" : "camera"),
                layers: layers.isEmpty ? media.rids.map { LayerDescription(rid: $0.id) } : layers)
            for remote in media.remoteSSRCs {
                if let rtx = remote.rtxSSRC { track.announcedRTXSSRCs[rtx] = remote.ssrc }
            }
            track.simulcastSSRCs = media.ssrcSimulcast
            added.append(track)
        }
        let keptMids = Set(kept.map(\.mid))
        let removed = participant.tracks.filter { !keptMids.contains($0.mid) }
        guard existing != nil || !added.isEmpty else {
            throw SFUError(.invalidOffer, "the offer sends no audio or video")
        }

        let sessionID: String
        if let existing {
            sessionID = existing.id
            worker.updatePublisher(
                sessionID: sessionID, add: added, removeMids: removed.map(\.mid), extensionIDs: extensionIDs)
        } else {
            sessionID = "PS_" + randomIdentifier(16)
            let session = try makeSession(
                id: sessionID, role: .publisher, room: room, identity: participant.identity, ufrag: options.ufrag,
                password: options.password, credentials: credentials)
            for track in added {
                let upTrack = UpTrack(description: track, publisher: session)
                session.upTracksByMid[track.mid] = upTrack
                for ssrc in track.announcedSSRCs { session.upTracksBySSRC[ssrc] = upTrack }
            }
            session.extensionIDs = extensionIDs
            session.indexPayloadTypes()
            sessions[sessionID] = SessionRecord(
                id: sessionID, role: .publisher, roomName: room.name, identity: participant.identity,
                localUfrag: options.ufrag, localPassword: options.password, remoteUfrag: credentials.ufrag)
            participant.publisherSessionID = sessionID
            worker.add(session)
        }
        participant.tracks = kept + added
        for track in removed {
            Log.info("track unpublished", ["room": room.name, "participant": participant.identity, "track": track.sid])
            onEvent?(.trackUnpublished(room: room.name, identity: participant.identity, trackSid: track.sid))
        }
        for track in added {
            Log.info("track published", ["room": room.name, "participant": participant.identity, "track": track.sid,
                                         "kind": track.kind.rawValue, "mid": track.mid, "source": track.source])
            onEvent?(.trackPublished(room: room.name, identity: participant.identity, track: track))
        }
        return PublisherResult(sessionID: sessionID, sdp: negotiated.answer.serialize())
    }

    // MARK: Helpers

    func finishSession(_ record: SessionRecord, notifyWorker: Bool, reason: String) {
        sessions[record.id] = nil
        if notifyWorker { worker.remove(sessionID: record.id) }
        guard let room = rooms[record.roomName], let participant = room.participants[record.identity] else { return }
        if participant.publisherSessionID == record.id {
            participant.publisherSessionID = nil
            let tracks = participant.tracks
            participant.tracks = []
            for track in tracks {
                Log.info("track unpublished", ["room": room.name, "participant": participant.identity,
                                               "track": track.sid])
                onEvent?(.trackUnpublished(room: room.name, identity: participant.identity, trackSid: track.sid))
            }
        }
        participant.subscriberSessionIDs.remove(record.id)
        if participant.subscriber?.sessionID == record.id { participant.subscriber?.sessionID = nil }
        Log.info("session ended", ["room": room.name, "participant": participant.identity, "session": record.id,
                                   "reason": reason])
        leaveIfIdle(participant, room: room)
    }

    func removeParticipant(_ participant: Participant, from room: Room, reason: String) {
        participant.isLeaving = true
        var ids = participant.subscriberSessionIDs
        if let publisherID = participant.publisherSessionID { ids.insert(publisherID) }
        if let subscriberID = participant.subscriber?.sessionID { ids.insert(subscriberID) }
        participant.isConference = false
        for id in ids {
            if let record = sessions[id] { finishSession(record, notifyWorker: true, reason: reason) }
        }
        if room.participants[participant.identity] === participant {
            remove(participant, from: room, reason: reason)
        }
    }

    func join(_ room: Room, identity: String, name: String?) throws -> Participant {
        if let existing = room.participants[identity] { return existing }
        if room.maxParticipants > 0, room.participants.count >= room.maxParticipants {
            throw SFUError(.roomFull, "room \(room.name) is full (\(room.maxParticipants) participants)")
        }
        let participant = Participant(identity: identity, name: name ?? identity, now: Date())
        room.participants[identity] = participant
        room.emptySince = nil
        Log.info("participant joined", ["room": room.name, "participant": identity, "sid": participant.sid])
        onEvent?(.participantJoined(room: room.name, participant: participant))
        return participant
    }

    func leaveIfIdle(_ participant: Participant, room: Room) {
        guard !participant.isConference, !participant.isLeaving, !participant.hasSessions,
            room.participants[participant.identity] === participant
        else { return }
        remove(participant, from: room, reason: "left")
    }

    private func remove(_ participant: Participant, from room: Room, reason: String) {
        room.participants[participant.identity] = nil
        Log.info("participant left", ["room": room.name, "participant": participant.identity, "reason": reason])
        if room.participants.isEmpty { room.emptySince = Date() }
        onEvent?(.participantLeft(room: room.name, identity: participant.identity, sid: participant.sid,
                                  reason: reason))
    }

    func parseOffer(_ text: String) throws -> SessionDescription {
        do {
            return try SessionDescription.parse(text)
        } catch let error as SDPError {
            throw SFUError(.invalidOffer, error.description)
        }
    }

    struct RemoteCredentials {
        var ufrag: String
        var password: String
        var fingerprint: Fingerprint
        var setup: SetupRole?
    }

    func remoteCredentials(of description: SessionDescription) throws -> RemoteCredentials {
        guard let first = description.media.firstIndex(where: { $0.port != 0 }) ?? description.media.indices.first
        else {
            throw SFUError(.invalidOffer, "the description has no media sections")
        }
        guard let ufrag = description.iceUfrag(forMediaAt: first),
            let password = description.icePassword(forMediaAt: first)
        else {
            throw SFUError(.invalidOffer, "the description has no ICE credentials (a=ice-ufrag, a=ice-pwd)")
        }
        guard let fingerprint = description.fingerprint(forMediaAt: first) else {
            throw SFUError(.invalidOffer, "the description has no DTLS fingerprint (a=fingerprint)")
        }
        return RemoteCredentials(
            ufrag: ufrag, password: password, fingerprint: fingerprint, setup: description.setup(forMediaAt: first))
    }

    struct LocalOptions {
        var sdp: AnswerOptions
        var ufrag: String
        var password: String
    }

    /// Chorus's host candidate: the announced host with the port the worker really bound,
    /// which differs from the configured one when that is 0.
    var hostCandidate: Candidate {
        let address = configuration.announcedAddress
        return Candidate(
            foundation: "1", component: 1, transport: "udp", priority: 2_130_706_431, address: address.host,
            port: Int(worker.localAddress.port), kind: .host)
    }

    var localFingerprint: Fingerprint {
        Fingerprint(algorithm: "sha-256", value: certificate.sha256Fingerprint)
    }

    func answerOptions(codecs: [CodecCapability], ufrag: String? = nil, password: String? = nil) -> LocalOptions {
        let ufrag = ufrag ?? SecureRandom.iceString(8)
        let password = password ?? SecureRandom.iceString(24)
        let sdp = AnswerOptions(
            iceUfrag: ufrag, icePassword: password, fingerprint: localFingerprint, candidates: [hostCandidate],
            supportedCodecs: codecs, supportedExtensions: MediaCapabilities.headerExtensions)
        return LocalOptions(sdp: sdp, ufrag: ufrag, password: password)
    }

    func makeSession(
        id: String, role: PeerSession.Role, room: Room, identity: String, ufrag: String, password: String,
        credentials: RemoteCredentials
    ) throws -> PeerSession {
        let ice = ICELiteAgent(
            localUfrag: ufrag, localPassword: password, remoteUfrag: credentials.ufrag,
            remotePassword: credentials.password)
        // Chorus takes the passive (server) role unless the peer insists on being passive itself.
        let dtlsRole: DTLSRole = credentials.setup == .passive ? .client : .server
        let dtls = try DTLSTransport(
            certificate: certificate, role: dtlsRole,
            expectedRemoteFingerprint: (credentials.fingerprint.algorithm, credentials.fingerprint.value))
        return PeerSession(id: id, role: role, roomName: room.name, identity: identity, ice: ice, dtls: dtls,
                           now: Instant.now())
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
