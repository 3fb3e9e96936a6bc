import Foundation
import Testing

@testable import HTTPServer

/// Requests seen by a handler, shared between the service thread and the test.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [HTTPRequest] = []
    private var onServiceThread: [Bool] = []

    func append(_ request: HTTPRequest, onServiceThread: Bool) {
        lock.withLock {
            stored.append(request)
            self.onServiceThread.append(onServiceThread)
        }
    }

    var requests: [HTTPRequest] { lock.withLock { stored } }
    var handledOnServiceThread: [Bool] { lock.withLock { onServiceThread } }
}

/// Starts a server on an ephemeral loopback port whose handler records each request and calls `respond`.
private func startServer(
    maxBodyBytes: Int = 1 << 20, _ respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse = echo
) throws -> (HTTPServer, RequestLog) {
    let log = RequestLog()
    weak var serverReference: HTTPServer?
    let server = try HTTPServer(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes) { request in
        log.append(request, onServiceThread: serverReference?.isOnServiceThread ?? false)
        return respond(request)
    }
    serverReference = server
    server.start()
    return (server, log)
}

/// Replies 200 with the method, path and body size as JSON.
@Sendable private func echo(_ request: HTTPRequest) -> HTTPResponse {
    .json(200, ["method": request.method, "path": request.path, "bodyBytes": request.body.count])
}

@Test func getDeliversPathQueryAndHeaders() throws {
    let (server, log) = try startServer { _ in
        .json(200, ["ok": true], headers: [("ETag", "\"v1\""), ("Access-Control-Allow-Origin", "*")])
    }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let response = try client.request(
        "GET", "/rooms/lobby%20one/participants?limit=5&name=J%C3%BCrgen+X&flag",
        headers: [("Authorization", "Bearer abc.def.ghi"), ("Origin", "https://app.example"), ("X-Request-Id", "42")])

    #expect(response.status == 200)
    #expect(response.headers["content-type"] == "application/json")
    #expect(response.headers["etag"] == "\"v1\"")
    #expect(response.headers["access-control-allow-origin"] == "*")
    #expect(response.bodyText == #"{"ok":true}"#)
    let request = try #require(log.requests.first)
    #expect(request.method == "GET")
    #expect(request.path == "/rooms/lobby one/participants")
    #expect(request.query == ["limit": "5", "name": "Jürgen X", "flag": ""])
    #expect(request.headers["authorization"] == "Bearer abc.def.ghi")
    #expect(request.headers["origin"] == "https://app.example")
    #expect(request.headers["host"] == "127.0.0.1")
    #expect(request.headers["x-request-id"] == "42")
    #expect(request.header("Authorization") == "Bearer abc.def.ghi")
    #expect(request.remoteAddress == "127.0.0.1")
    #expect(request.body.isEmpty)
}

@Test func postCollectsBodyAcrossChunks() throws {
    let (server, log) = try startServer { request in
        .json(201, ["bodyBytes": request.body.count], headers: [("Location", "/resources/1")])
    }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)
    // Larger than libwebsockets' 4 KiB service buffer, so it arrives in many LWS_CALLBACK_HTTP_BODY calls.
    let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    let response = try client.request(
        "POST", "/resources", headers: [("Content-Type", "application/octet-stream")], body: body)

    #expect(response.status == 201)
    #expect(response.headers["location"] == "/resources/1")
    #expect(response.bodyText == #"{"bodyBytes":300000}"#)
    let request = try #require(log.requests.first)
    #expect(request.method == "POST")
    #expect(request.headers["content-type"] == "application/octet-stream")
    #expect(request.body == body)
}

