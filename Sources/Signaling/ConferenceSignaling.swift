import Foundation
import HTTPServer
import SFU
import Wire

/// The conference signaling protocol on `/v1/rtc` (docs/signaling.md): joins participants,
/// relays offers and answers for their two peer connections, and fans room events out.
/// Everything runs on the control thread.
public final class ConferenceSignaling {
    public static let protocolVersion = 1
    public static let maxMessageBytes = 64 << 10
    public static let maxChatPayloadBytes = 16 << 10

    private let rooms: RoomManager
    private let configuration: APIConfiguration
    private weak var server: HTTPServer?
    public var resumeGraceSeconds = 20
    /// Clients by room, then identity.
    private var clients: [String: [String: ConferenceClient]] = [:]
    private var roomsNeedingOffers: Set<String> = []

    public init(rooms: RoomManager, configuration: APIConfiguration) {
        self.rooms = rooms
        self.configuration = configuration
    }

    /// Routes `/v1/rtc` WebSockets here and subscribes to room events.
    public func attach(to server: HTTPServer) {
        self.server = server
        server.onWebSocket(path: "/v1/rtc", maxMessageBytes: Self.maxMessageBytes) { [weak self] request in
            self?.accept(request)
        }
    }

    // MARK: Connections

    /// Accepts every upgrade: libwebsockets 4.1 can only drop a refused upgrade without an HTTP
    /// status, so a rejected token instead gets an `error` message and a close with code 1008.
    private func accept(_ request: HTTPRequest) -> WebSocketHandler? {
        let claims: AccessTokenClaims
        do {
            claims = try configuration.verifiedClaims(of: request)
        } catch let error as APIError {
            return reject(request, code: error.code, error.message)
        } catch {
            return reject(request, code: "unauthorized", "\(error)")
        }
        guard claims.grants.roomJoin, let room = claims.grants.room, isValidRoomName(room) else {
            return reject(request, code: "forbidden", "the token lacks the roomJoin grant for a valid room")
        }
        return SocketHandler(signaling: self, claims: claims, room: room, resumeToken: request.query["resume"])
    }

    private func reject(_ request: HTTPRequest, code: String, _ message: String) -> WebSocketHandler {
        Log.warning("signaling rejected", ["reason": message, "remote": request.remoteAddress])
        return RejectedHandler(code: code, message: message)
    }

    /// Tells a client why its upgrade was not allowed, then closes.
    final class RejectedHandler: WebSocketHandler {
        let code: String
        let message: String

        init(code: String, message: String) {
            self.code = code
            self.message = message
        }

        func webSocketDidOpen(_ connection: WebSocketConnection) {
            connection.send(text: JSONShapes.encode(["type": "error", "code": code, "message": message]))
            connection.close(code: WebSocketCloseCode.policyViolation, reason: code)
        }

        func webSocket(_ connection: WebSocketConnection, didReceiveText text: String) {}

        func webSocketDidClose(_ connection: WebSocketConnection, code: Int, reason: String) {}
    }

    /// Bridges one WebSocket to its conference client.
    final class SocketHandler: WebSocketHandler {
        unowned let signaling: ConferenceSignaling
        let claims: AccessTokenClaims
        let room: String
        let resumeToken: String?
        var client: ConferenceClient?

        init(signaling: ConferenceSignaling, claims: AccessTokenClaims, room: String, resumeToken: String?) {
            self.signaling = signaling
            self.claims = claims
            self.room = room
            self.resumeToken = resumeToken
        }

        func webSocketDidOpen(_ connection: WebSocketConnection) {
            client = signaling.open(connection, claims: claims, room: room, resumeToken: resumeToken)
        }

        func webSocket(_ connection: WebSocketConnection, didReceiveText text: String) {
            guard let client, client.connection === connection else { return }
            signaling.receive(text, from: client)
        }

        func webSocketDidClose(_ connection: WebSocketConnection, code: Int, reason: String) {
            guard let client, client.connection === connection else { return }
            signaling.disconnected(client)
        }
    }

