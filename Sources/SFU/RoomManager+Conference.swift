import Foundation
import SDP

/// A subscriber offer for a conference participant, with what each m-section carries.
public struct SubscriberOffer {
    public struct Slot {
        public var mid: String
        public var trackSid: String
        public var participant: String
    }

    public var sdp: String
    public var slots: [Slot]
}

/// Conference participants: they join through the signaling WebSocket, publish on one peer
/// connection (the client offers) and receive everyone else on another (Chorus offers).
extension RoomManager {
    /// Adds a conference participant. An identity already in the room is replaced: its old
    /// connection leaves with reason `duplicate_identity`.
    public func joinConference(room roomName: String, identity: String, name: String?, canSubscribe: Bool) throws
        -> Participant
    {
        let room: Room
        if let existing = rooms[roomName] {
            room = existing
        } else if configuration.autoCreateRooms {
            room = try createRoom(name: roomName)
        } else {
            throw SFUError(.roomNotFound, "room \(roomName) does not exist")
        }
        if let previous = room.participants[identity] {
            removeParticipant(previous, from: room, reason: "duplicate_identity")
        }
        let participant = try join(room, identity: identity, name: name)
        participant.isConference = true
        if canSubscribe { participant.subscriber = SubscriberConnection() }
        return participant
    }

    /// Removes a conference participant with all its sessions.
    public func leaveConference(room roomName: String, identity: String, sid: String, reason: String) {
        guard let room = rooms[roomName], let participant = room.participants[identity], participant.sid == sid else {
            return
        }
        removeParticipant(participant, from: room, reason: reason)
    }

    /// Answers a conference participant's publisher offer, first or renegotiated.
    public func publishConference(room roomName: String, identity: String, offer offerText: String,
                                  tracks infos: [PublishedTrackInfo]) throws -> (sdp: String, tracks: [TrackDescription])
    {
        let (room, participant) = try conferenceParticipant(roomName, identity)
        let offer = try parseOffer(offerText)
        let result = try negotiatePublisher(room: room, participant: participant, offer: offer, infos: infos)
        return (result.sdp, participant.tracks)
    }

    /// Mutes or unmutes one of the participant's tracks; a muted track is not forwarded.
    public func setMuted(room roomName: String, identity: String, trackSid: String, muted: Bool) throws {
        let (room, participant) = try conferenceParticipant(roomName, identity)
        guard let index = participant.tracks.firstIndex(where: { $0.sid == trackSid }) else {
            throw SFUError(.trackNotFound, "track \(trackSid) is not published by \(identity)")
        }
        guard participant.tracks[index].muted != muted else { return }
        participant.tracks[index].muted = muted
        if let sessionID = participant.publisherSessionID {
            worker.setMuted(sessionID: sessionID, mid: participant.tracks[index].mid, muted: muted)
        }
        Log.info(muted ? "track muted" : "track unmuted", ["room": room.name, "participant": identity,
                                                           "track": trackSid])
        onEvent?(.trackMuted(room: room.name, identity: identity, trackSid: trackSid, muted: muted))
    }

    /// Stops forwarding a track before the client renegotiates it away.
    public func unpublish(room roomName: String, identity: String, trackSid: String) throws {
        let (room, participant) = try conferenceParticipant(roomName, identity)
        guard let track = participant.track(sid: trackSid) else {
            throw SFUError(.trackNotFound, "track \(trackSid) is not published by \(identity)")
        }
        participant.tracks.removeAll { $0.sid == trackSid }
        if let sessionID = participant.publisherSessionID {
            worker.updatePublisher(sessionID: sessionID, add: [], removeMids: [track.mid], extensionIDs: nil)
        }
        Log.info("track unpublished", ["room": room.name, "participant": identity, "track": trackSid])
        onEvent?(.trackUnpublished(room: room.name, identity: identity, trackSid: trackSid))
    }

    /// Subscribes to or unsubscribes from one remote track.
    public func setSubscribed(room roomName: String, identity: String, trackSid: String, subscribed: Bool) throws {
        let (room, participant) = try conferenceParticipant(roomName, identity)
        guard let subscriber = participant.subscriber else {
            throw SFUError(.notAllowed, "the token does not allow subscribing")
        }
        guard room.participants.values.contains(where: { $0.track(sid: trackSid) != nil }) else {
            throw SFUError(.trackNotFound, "no participant publishes track \(trackSid)")
        }
        if subscribed {
            subscriber.unsubscribed.remove(trackSid)
        } else {
            subscriber.unsubscribed.insert(trackSid)
        }
    }

