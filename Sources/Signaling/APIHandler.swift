import Foundation
import HTTPServer
import SFU

/// Settings of the HTTP API.
public struct APIConfiguration: Sendable {
    /// API key to secret; tokens signed with any of them are accepted.
    public var apiKeys: [String: String]
    public var devMode: Bool
    /// Allowed clock difference when checking `exp` and `nbf`, in seconds.
    public var tokenLeewaySeconds: Int

    public init(apiKeys: [String: String], devMode: Bool, tokenLeewaySeconds: Int = 10) {
        self.apiKeys = apiKeys
        self.devMode = devMode
        self.tokenLeewaySeconds = tokenLeewaySeconds
    }
}

extension APIConfiguration {
    /// Verifies the request's access token, taken from `Authorization: Bearer` or else from the
    /// `access_token` query parameter, which browsers use where they cannot set headers.
    /// - Throws: `APIError` with status 401 naming what is wrong with the token.
    func verifiedClaims(of request: HTTPRequest) throws -> AccessTokenClaims {
        var token: String?
        if let header = request.headers["authorization"] {
            let prefix = "bearer "
            guard header.lowercased().hasPrefix(prefix) else {
                throw APIError.unauthorized("the Authorization header must be \"Bearer <token>\"")
            }
            token = String(header.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        } else {
            token = request.query["access_token"]
        }
        guard let token, !token.isEmpty else {
            throw APIError.unauthorized("missing access token: send Authorization: Bearer <token>")
        }
        do {
            return try AccessToken.verify(
                token, secrets: apiKeys, now: Int(Date().timeIntervalSince1970), leeway: tokenLeewaySeconds)
        } catch {
            throw APIError.unauthorized(error.message)
        }
    }
}

/// Routes HTTP requests to the room API, WHIP and WHEP. Runs on the control thread.
public final class APIHandler {
    let configuration: APIConfiguration
    let rooms: RoomManager
    let metrics: MetricsExporter
    let staticFiles: StaticFiles?

    public init(configuration: APIConfiguration, rooms: RoomManager, metrics: MetricsExporter,
                staticFiles: StaticFiles? = nil) {
        self.configuration = configuration
        self.rooms = rooms
        self.metrics = metrics
        self.staticFiles = staticFiles
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var response: HTTPResponse
        do {
            response = try route(request)
        } catch let error as APIError {
            response = error.response
        } catch let error as SFUError {
            response = APIError(error).response
        } catch {
            Log.error("request failed", ["method": request.method, "path": request.path, "error": "\(error)"])
            response = APIError(status: 500, code: "internal", message: "internal error").response
        }
        addCORSHeaders(&response)
        return response
    }

    private func route(_ request: HTTPRequest) throws -> HTTPResponse {
        if request.method == "OPTIONS" {
            return HTTPResponse(status: 204, headers: [], body: [])
        }
        let path = RoutePath(request.path)
        let method = request.method
        if request.path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw APIError.badRequest("the path contains control characters")
        }

