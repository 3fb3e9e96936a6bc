import Crypto
import Foundation
import HTTPServer
import SFU
import Testing

@testable import Signaling

/// Drives the API handler with in-memory requests; no sockets besides the idle media worker.
final class APIFixture {
    let worker: MediaWorker
    let rooms: RoomManager
    let handler: APIHandler
    let secret = "test-secret"

    init(autoCreateRooms: Bool = true) throws {
        let configuration = SFUConfiguration(
            rtcBindAddress: .v4(address: 0x7F00_0001, port: 0), autoCreateRooms: autoCreateRooms, nodeID: "node-a")
        worker = try MediaWorker(configuration: configuration)
        rooms = RoomManager(configuration: configuration, worker: worker, certificate: try .generate())
        handler = APIHandler(
            configuration: APIConfiguration(apiKeys: ["key": secret], devMode: false), rooms: rooms,
            metrics: MetricsExporter(rooms: rooms, workers: [worker]))
        worker.start()
    }

    deinit {
        worker.stop()
    }

    func token(identity: String = "alice", grants: VideoGrants, expiresIn: Int = 600) -> String {
        AccessToken.sign(
            AccessTokenClaims(
                issuer: "key", identity: identity, expiresAt: Int(Date().timeIntervalSince1970) + expiresIn,
                grants: grants), secret: secret)
    }

    func request(_ method: String, _ path: String, token: String? = nil, query: [String: String] = [:],
                 contentType: String? = nil, body: String = "") -> HTTPResponse {
        var headers: [String: String] = [:]
        if let token { headers["authorization"] = "Bearer \(token)" }
        if let contentType { headers["content-type"] = contentType }
        return handler.handle(HTTPRequest(method: method, path: path, query: query, headers: headers,
                                          body: Array(body.utf8)))
    }
}

func errorCode(_ response: HTTPResponse) -> String? {
    let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    return (object?["error"] as? [String: Any])?["code"] as? String
}

/// A minimal valid sendonly offer with one Opus section.
let minimalOffer = [
    "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=sendonly", "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2", "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
    "a=fingerprint:sha-256 " + Array(repeating: "AB", count: 32).joined(separator: ":"), "a=setup:actpass",
].joined(separator: "\r\n") + "\r\n"

@Suite struct APIHandlerTests {
    let fixture: APIFixture

    init() throws {
        fixture = try APIFixture()
    }

    var publishGrants: VideoGrants { VideoGrants(room: "standup", roomJoin: true, canPublish: true, canSubscribe: true) }

    @Test func whipWithoutTokenIs401() {
        let response = fixture.request("POST", "/v1/rooms/standup/whip", contentType: "application/sdp",
                                       body: minimalOffer)
        #expect(response.status == 401)
        #expect(errorCode(response) == "unauthorized")
    }

    @Test func whipWithTokenForAnotherRoomIs403() {
        let token = fixture.token(grants: VideoGrants(room: "other", roomJoin: true, canPublish: true))
        let response = fixture.request("POST", "/v1/rooms/standup/whip", token: token,
                                       contentType: "application/sdp", body: minimalOffer)
        #expect(response.status == 403)
        #expect(errorCode(response) == "forbidden")
    }

    @Test func whipWithoutPublishGrantIs403() {
        let token = fixture.token(grants: VideoGrants(room: "standup", roomJoin: true, canSubscribe: true))
        let response = fixture.request("POST", "/v1/rooms/standup/whip", token: token,
                                       contentType: "application/sdp", body: minimalOffer)
        #expect(response.status == 403)
    }

    @Test(arguments: ["", "hello", "v=0\r\nm=audio x\r\n", "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"])
    func whipWithMalformedSDPIs400(body: String) {
        let token = fixture.token(grants: publishGrants)
        let response = fixture.request("POST", "/v1/rooms/standup/whip", token: token,
                                       contentType: "application/sdp", body: body)
        #expect(response.status == 400)
        #expect(errorCode(response) == "invalid_sdp")
    }