@Test(arguments: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
func methodReachesHandler(_ method: String) throws {
    let (server, log) = try startServer()
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)
    let body = method == "GET" || method == "OPTIONS" || method == "DELETE" ? [] : Array("{\"a\":1}".utf8)

    let response = try client.request(method, "/things/7", body: body)

    #expect(response.status == 200)
    #expect(
        response.bodyText == "{\"bodyBytes\":\(body.count),\"method\":\"\(method)\",\"path\":\"\\/things\\/7\"}"
            || response.bodyText == "{\"bodyBytes\":\(body.count),\"method\":\"\(method)\",\"path\":\"/things/7\"}")
    #expect(log.requests.first?.method == method)
    #expect(log.requests.first?.body.count == body.count)
}

@Test func optionsPreflightSeesCORSRequestHeaders() throws {
    let (server, log) = try startServer { _ in
        .empty(
            204, headers: [("Access-Control-Allow-Methods", "GET, POST, DELETE"), ("Access-Control-Max-Age", "600")])
    }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let response = try client.request(
        "OPTIONS", "/whip/lobby",
        headers: [
            ("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, content-type"),
        ])

    #expect(response.status == 204)
    #expect(response.headers["content-length"] == nil)
    #expect(response.headers["access-control-allow-methods"] == "GET, POST, DELETE")
    #expect(response.headers["access-control-max-age"] == "600")
    let request = try #require(log.requests.first)
    #expect(request.headers["access-control-request-method"] == "POST")
    #expect(request.headers["access-control-request-headers"] == "authorization, content-type")
}

@Test func keepAliveServesSeveralRequests() throws {
    let (server, log) = try startServer { request in
        request.method == "DELETE" ? .empty() : .text(200, "hello \(request.path)")
    }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let first = try client.request("GET", "/one")
    let second = try client.request("DELETE", "/two")
    let third = try client.request("POST", "/three", body: Array("xyz".utf8))

    #expect(first.status == 200)
    #expect(first.bodyText == "hello /one")
    #expect(second.status == 204)
    #expect(second.body.isEmpty)
    #expect(third.status == 200)
    #expect(third.bodyText == "hello /three")
    #expect(log.requests.map(\.path) == ["/one", "/two", "/three"])
}

@Test func pipelinedRequestsAnswerInOrder() throws {
    let (server, _) = try startServer { request in .text(200, request.path) }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    try client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")

    #expect(try client.readResponse().bodyText == "/a")
    #expect(try client.readResponse().bodyText == "/b")
}

@Test(arguments: [200, 201, 204, 307, 400, 401, 403, 404, 405, 409, 413, 500, 503])
func statusCodeIsSent(_ status: Int) throws {
    let (server, _) = try startServer { _ in
        status == 204 ? .empty(204) : .error(status, code: "c", message: "m", headers: [("Location", "/elsewhere")])
    }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let response = try client.request("GET", "/")
    let followUp = try client.request("GET", "/again")

    #expect(response.status == status)
    #expect(followUp.status == status)
    if status != 204 {
        #expect(response.headers["location"] == "/elsewhere")
        #expect(response.bodyText == #"{"error":{"code":"c","message":"m"}}"#)
    }
}

@Test func largeResponseBodyArrivesWhole() throws {
    let payload = (0..<500_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    let (server, _) = try startServer { _ in HTTPResponse(status: 200, body: payload) }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let response = try client.request("GET", "/big")
    let next = try client.request("GET", "/big")

    #expect(response.headers["content-length"] == "500000")
    #expect(response.body == payload)
    #expect(next.body == payload)
}

@Test func headResponseHasLengthWithoutBody() throws {
    let (server, _) = try startServer { _ in .text(200, "twelve bytes") }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let head = try client.request("HEAD", "/")
    let get = try client.request("GET", "/")

    #expect(head.status == 200)
    #expect(head.headers["content-length"] == "12")
    #expect(get.bodyText == "twelve bytes")
}

@Test func oversizedBodyGets413() throws {
    let (server, log) = try startServer()
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)
    let body = [UInt8](repeating: 0x61, count: 2 << 20)

    let response = try client.request("POST", "/upload", body: body)

    #expect(response.status == 413)
    let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: [String: String]]
    #expect(json?["error"]?["code"] == "request_too_large")
    #expect(json?["error"]?["message"]?.contains("1048576") == true)
    #expect(response.headers["connection"] == "close")
    #expect(try client.waitForClose())
    #expect(log.requests.isEmpty)
    #expect(try RawHTTPClient(port: server.boundPort).request("GET", "/after").status == 200)
}