        if path.matches("healthz") || path.matches("readyz") {
            try allow(method, ["GET", "HEAD"], request)
            return HTTPResponse.json(200, ["status": "ok"])
        }
        if path.matches("metrics") {
            try allow(method, ["GET"], request)
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")],
                body: Array(metrics.render().utf8))
        }
        if path.matches("v1", "rtc") {
            throw APIError(
                status: 426, code: "upgrade_required",
                message: "/v1/rtc is the signaling WebSocket; connect with a WebSocket client and access_token",
                headers: [("Upgrade", "websocket")])
        }
        if path.matches("v1", "dev", "token") {
            try allow(method, ["GET"], request)
            return try devToken(request)
        }
        if path.matches("v1", "rooms") {
            try allow(method, ["GET", "POST"], request)
            return method == "POST" ? try createRoom(request) : try listRooms(request)
        }
        if let captured = path.match("v1", "rooms", "*") {
            try allow(method, ["GET", "DELETE"], request)
            return method == "GET" ? try getRoom(request, name: captured[0]) : try deleteRoom(request, name: captured[0])
        }
        if let captured = path.match("v1", "rooms", "*", "participants") {
            try allow(method, ["GET"], request)
            return try listParticipants(request, room: captured[0])
        }
        if let captured = path.match("v1", "rooms", "*", "participants", "*") {
            try allow(method, ["DELETE"], request)
            try requireAdmin(request, room: captured[0])
            try rooms.removeParticipant(room: captured[0], identity: captured[1])
            return HTTPResponse(status: 204, headers: [], body: [])
        }
        if let captured = path.match("v1", "rooms", "*", "whip") {
            try allow(method, ["POST"], request)
            return try whip(request, room: captured[0])
        }
        if let captured = path.match("v1", "rooms", "*", "whep") {
            try allow(method, ["POST"], request)
            return try whep(request, room: captured[0])
        }
        if let captured = path.match("v1", "rooms", "*", "whip", "*") ?? path.match("v1", "rooms", "*", "whep", "*") {
            if method == "PATCH" {
                // Chorus is ICE-lite with host candidates only, so trickled candidates add nothing (RFC 9725 4.3.1).
                return APIError(status: 405, code: "method_not_allowed", message: "trickle ICE is not supported")
                    .responseWith(headers: [("Allow", "DELETE")])
            }
            try allow(method, ["DELETE"], request)
            return try deleteSession(request, room: captured[0], sessionID: captured[1])
        }
        if method == "GET" || method == "HEAD", let file = staticFiles?.response(for: request.path) {
            return file
        }
        throw APIError.notFound("no such endpoint: \(method) \(request.path)")
    }

    private func allow(_ method: String, _ allowed: [String], _ request: HTTPRequest) throws {
        guard allowed.contains(method) else {
            throw APIError(
                status: 405, code: "method_not_allowed",
                message: "\(method) is not allowed on \(request.path); use \(allowed.joined(separator: " or "))",
                headers: [("Allow", (allowed + ["OPTIONS"]).joined(separator: ", "))])
        }
    }

    // MARK: Rooms

    private func createRoom(_ request: HTTPRequest) throws -> HTTPResponse {
        let claims = try authorize(request)
        guard claims.grants.roomCreate else { throw APIError.forbidden("the token lacks the roomCreate grant") }
        let body: CreateRoomRequest
        do {
            body = try JSONDecoder().decode(CreateRoomRequest.self, from: Data(request.body))
        } catch {
            throw APIError.badRequest(
                "the body must be a JSON object with \"name\" (string) and optional \"maxParticipants\", "
                    + "\"emptyTimeoutSeconds\" (non-negative integers) and \"e2eeRequired\" (boolean)",
                code: "invalid_argument")
        }
        let name = body.name
        let maxParticipants = body.maxParticipants ?? 0
        let emptyTimeout = body.emptyTimeoutSeconds ?? 300
        let e2eeRequired = body.e2eeRequired ?? false
        let room = try rooms.createRoom(
            name: name, maxParticipants: maxParticipants, emptyTimeoutSeconds: emptyTimeout,
            e2eeRequired: e2eeRequired)
        return HTTPResponse.json(201, roomJSON(room), headers: [("Location", "/v1/rooms/\(room.name)")])
    }

    private func listRooms(_ request: HTTPRequest) throws -> HTTPResponse {
        let claims = try authorize(request)
        guard claims.grants.roomList else { throw APIError.forbidden("the token lacks the roomList grant") }
        let list = rooms.rooms.values.sorted { $0.createdAt < $1.createdAt }.map(roomJSON)
        return HTTPResponse.json(200, ["rooms": list])
    }

    private func getRoom(_ request: HTTPRequest, name: String) throws -> HTTPResponse {
        let claims = try authorize(request)
        guard claims.grants.roomList || (claims.grants.roomAdmin && claims.grants.room == name) else {
            throw APIError.forbidden("the token lacks the roomList or roomAdmin grant for room \(name)")
        }
        return HTTPResponse.json(200, roomJSON(try rooms.room(named: name)))
    }

    private func deleteRoom(_ request: HTTPRequest, name: String) throws -> HTTPResponse {
        let claims = try authorize(request)
        guard claims.grants.roomCreate else { throw APIError.forbidden("the token lacks the roomCreate grant") }
        try rooms.deleteRoom(named: name)
        return HTTPResponse(status: 204, headers: [], body: [])
    }

    private func listParticipants(_ request: HTTPRequest, room name: String) throws -> HTTPResponse {
        try requireAdmin(request, room: name)
        let room = try rooms.room(named: name)
        let list = room.participants.values.sorted { $0.joinedAt < $1.joinedAt }.map(participantJSON)
        return HTTPResponse.json(200, ["participants": list])
    }

    private func requireAdmin(_ request: HTTPRequest, room: String) throws {
        let claims = try authorize(request)
        guard claims.grants.roomAdmin, claims.grants.room == room else {
            throw APIError.forbidden("the token lacks the roomAdmin grant for room \(room)")
        }
    }

    // MARK: WHIP and WHEP

    private func whip(_ request: HTTPRequest, room: String) throws -> HTTPResponse {
        let claims = try authorize(request)
        try requireJoin(claims, room: room)
        guard claims.grants.canPublish else { throw APIError.forbidden("the token lacks the canPublish grant") }
        let offer = try sdpBody(request)
        let answer = try rooms.publish(room: room, identity: claims.identity, name: claims.name, offer: offer)
        return sdpCreated(answer, location: "/v1/rooms/\(room)/whip/\(answer.sessionID)")
    }

    private func whep(_ request: HTTPRequest, room: String) throws -> HTTPResponse {
        let claims = try authorize(request)
        try requireJoin(claims, room: room)
        guard claims.grants.canSubscribe else { throw APIError.forbidden("the token lacks the canSubscribe grant") }
        guard let publisher = request.query["participant"], !publisher.isEmpty else {
            throw APIError.badRequest("the query needs participant=<identity> of the publisher to receive")
        }
        var maxLayer: Int?
        if let text = request.query["layer"] {
            guard let layer = Int(text), (0...15).contains(layer) else {
                throw APIError.badRequest("layer must be an integer from 0 (the lowest simulcast layer) to 15")
            }
            maxLayer = layer
        }
        let offer = try sdpBody(request)
        _ = try rooms.room(named: room)
        let answer = try rooms.subscribe(
            room: room, identity: claims.identity, to: publisher, offer: offer, maxLayer: maxLayer)
        return sdpCreated(answer, location: "/v1/rooms/\(room)/whep/\(answer.sessionID)")
    }

    private func deleteSession(_ request: HTTPRequest, room: String, sessionID: String) throws -> HTTPResponse {
        let claims = try authorize(request)
        guard let owner = rooms.sessionOwner(sessionID), owner.room == room else {
            throw APIError(status: 404, code: "session_not_found", message: "session \(sessionID) does not exist")
        }
        let isOwner = claims.identity == owner.identity && claims.grants.room == room
        let isAdmin = claims.grants.roomAdmin && claims.grants.room == room
        guard isOwner || isAdmin else {
            throw APIError.forbidden("the token may not end session \(sessionID)")
        }
        try rooms.endSession(sessionID)
        return HTTPResponse(status: 200, headers: [], body: [])
    }

    private func requireJoin(_ claims: AccessTokenClaims, room: String) throws {
        guard claims.grants.roomJoin else { throw APIError.forbidden("the token lacks the roomJoin grant") }
        guard claims.grants.room == room else {
            throw APIError.forbidden("the token is for room \(claims.grants.room ?? "(none)"), not \(room)")
        }
    }

    private func sdpBody(_ request: HTTPRequest) throws -> String {
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/sdp") else {
            throw APIError(status: 415, code: "unsupported_media_type", message: "the body must be application/sdp")
        }
        guard let text = String(bytes: request.body, encoding: .utf8), !text.isEmpty else {
            throw APIError.badRequest("the SDP offer is empty or not UTF-8", code: "invalid_sdp")
        }
        return text
    }

    private func sdpCreated(_ answer: RoomManager.SessionAnswer, location: String) -> HTTPResponse {
        HTTPResponse(
            status: 201,
            headers: [("Content-Type", "application/sdp"), ("Location", location), ("ETag", "\"\(answer.sessionID)\"")],
            body: Array(answer.sdp.utf8))
    }

    // MARK: Tokens

    private func authorize(_ request: HTTPRequest) throws -> AccessTokenClaims {
        try configuration.verifiedClaims(of: request)
    }

    private func devToken(_ request: HTTPRequest) throws -> HTTPResponse {
        guard configuration.devMode, let (key, secret) = configuration.apiKeys.first else {
            throw APIError.notFound("no such endpoint: GET \(request.path)")
        }
        guard let room = request.query["room"], isValidRoomName(room) else {
            throw APIError.badRequest("room must be 1 to 128 letters, digits, '-', '_' or '.'")
        }
        guard let identity = request.query["identity"], !identity.isEmpty, identity.count <= 128 else {
            throw APIError.badRequest("identity must be 1 to 128 characters")
        }
        let claims = AccessTokenClaims(
            issuer: key, identity: identity, name: request.query["name"],
            expiresAt: Int(Date().timeIntervalSince1970) + 6 * 3600,
            grants: VideoGrants(room: room, roomJoin: true, canPublish: true, canSubscribe: true))
        return HTTPResponse.json(200, ["token": AccessToken.sign(claims, secret: secret)])
    }

    // MARK: JSON

    private func roomJSON(_ room: Room) -> [String: Any] {
        JSONShapes.room(room, node: rooms.configuration.nodeID)
    }

    private func participantJSON(_ participant: Participant) -> [String: Any] {
        JSONShapes.participant(participant)
    }

    private func addCORSHeaders(_ response: inout HTTPResponse) {
        response.headers.append(("Access-Control-Allow-Origin", "*"))
        response.headers.append(("Access-Control-Allow-Methods", "GET, POST, DELETE, PATCH, OPTIONS"))
        response.headers.append(("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match"))
        response.headers.append(("Access-Control-Expose-Headers", "Location, ETag, Link"))
    }
}

/// The segments of a request path, matched against patterns where `*` captures one segment.
struct RoutePath {
    let segments: [String]

    init(_ path: String) {
        // Split on the byte, not on Characters: a combining mark after "/" forms one Character with it.
        segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    func matches(_ pattern: String...) -> Bool {
        capture(pattern) != nil
    }

    func match(_ pattern: String...) -> [String]? {
        capture(pattern)
    }

    private func capture(_ pattern: [String]) -> [String]? {
        guard pattern.count == segments.count else { return nil }
        var captured: [String] = []
        for (expected, actual) in zip(pattern, segments) {
            if expected == "*" {
                captured.append(actual)
            } else if expected != actual {
                return nil
            }
        }
        return captured
    }
}

/// The body of `POST /v1/rooms`.
struct CreateRoomRequest: Decodable {
    var name: String
    var maxParticipants: Int?
    var emptyTimeoutSeconds: Int?
    var e2eeRequired: Bool?
}

extension APIError {
    func responseWith(headers: [(String, String)]) -> HTTPResponse {
        var result = response
        result.headers.append(contentsOf: headers)
        return result
    }
}