    /// Sets the highest simulcast layer and the pause state of one received track.
    public func setLayerPreference(room roomName: String, identity: String, trackSid: String, maxLayer: Int?,
                                   paused: Bool) throws {
        let (_, participant) = try conferenceParticipant(roomName, identity)
        guard let subscriber = participant.subscriber else {
            throw SFUError(.notAllowed, "the token does not allow subscribing")
        }
        if let maxLayer, !(0...15).contains(maxLayer) {
            throw SFUError(.invalidArgument, "layer must be between 0 and 15")
        }
        subscriber.preferences[trackSid] = (maxLayer, paused)
        if let sessionID = subscriber.sessionID, let ssrc = subscriber.appliedSSRC(of: trackSid) {
            worker.setLayerPreference(sessionID: sessionID, ssrc: ssrc, maxLayer: maxLayer, paused: paused)
        }
    }

    /// Returns a new subscriber offer when the participant's received tracks changed and no
    /// earlier offer awaits an answer.
    public func nextSubscriberOffer(room roomName: String, identity: String) -> SubscriberOffer? {
        guard let room = rooms[roomName], let participant = room.participants[identity], participant.isConference,
            let subscriber = participant.subscriber
        else { return nil }
        var tracks: [(TrackDescription, String)] = []
        var tracksBySid: [String: TrackDescription] = [:]
        for other in room.participants.values where other.identity != identity && other.publisherSessionID != nil {
            for track in other.tracks {
                tracks.append((track, other.identity))
                tracksBySid[track.sid] = track
            }
        }
        _ = subscriber.update(to: tracks)
        guard subscriber.needsOffer else { return nil }
        let description = subscriber.makeOffer(
            tracksBySid: tracksBySid, fingerprint: localFingerprint, candidate: hostCandidate)
        let slots = (subscriber.outstanding ?? []).compactMap { slot -> SubscriberOffer.Slot? in
            guard let sid = slot.trackSid, let owner = slot.publisherIdentity else { return nil }
            return SubscriberOffer.Slot(mid: slot.mid, trackSid: sid, participant: owner)
        }
        return SubscriberOffer(sdp: description.serialize(), slots: slots)
    }

    /// Applies the client's answer to the latest subscriber offer.
    public func applySubscriberAnswer(room roomName: String, identity: String, answer answerText: String) throws {
        let (room, participant) = try conferenceParticipant(roomName, identity)
        guard let subscriber = participant.subscriber else {
            throw SFUError(.notAllowed, "the token does not allow subscribing")
        }
        let answer = try parseOffer(answerText)
        var tracksBySid: [String: TrackDescription] = [:]
        var publisherSessions: [String: String] = [:]
        for other in room.participants.values where other.identity != identity {
            for track in other.tracks { tracksBySid[track.sid] = track }
            if let sessionID = other.publisherSessionID { publisherSessions[other.identity] = sessionID }
        }
        let credentials = try remoteCredentials(of: answer)
        let changes = try subscriber.applyAnswer(answer, tracksBySid: tracksBySid, publisherSessions: publisherSessions)
        if let sessionID = subscriber.sessionID, sessions[sessionID] != nil {
            worker.updateSubscriber(sessionID: sessionID, add: changes.add, remove: changes.remove)
            return
        }
        let sessionID = "CS_" + randomIdentifier(16)
        let session = try makeSession(
            id: sessionID, role: .subscriber, room: room, identity: identity, ufrag: subscriber.localUfrag,
            password: subscriber.localPassword, credentials: credentials)
        session.pendingSubscriptions = changes.add
        subscriber.sessionID = sessionID
        sessions[sessionID] = SessionRecord(
            id: sessionID, role: .subscriber, roomName: room.name, identity: identity,
            localUfrag: subscriber.localUfrag, localPassword: subscriber.localPassword, remoteUfrag: credentials.ufrag)
        worker.add(session)
        Log.info("subscriber connection created", ["room": room.name, "participant": identity, "session": sessionID])
    }

    /// Forgets an unanswered subscriber offer, so that the next one can be sent (after a resume).
    public func abandonSubscriberOffer(room roomName: String, identity: String) {
        rooms[roomName]?.participants[identity]?.subscriber?.abandonOffer()
    }

    private func conferenceParticipant(_ roomName: String, _ identity: String) throws -> (Room, Participant) {
        let room = try room(named: roomName)
        guard let participant = room.participants[identity], participant.isConference else {
            throw SFUError(.participantNotFound, "participant \(identity) is not in room \(roomName)")
        }
        return (room, participant)
    }
}