@Test func oversizedDeclaredLengthAnsweredBeforeBody() throws {
    let (server, log) = try startServer()
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n")
    let response = try client.readResponse()

    #expect(response.status == 413)
    #expect(log.requests.isEmpty)
}

@Test func bodyAtLimitIsAccepted() throws {
    let (server, log) = try startServer(maxBodyBytes: 1000)
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let atLimit = try client.request("POST", "/", body: [UInt8](repeating: 1, count: 1000))
    let overLimit = try client.request("POST", "/", body: [UInt8](repeating: 1, count: 1001))

    #expect(atLimit.status == 200)
    #expect(overLimit.status == 413)
    #expect(log.requests.count == 1)
}

@Test func chunkedUploadGets411() throws {
    let (server, log) = try startServer()
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    try client.send("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    let response = try client.readResponse()

    #expect(response.status == 411)
    #expect(log.requests.isEmpty)
}

struct MalformedRequest: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: String
    var testDescription: String { name }
}

private let malformedRequests = [
    MalformedRequest(name: "unknown method", bytes: "GARBAGE\r\n\r\n"),
    MalformedRequest(name: "method without target", bytes: "GET\r\n\r\n"),
    MalformedRequest(name: "binary bytes", bytes: "\u{01}\u{02}\u{03}\u{FF}\r\n\r\n"),
    MalformedRequest(
        name: "non-numeric content length", bytes: "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
    MalformedRequest(name: "header without colon", bytes: "GET / HTTP/1.1\r\nNo-Colon-Here\r\n\r\n"),
    MalformedRequest(
        name: "content length overflowing 64 bits",
        bytes: "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
    MalformedRequest(
        name: "headers over 8 KiB",
        bytes: "GET / HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"),
    MalformedRequest(name: "unknown HTTP version", bytes: "GET / HTTP/9.9\r\n\r\n"),
]

@Test(arguments: malformedRequests)
func malformedRequestLeavesServerWorking(_ malformed: MalformedRequest) throws {
    let (server, _) = try startServer()
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    // The server may respond with an error, respond leniently, or close. It must neither crash nor stop serving.
    try? client.send(malformed.bytes)
    _ = try? client.readResponse()

    let next = try RawHTTPClient(port: server.boundPort).request("GET", "/still-alive")
    #expect(next.status == 200)
}

@Test func everyTruncatedRequestIsDropped() throws {
    let (server, log) = try startServer()
    defer { server.stop() }
    let body = #"{"name":"alice"}"#
    let fixture = Array(
        ("POST /rooms/r1/participants?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer abc\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)").utf8)

    for length in 0..<fixture.count {
        let client = try RawHTTPClient(port: server.boundPort)
        try client.send(Array(fixture.prefix(length)))
        client.shutdownWrite()
    }
    let complete = try RawHTTPClient(port: server.boundPort)
    try complete.send(fixture)
    let response = try complete.readResponse()

    #expect(response.status == 200)
    #expect(log.requests.count == 1)
    #expect(log.requests.first?.body == Array(body.utf8))
}

@Test func invalidHandlerHeaderBecomes500() throws {
    let (server, _) = try startServer { _ in .text(200, "x", headers: [("X-Bad", "a\r\nInjected: yes")]) }
    defer { server.stop() }
    let client = try RawHTTPClient(port: server.boundPort)

    let response = try client.request("GET", "/")

    #expect(response.status == 500)
    #expect(response.headers["injected"] == nil)
}

@Test func handlerRunsOnServiceThread() throws {
    let (server, log) = try startServer()
    defer { server.stop() }

    _ = try RawHTTPClient(port: server.boundPort).request("GET", "/")

    #expect(log.handledOnServiceThread == [true])
    #expect(!server.isOnServiceThread)
}

@Test func postRunsWorkOnServiceThread() throws {
    let (server, _) = try startServer()
    defer { server.stop() }
    let done = DispatchSemaphore(value: 0)
    let results = RequestLog()

    for index in 0..<3 {
        server.post {
            results.append(HTTPRequest(method: "POST", path: "/\(index)"), onServiceThread: server.isOnServiceThread)
            done.signal()
        }
    }

    for _ in 0..<3 {
        #expect(done.wait(timeout: .now() + 5) == .success)
    }
    #expect(results.requests.map(\.path) == ["/0", "/1", "/2"])
    #expect(results.handledOnServiceThread == [true, true, true])
}

@Test func workPostedBeforeStartRuns() throws {
    let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in .empty() }
    defer { server.stop() }
    let done = DispatchSemaphore(value: 0)

    server.post { done.signal() }
    server.start()

    #expect(done.wait(timeout: .now() + 5) == .success)
}

@Test func scheduledTimersFireInDeadlineOrder() throws {
    let (server, _) = try startServer()
    defer { server.stop() }
    let done = DispatchSemaphore(value: 0)
    let fired = RequestLog()

    for delay in [120, 10, 60, 10] {
        server.schedule(after: delay) {
            fired.append(HTTPRequest(method: "TIMER", path: "\(delay)"), onServiceThread: server.isOnServiceThread)
            done.signal()
        }
    }

    for _ in 0..<4 {
        #expect(done.wait(timeout: .now() + 5) == .success)
    }
    #expect(fired.requests.map(\.path) == ["10", "10", "60", "120"])
    #expect(fired.handledOnServiceThread == [true, true, true, true])
}

@Test func timerScheduledFromTimerFires() throws {
    let (server, _) = try startServer()
    defer { server.stop() }
    let done = DispatchSemaphore(value: 0)

    server.schedule(after: 5) {
        server.schedule(after: 5) { done.signal() }
    }

    #expect(done.wait(timeout: .now() + 5) == .success)
}

@Test func portInUseThrowsListenFailed() throws {
    let (server, _) = try startServer()
    defer { server.stop() }

    #expect {
        _ = try HTTPServer(host: "127.0.0.1", port: server.boundPort) { _ in .empty() }
    } throws: { error in
        guard case .listenFailed(_, let port, let reason) = error as? HTTPServerError else { return false }
        return port == server.boundPort && reason == "Address already in use"
    }
}

@Test func portInUseMessageSuggestsFix() {
    let error = HTTPServerError.listenFailed(host: "127.0.0.1", port: 7880, reason: "Address already in use")
    let expected =
        "Cannot listen for HTTP on 127.0.0.1:7880: Address already in use. "
        + "Choose another port or stop the process using it."

    #expect(error.description == expected)
}

@Test func localhostHostListensOnLoopback() throws {
    let server = try HTTPServer(host: "localhost", port: 0) { _ in .text(200, "ok") }
    server.start()
    defer { server.stop() }

    #expect(try RawHTTPClient(port: server.boundPort).request("GET", "/").bodyText == "ok")
}

@Test func stopClosesListener() throws {
    let (server, _) = try startServer()
    let port = server.boundPort
    #expect(try RawHTTPClient(port: port).request("GET", "/").status == 200)

    server.stop()
    server.stop()

    #expect(throws: RawHTTPClient.ClientError.self) { _ = try RawHTTPClient(port: port) }
}

@Test func serverNeverStartedReleasesCleanly() throws {
    let server = try HTTPServer(host: "127.0.0.1", port: 0) { _ in .empty() }
    #expect(server.boundPort > 0)
}
