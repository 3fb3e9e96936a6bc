import Foundation
import Testing

@testable import HTTPServer

/// Records WebSocket events and replies: "echo" to each text, and closes on "close:<code>:<reason>".
final class RecordingHandler: WebSocketHandler, @unchecked Sendable {
    enum Event: Equatable {
        case open(path: String, query: [String: String])
        case text(String)
        case close(code: Int, reason: String)
    }

    private let lock = NSLock()
    private var recorded: [Event] = []
    let closed = DispatchSemaphore(value: 0)
    var onOpen: ((WebSocketConnection) -> Void)?

    var events: [Event] { lock.withLock { recorded } }

    func webSocketDidOpen(_ socket: WebSocketConnection) {
        lock.withLock { recorded.append(.open(path: socket.request.path, query: socket.request.query)) }
        onOpen?(socket)
    }

    func webSocket(_ socket: WebSocketConnection, didReceiveText text: String) {
        lock.withLock { recorded.append(.text(text)) }
        let parts = text.split(separator: ":", maxSplits: 2)
        if parts.count == 3, parts[0] == "close", let code = Int(parts[1]) {
            socket.close(code: code, reason: String(parts[2]))
        } else if text.hasPrefix("big") {
            socket.send(text: String(repeating: "z", count: 200_000))
        } else {
            socket.send(text: "echo " + text)
        }
    }

    func webSocketDidClose(_ socket: WebSocketConnection, code: Int, reason: String) {
        lock.withLock { recorded.append(.close(code: code, reason: reason)) }
        closed.signal()
    }
}

private func startWebSocketServer(
    maxMessageBytes: Int = 64 << 10, accept: @escaping (HTTPRequest) -> Bool = { _ in true }
) throws -> (HTTPServer, RecordingHandler) {
    let handler = RecordingHandler()
    let server = try HTTPServer(host: "127.0.0.1", port: 0) { request in .text(200, "http \(request.path)") }
    server.onWebSocket(path: "/ws", maxMessageBytes: maxMessageBytes) { request in
        accept(request) ? handler : nil
    }
    server.start()
    return (server, handler)
}

@Test func webSocketEchoesAndReportsPeerClose() throws {
    let (server, handler) = try startWebSocketServer()
    defer { server.stop() }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws/room1?access_token=abc")

    #expect(client.handshake.status == 101)
    try client.sendText("hello")
    let reply = try client.readFrame()
    try client.sendClose(code: 1000, reason: "bye")
    let closeReply = try client.readFrame()

    #expect(reply == .init(fin: true, opcode: 0x1, payload: Array("echo hello".utf8)))
    #expect(closeReply.opcode == 0x8)
    #expect(handler.closed.wait(timeout: .now() + 5) == .success)
    #expect(
        handler.events == [
            .open(path: "/ws/room1", query: ["access_token": "abc"]), .text("hello"), .close(code: 1000, reason: "bye"),
        ])
}

@Test func webSocketServerCloseSendsCodeAndReason() throws {
    let (server, handler) = try startWebSocketServer()
    defer { server.stop() }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")

    try client.sendText("close:4001:kicked by admin")
    let frame = try client.readFrame()

    #expect(frame.close?.code == 4001)
    #expect(frame.close?.reason == "kicked by admin")
    #expect(handler.closed.wait(timeout: .now() + 5) == .success)
    #expect(handler.events.last == .close(code: 4001, reason: "kicked by admin"))
}

@Test func webSocketFragmentedMessageArrivesWhole() throws {
    let (server, handler) = try startWebSocketServer()
    defer { server.stop() }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")

    try client.sendFrame(opcode: 0x1, payload: Array("frag".utf8), fin: false)
    try client.sendFrame(opcode: 0x0, payload: Array("ment".utf8), fin: false)
    try client.sendFrame(opcode: 0x0, payload: Array("ed".utf8), fin: true)
    let reply = try client.readFrame()

    #expect(reply.text == "echo fragmented")
    #expect(handler.events.contains(.text("fragmented")))
}

@Test func webSocketLargeMessagesBothWays() throws {
    let (server, handler) = try startWebSocketServer()
    defer { server.stop() }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")
    let large = "big" + String(repeating: "é", count: 30_000)

    try client.sendText(large)
    let reply = try client.readFrame()

    #expect(handler.events.contains(.text(large)))
    #expect(reply.payload.count == 200_000)
    #expect(reply.payload.allSatisfy { $0 == UInt8(ascii: "z") })
}