    private func open(_ connection: WebSocketConnection, claims: AccessTokenClaims, room roomName: String,
                      resumeToken: String?) -> ConferenceClient? {
        if let resumeToken, let client = clients[roomName]?[claims.identity], !client.finished,
            client.resumeToken == resumeToken, rooms.rooms[roomName]?.participants[claims.identity]?.sid
                == client.participantSid
        {
            client.connection?.close(code: WebSocketCloseCode.normal, reason: "replaced by a resumed connection")
            client.connection = connection
            client.generation += 1
            client.resumeToken = ConferenceClient.newResumeToken()
            rooms.abandonSubscriberOffer(room: roomName, identity: claims.identity)
            Log.info("participant resumed", ["room": roomName, "participant": claims.identity])
            sendJoined(client, resumed: true)
            sendOfferIfNeeded(client)
            return client
        }
        if resumeToken != nil {
            Log.info("resume not possible, joining afresh", ["room": roomName, "participant": claims.identity])
        }

        let participant: Participant
        do {
            participant = try rooms.joinConference(
                room: roomName, identity: claims.identity, name: claims.name, canSubscribe: claims.grants.canSubscribe)
        } catch let error as SFUError {
            connection.send(text: JSONShapes.encode(["type": "error", "code": error.code, "message": error.message]))
            connection.close(code: WebSocketCloseCode.policyViolation, reason: error.code)
            return nil
        } catch {
            connection.close(code: WebSocketCloseCode.policyViolation, reason: "internal")
            return nil
        }
        let client = ConferenceClient(
            room: roomName, identity: claims.identity, participantSid: participant.sid, grants: claims.grants)
        client.connection = connection
        clients[roomName, default: [:]][claims.identity] = client
        Log.info("signaling connected", ["room": roomName, "participant": claims.identity, "sid": participant.sid])
        sendJoined(client)
        sendOfferIfNeeded(client)
        return client
    }

    private func disconnected(_ client: ConferenceClient) {
        client.connection = nil
        client.generation += 1
        guard !client.finished else { return }
        rooms.abandonSubscriberOffer(room: client.room, identity: client.identity)
        let generation = client.generation
        Log.info("signaling disconnected, waiting for resume",
                 ["room": client.room, "participant": client.identity, "graceSeconds": String(resumeGraceSeconds)])
        server?.schedule(after: resumeGraceSeconds * 1000) { [weak self, weak client] in
            guard let self, let client, client.generation == generation, client.connection == nil, !client.finished
            else { return }
            self.finish(client, reason: "timeout")
        }
    }

    /// Removes the participant for good.
    private func finish(_ client: ConferenceClient, reason: String) {
        guard !client.finished else { return }
        client.finished = true
        if clients[client.room]?[client.identity] === client {
            clients[client.room]?[client.identity] = nil
            if clients[client.room]?.isEmpty == true { clients[client.room] = nil }
        }
        rooms.leaveConference(room: client.room, identity: client.identity, sid: client.participantSid, reason: reason)
    }

    private func sendJoined(_ client: ConferenceClient, resumed: Bool = false) {
        guard let room = rooms.rooms[client.room], let participant = room.participants[client.identity] else { return }
        let others = room.participants.values.filter { $0.identity != client.identity }
            .sorted { $0.joinedAt < $1.joinedAt }.map(JSONShapes.participant)
        client.send([
            "type": "joined", "version": Self.protocolVersion,
            "room": JSONShapes.room(room, node: rooms.configuration.nodeID),
            "participant": JSONShapes.participant(participant), "participants": others,
            "resumeToken": client.resumeToken, "resumeGraceSeconds": resumeGraceSeconds, "resumed": resumed,
        ])
    }

    private func sendOfferIfNeeded(_ client: ConferenceClient) {
        guard client.connection != nil, let offer = rooms.nextSubscriberOffer(room: client.room, identity: client.identity)
        else { return }
        client.send([
            "type": "subscriber_offer", "sdp": offer.sdp,
            "tracks": offer.slots.map { ["mid": $0.mid, "trackSid": $0.trackSid, "participant": $0.participant] },
        ])
    }

    /// Sends pending subscriber offers of a room once the current control-thread work is done.
    private func scheduleOffers(room: String) {
        guard roomsNeedingOffers.insert(room).inserted else { return }
        server?.post { [weak self] in
            guard let self else { return }
            self.roomsNeedingOffers.remove(room)
            for client in self.clients[room]?.values.map({ $0 }) ?? [] { self.sendOfferIfNeeded(client) }
        }
    }

