import CWebSockets

/// Events of one accepted WebSocket connection (RFC 6455), delivered on the server's service thread.
public protocol WebSocketHandler: AnyObject {
    /// Called once the opening handshake has completed. `send` works from here on.
    func webSocketDidOpen(_ socket: WebSocketConnection)
    /// Called for each complete text message, after all its fragments have arrived.
    func webSocket(_ socket: WebSocketConnection, didReceiveText text: String)
    /// Called once when the connection ends, with the peer's close code and reason, the code passed to `close`,
    /// or 1006 when the connection dropped without a close frame (RFC 6455 section 7.1.5).
    func webSocketDidClose(_ socket: WebSocketConnection, code: Int, reason: String)
}

/// Close codes the server sends itself (RFC 6455 section 7.4.1).
public enum WebSocketCloseCode {
    public static let normal = 1000
    public static let goingAway = 1001
    public static let unsupportedData = 1003
    public static let abnormal = 1006
    public static let invalidPayload = 1007
    public static let policyViolation = 1008
    public static let messageTooBig = 1009
}

/// One server-side WebSocket connection, carrying text messages only.
///
/// `send` and `close` may be called from any thread. Calls from other threads are posted to the service
/// thread, so they take effect after the call returns.
public final class WebSocketConnection: @unchecked Sendable {
    /// The opening handshake request: path, query and headers, with an empty body.
    public let request: HTTPRequest

    let handler: WebSocketHandler
    let maxMessageBytes: Int
    /// Bytes of text waiting to be written before `send` gives up and closes the connection.
    static let maxQueuedBytes = 1 << 20

    // Service-thread state.
    private weak var loop: ServiceLoop?
    var wsi: OpaquePointer?
    var isOpen = false
    var incoming: [UInt8] = []
    var outgoing: [[UInt8]] = []
    var queuedBytes = 0
    /// The close requested by `close`, which the next WRITEABLE callback sends as a close frame.
    var pendingClose: (code: Int, reason: String)?
    /// The close frame received from the peer, if any.
    var peerClose: (code: Int, reason: String)?
    /// Bytes of an oversized message read and thrown away so far; nil while no message is too large.
    var discardedBytes: Int?
    /// How much of an oversized message is read before closing. Closing with unread input makes the
    /// kernel send a reset, which can destroy the close frame before the peer reads it.
    static let maxDiscardBytes = 16 << 20

    init(wsi: OpaquePointer, request: HTTPRequest, handler: WebSocketHandler, maxMessageBytes: Int, loop: ServiceLoop) {
        self.wsi = wsi
        self.request = request
        self.handler = handler
        self.maxMessageBytes = maxMessageBytes
        self.loop = loop
    }

    /// Queues a text message. Messages sent after the connection closed are dropped.
    public func send(text: String) {
        loop?.runOnServiceThread { [self] in
            guard let wsi, pendingClose == nil else { return }
            let bytes = Array(text.utf8)
            guard queuedBytes + bytes.count <= Self.maxQueuedBytes else {
                ServerLog.warning("closing websocket because its send queue is full", ["path": request.path])
                requestClose(code: WebSocketCloseCode.policyViolation, reason: "send queue full")
                return
            }
            outgoing.append(bytes)
            queuedBytes += bytes.count
            if isOpen { lws_callback_on_writable(wsi) }
        }
    }

    /// Starts the closing handshake once queued messages are written. `reason` is cut to the 123 bytes that fit
    /// a close frame.
    public func close(code: Int = WebSocketCloseCode.normal, reason: String = "") {
        loop?.runOnServiceThread { [self] in
            requestClose(code: code, reason: reason)
        }
    }

    func requestClose(code: Int, reason: String) {
        guard let wsi, pendingClose == nil else { return }
        pendingClose = (code, reason)
        lws_callback_on_writable(wsi)
    }
}

/// A path prefix that accepts WebSocket upgrades.
struct WebSocketRoute {
    let pathPrefix: String
    let maxMessageBytes: Int
    let accept: (HTTPRequest) -> WebSocketHandler?

    /// Matches the prefix itself and paths below it: `/ws` matches `/ws` and `/ws/room` but not `/wsx`.
    func matches(_ path: String) -> Bool {
        guard path.hasPrefix(pathPrefix) else { return false }
        return path.count == pathPrefix.count || pathPrefix.hasSuffix("/")
            || path.dropFirst(pathPrefix.count).hasPrefix("/")
    }
}