@Test func webSocketMessageOverLimitCloses1009() throws {
    let (server, handler) = try startWebSocketServer(maxMessageBytes: 100)
    defer { server.stop() }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")

    try client.sendText(String(repeating: "x", count: 101))
    let frame = try client.readFrame()

    #expect(frame.close?.code == 1009)
    #expect(handler.closed.wait(timeout: .now() + 5) == .success)
    #expect(handler.events.last == .close(code: 1009, reason: "message exceeds 100 bytes"))
}

@Test func webSocketBinaryMessageCloses1003() throws {
    let (server, _) = try startWebSocketServer()
    defer { server.stop() }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")

    try client.sendFrame(opcode: 0x2, payload: [1, 2, 3])
    let frame = try client.readFrame()

    #expect(frame.close?.code == 1003)
}

@Test func webSocketInvalidUTF8Closes1007() throws {
    let (server, handler) = try startWebSocketServer()
    defer { server.stop() }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")

    try client.sendFrame(opcode: 0x1, payload: [0x68, 0xC3, 0x28])
    let frame = try client.readFrame()

    #expect(frame.close?.code == 1007)
    #expect(!handler.events.contains { if case .text = $0 { true } else { false } })
}

@Test(arguments: ["/other", "/wsx", "/"])
func webSocketUnknownPathIsRejected(_ path: String) throws {
    let (server, handler) = try startWebSocketServer()
    defer { server.stop() }

    let client = try? WebSocketTestClient(port: server.boundPort, target: path)

    #expect(client?.handshake.status != 101)
    #expect(handler.events.isEmpty)
}

@Test func webSocketAcceptReturningNilRejects() throws {
    let (server, handler) = try startWebSocketServer { request in request.query["access_token"] == "good" }
    defer { server.stop() }

    let rejected = try? WebSocketTestClient(port: server.boundPort, target: "/ws?access_token=bad")
    let accepted = try WebSocketTestClient(port: server.boundPort, target: "/ws?access_token=good")

    try accepted.sendText("hi")
    let reply = try accepted.readFrame()

    #expect(rejected?.handshake.status != 101)
    #expect(accepted.handshake.status == 101)
    #expect(reply.text == "echo hi")
    #expect(handler.events == [.open(path: "/ws", query: ["access_token": "good"]), .text("hi")])
}

@Test func webSocketSendFromAnotherThread() throws {
    let (server, handler) = try startWebSocketServer()
    defer { server.stop() }
    let opened = DispatchSemaphore(value: 0)
    nonisolated(unsafe) weak var socket: WebSocketConnection?
    handler.onOpen = { connection in
        socket = connection
        opened.signal()
    }
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")
    #expect(opened.wait(timeout: .now() + 5) == .success)

    let connection = try #require(socket)
    DispatchQueue.global().async { connection.send(text: "from elsewhere") }
    let frame = try client.readFrame()

    #expect(frame.text == "from elsewhere")
}

@Test func webSocketAndHTTPShareTheServer() throws {
    let (server, _) = try startWebSocketServer()
    defer { server.stop() }
    let socket = try WebSocketTestClient(port: server.boundPort, target: "/ws")

    let response = try RawHTTPClient(port: server.boundPort).request("GET", "/ws/not-upgraded")
    try socket.sendText("still here")

    #expect(response.bodyText == "http /ws/not-upgraded")
    #expect(try socket.readFrame().text == "echo still here")
}

@Test func stopReportsCloseToOpenWebSockets() throws {
    let (server, handler) = try startWebSocketServer()
    let client = try WebSocketTestClient(port: server.boundPort, target: "/ws")
    try client.sendText("ping")
    _ = try client.readFrame()

    server.stop()

    #expect(handler.closed.wait(timeout: .now() + 5) == .success)
    #expect(handler.events.last == .close(code: 1001, reason: "server stopping"))
    #expect(try client.readFrame().close?.code == 1001)
}

@Test func routeMatchesAtSegmentBoundary() {
    let route = WebSocketRoute(pathPrefix: "/ws", maxMessageBytes: 1) { _ in nil }
    let slashRoute = WebSocketRoute(pathPrefix: "/signal/", maxMessageBytes: 1) { _ in nil }

    #expect(route.matches("/ws"))
    #expect(route.matches("/ws/room"))
    #expect(!route.matches("/wsx"))
    #expect(!route.matches("/w"))
    #expect(slashRoute.matches("/signal/abc"))
    #expect(!slashRoute.matches("/signal"))
}