    // MARK: Messages

    private func receive(_ text: String, from client: ConferenceClient) {
        guard client.limiter.allow(now: Instant.now()) else {
            Log.warning("signaling rate limit", ["room": client.room, "participant": client.identity])
            client.sendError("rate_limited", "more than 50 messages a second; closing")
            client.connection?.close(code: WebSocketCloseCode.policyViolation, reason: "rate limit exceeded")
            return
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            client.sendError("invalid_message", "a message must be a JSON object")
            return
        }
        guard let type = object["type"] as? String else {
            client.sendError("invalid_message", "a message needs a string field \"type\"")
            return
        }
        let fields = MessageFields(object: object)
        do {
            try dispatch(type, fields, from: client)
        } catch let error as SignalingError {
            client.sendError(error.code, error.message, request: type)
        } catch let error as SFUError {
            client.sendError(error.code, error.message, request: type)
        } catch {
            Log.error("signaling request failed", ["room": client.room, "participant": client.identity,
                                                   "type": type, "error": "\(error)"])
            client.sendError("internal", "internal error", request: type)
        }
    }

    private func dispatch(_ type: String, _ fields: MessageFields, from client: ConferenceClient) throws {
        switch type {
        case "publish":
            guard client.grants.canPublish else { throw SignalingError.notAllowed("the token lacks canPublish") }
            let sdp = try fields.string("sdp")
            let infos = try (fields.optionalArray("tracks") ?? []).map(parseTrackInfo)
            let result = try rooms.publishConference(room: client.room, identity: client.identity, offer: sdp,
                                                     tracks: infos)
            client.send(["type": "publish_answer", "sdp": result.sdp, "tracks": result.tracks.map(JSONShapes.track)])
        case "subscriber_answer":
            try rooms.applySubscriberAnswer(room: client.room, identity: client.identity, answer: fields.string("sdp"))
            sendOfferIfNeeded(client)
        case "mute":
            try rooms.setMuted(room: client.room, identity: client.identity, trackSid: fields.string("trackSid"),
                               muted: fields.bool("muted"))
        case "unpublish":
            try rooms.unpublish(room: client.room, identity: client.identity, trackSid: fields.string("trackSid"))
        case "subscription":
            let trackSid = try fields.string("trackSid")
            let subscribe = try fields.optionalBool("subscribe") ?? true
            let paused = try fields.optionalBool("paused")
            let layer = try fields.optionalInt("layer")
            try rooms.setSubscribed(room: client.room, identity: client.identity, trackSid: trackSid,
                                    subscribed: subscribe)
            if paused != nil || layer != nil {
                try rooms.setLayerPreference(room: client.room, identity: client.identity, trackSid: trackSid,
                                             maxLayer: layer, paused: paused ?? false)
            }
            sendOfferIfNeeded(client)
        case "chat":
            try relayChat(fields, from: client)
        case "ping":
            var pong: [String: Any] = ["type": "pong"]
            if let id = fields.object["id"] { pong["id"] = id }
            client.send(pong)
        case "trickle":
            // Chorus is ICE-lite with host candidates in the SDP, so trickled candidates add nothing.
            break
        case "leave":
            client.send(["type": "leave", "reason": "left"])
            client.connection?.close(code: WebSocketCloseCode.normal, reason: "left")
            finish(client, reason: "left")
        default:
            client.sendError("unknown_type", "unknown message type \"\(type.prefix(64))\"", request: String(type.prefix(64)))
        }
    }