    @Test func whipWithWrongContentTypeIs415() {
        let token = fixture.token(grants: publishGrants)
        let response = fixture.request("POST", "/v1/rooms/standup/whip", token: token,
                                       contentType: "application/json", body: minimalOffer)
        #expect(response.status == 415)
    }

    @Test func whipAnswersAndDeleteEndsSession() throws {
        let token = fixture.token(grants: publishGrants)
        let response = fixture.request("POST", "/v1/rooms/standup/whip", token: token,
                                       contentType: "application/sdp", body: minimalOffer)
        #expect(response.status == 201)
        let location = try #require(response.headers.first { $0.0 == "Location" }?.1)
        #expect(location.hasPrefix("/v1/rooms/standup/whip/"))
        let answer = String(decoding: response.body, as: UTF8.self)
        #expect(answer.contains("a=ice-lite"))
        #expect(answer.contains("a=setup:passive"))

        let stranger = fixture.token(identity: "mallory", grants: publishGrants)
        #expect(fixture.request("DELETE", location, token: stranger).status == 403)
        #expect(fixture.request("DELETE", location, token: token).status == 200)
        #expect(fixture.request("DELETE", location, token: token).status == 404)
    }

    @Test func whepForMissingRoomIs404() {
        let token = fixture.token(grants: VideoGrants(room: "nowhere", roomJoin: true, canSubscribe: true))
        let response = fixture.request("POST", "/v1/rooms/nowhere/whep", token: token,
                                       query: ["participant": "alice"], contentType: "application/sdp",
                                       body: minimalOffer)
        #expect(response.status == 404)
        #expect(errorCode(response) == "room_not_found")
    }

    @Test func expiredAndForgedTokensAre401() {
        let expired = fixture.token(grants: publishGrants, expiresIn: -3600)
        #expect(fixture.request("GET", "/v1/rooms", token: expired).status == 401)
        let forged = AccessToken.sign(
            AccessTokenClaims(issuer: "key", identity: "x", expiresAt: Int(Date().timeIntervalSince1970) + 60,
                              grants: VideoGrants(roomList: true)), secret: "wrong")
        #expect(fixture.request("GET", "/v1/rooms", token: forged).status == 401)
    }

    @Test func roomLifecycle() throws {
        let admin = fixture.token(grants: VideoGrants(roomCreate: true, roomList: true))
        let created = fixture.request("POST", "/v1/rooms", token: admin, body: #"{"name":"team.a","maxParticipants":3}"#)
        #expect(created.status == 201)
        #expect(fixture.request("POST", "/v1/rooms", token: admin, body: #"{"name":"team.a"}"#).status == 409)
        #expect(fixture.request("POST", "/v1/rooms", token: admin, body: #"{"name":"bad name!"}"#).status == 400)
        #expect(fixture.request("POST", "/v1/rooms", token: admin, body: #"{"name":"x","maxParticipants":"3"}"#)
            .status == 400)
        #expect(fixture.request("POST", "/v1/rooms", token: admin, body: "not json").status == 400)

        let room = fixture.request("GET", "/v1/rooms/team.a", token: admin)
        #expect(room.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(room.body)) as? [String: Any])
        #expect(object["name"] as? String == "team.a")
        #expect(object["maxParticipants"] as? Int == 3)
        #expect(object["node"] as? String == "node-a")

        #expect(fixture.request("DELETE", "/v1/rooms/team.a", token: admin).status == 204)
        #expect(fixture.request("GET", "/v1/rooms/team.a", token: admin).status == 404)
    }

    @Test func unknownPathIs404AndWrongMethodIs405() {
        #expect(fixture.request("GET", "/v2/nothing").status == 404)
        #expect(fixture.request("PUT", "/v1/rooms").status == 405)
        #expect(fixture.request("GET", "/healthz").status == 200)
    }

    @Test func metricsListProcessFigures() {
        let response = fixture.request("GET", "/metrics")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == 200)
        #expect(text.contains("process_cpu_seconds_total"))
        #expect(text.contains("process_resident_memory_bytes"))
        #expect(text.contains("chorus_packets_dropped_total{worker=\"0\",reason=\"malformed_rtp\"}"))
    }
}