    private func parseTrackInfo(_ value: Any) throws -> PublishedTrackInfo {
        guard let object = value as? [String: Any] else { throw SignalingError.invalid("each track must be an object") }
        let fields = MessageFields(object: object)
        let kind = try fields.optionalString("kind").map { text -> TrackKind in
            guard let kind = TrackKind(rawValue: text) else {
                throw SignalingError.invalid("track kind must be audio or video")
            }
            return kind
        }
        let source = try fields.optionalString("source")
        if let source, !["microphone", "camera", "screen_share", "screen_share_audio"].contains(source) {
            throw SignalingError.invalid("track source must be microphone, camera, screen_share or screen_share_audio")
        }
        let layers = try (fields.optionalArray("layers") ?? []).prefix(4).map { value -> LayerDescription in
            guard let layer = value as? [String: Any] else { throw SignalingError.invalid("each layer must be an object") }
            let layerFields = MessageFields(object: layer)
            return LayerDescription(
                rid: try layerFields.string("rid"), width: try layerFields.optionalInt("width"),
                height: try layerFields.optionalInt("height"), bitrate: try layerFields.optionalInt("bitrate"))
        }
        return PublishedTrackInfo(
            mid: try fields.string("mid"), kind: kind, source: source, muted: try fields.optionalBool("muted") ?? false,
            layers: Array(layers))
    }

    private func relayChat(_ fields: MessageFields, from client: ConferenceClient) throws {
        let payload = try fields.string("payload")
        guard payload.utf8.count <= Self.maxChatPayloadBytes else {
            throw SignalingError.tooLarge("chat payload exceeds \(Self.maxChatPayloadBytes) bytes")
        }
        let recipients = try fields.optionalArray("to")?.map { value -> String in
            guard let identity = value as? String else { throw SignalingError.invalid("\"to\" must list identities") }
            return identity
        }
        let message: [String: Any] = [
            "type": "chat", "from": client.identity, "payload": payload,
            "timestamp": Int(Date().timeIntervalSince1970 * 1000),
        ]
        for other in clients[client.room]?.values.map({ $0 }) ?? [] where other !== client {
            if let recipients, !recipients.contains(other.identity) { continue }
            other.send(message)
        }
    }

    /// Sends the room's active speakers, loudest first, to its connected participants.
    public func sendActiveSpeakers(room: String, speakers: [(identity: String, level: Double)]) {
        let message: [String: Any] = [
            "type": "active_speakers",
            "speakers": speakers.map { ["identity": $0.identity, "level": ($0.level * 1000).rounded() / 1000] },
        ]
        for client in clients[room]?.values.map({ $0 }) ?? [] { client.send(message) }
    }

    // MARK: Room events

    /// Fans a room event out to the room's connected participants.
    public func handle(_ event: RoomEvent) {
        let roomClients = clients[event.roomName]?.values.map { $0 } ?? []
        switch event {
        case .participantJoined(_, let participant):
            let message: [String: Any] = ["type": "participant_joined", "participant": JSONShapes.participant(participant)]
            for client in roomClients where client.identity != participant.identity { client.send(message) }
        case .participantLeft(let room, let identity, let sid, let reason):
            if let client = clients[room]?[identity], client.participantSid == sid, !client.finished {
                client.finished = true
                client.send(["type": "leave", "reason": reason])
                client.connection?.close(code: WebSocketCloseCode.normal, reason: reason)
                clients[room]?[identity] = nil
            }
            let message: [String: Any] = ["type": "participant_left", "identity": identity, "sid": sid, "reason": reason]
            for client in roomClients where client.identity != identity { client.send(message) }
            scheduleOffers(room: room)
        case .trackPublished(let room, let identity, let track):
            let message: [String: Any] = ["type": "track_published", "identity": identity,
                                          "track": JSONShapes.track(track)]
            for client in roomClients where client.identity != identity { client.send(message) }
            scheduleOffers(room: room)
        case .trackUnpublished(let room, let identity, let trackSid):
            let message: [String: Any] = ["type": "track_unpublished", "identity": identity, "trackSid": trackSid]
            for client in roomClients where client.identity != identity { client.send(message) }
            scheduleOffers(room: room)
        case .trackMuted(_, let identity, let trackSid, let muted):
            let message: [String: Any] = ["type": "track_muted", "identity": identity, "trackSid": trackSid,
                                          "muted": muted]
            for client in roomClients where client.identity != identity { client.send(message) }
        case .roomDeleted(let room):
            for client in roomClients where !client.finished {
                client.finished = true
                client.send(["type": "leave", "reason": "room_deleted"])
                client.connection?.close(code: WebSocketCloseCode.normal, reason: "room_deleted")
            }
            clients[room] = nil
        }
    }
}
