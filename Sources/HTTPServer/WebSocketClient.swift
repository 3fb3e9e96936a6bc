import CWebSockets

/// Events of one outgoing WebSocket connection (RFC 6455), delivered on the client's service thread.
public protocol WebSocketClientHandler: AnyObject {
    /// Called once the opening handshake has completed.
    func webSocketDidOpen(_ socket: WebSocketClient)
    /// Called for each complete text message, after all its fragments have arrived.
    func webSocket(_ socket: WebSocketClient, didReceiveText text: String)
    /// Called once when the connection ends: with the peer's close code, the code passed to `close`, or 1006
    /// when the connection failed or dropped without a close frame. For a failed handshake `reason` contains
    /// the cause libwebsockets reported.
    func webSocketDidClose(_ socket: WebSocketClient, code: Int, reason: String)
}

/// One client-side WebSocket connection made by `HTTPClient`, carrying text messages only.
///
/// `send` and `close` may be called from any thread. Calls from other threads are posted to the service
/// thread, so they take effect after the call returns. Messages sent before the handshake completes are
/// queued and written once it has.
public final class WebSocketClient: @unchecked Sendable, ClientConnection {
    public let url: ClientURL
    /// The longest message accepted; a longer one closes the connection with 1009.
    public let maxMessageBytes: Int

    private weak var client: HTTPClient?
    private var handler: WebSocketClientHandler?
    let strings = CStringStore()

    // Service-thread state.
    private var wsi: OpaquePointer?
    private var isOpen = false
    private var incoming: [UInt8] = []
    private var outgoing: [[UInt8]] = []
    private var pendingClose: (code: Int, reason: String)?
    private var peerClose: (code: Int, reason: String)?

    init(url: ClientURL, maxMessageBytes: Int, client: HTTPClient, handler: WebSocketClientHandler) {
        self.url = url
        self.maxMessageBytes = maxMessageBytes
        self.client = client
        self.handler = handler
    }

    /// Queues a text message. Messages sent after the connection closed are dropped.
    public func send(text: String) {
        client?.runOnServiceThread { [self] in
            guard handler != nil, pendingClose == nil else { return }
            outgoing.append(Array(text.utf8))
            if isOpen, let wsi { lws_callback_on_writable(wsi) }
        }
    }

    /// Starts the closing handshake once queued messages are written. `reason` is cut to the 123 bytes that fit
    /// a close frame.
    public func close(code: Int = WebSocketCloseCode.normal, reason: String = "") {
        client?.runOnServiceThread { [self] in
            guard handler != nil, pendingClose == nil else { return }
            pendingClose = (code, reason)
            if isOpen, let wsi { lws_callback_on_writable(wsi) }
        }
    }

    func abandon(_ error: HTTPClientError) {
        finish(code: WebSocketCloseCode.abnormal, reason: error.description)
    }

    /// Reports the close to the handler once and drops the reference to it.
    private func finish(code: Int, reason: String) {
        guard let handler else { return }
        self.handler = nil
        isOpen = false
        wsi = nil
        outgoing.removeAll()
        handler.webSocketDidClose(self, code: code, reason: reason)
    }

    func handleCallback(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        let bytes = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length)
        switch reason {
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            self.wsi = wsi
            isOpen = true
            handler?.webSocketDidOpen(self)
            if !outgoing.isEmpty || pendingClose != nil { lws_callback_on_writable(wsi) }
            return 0
        case LWS_CALLBACK_CLIENT_RECEIVE:
            return received(wsi, bytes)
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            return writeable(wsi)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if bytes.count >= 2 {
                peerClose = (Int(bytes[0]) << 8 | Int(bytes[1]), String(decoding: bytes.dropFirst(2), as: UTF8.self))
            } else {
                // RFC 6455 section 7.1.5: a close frame without a code reports 1005.
                peerClose = (1005, "")
            }
            return 0
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let cause = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "no reason given"
            finish(code: WebSocketCloseCode.abnormal, reason: "connection failed: \(cause)")
            return 0
        case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_WSI_DESTROY:
            let close = peerClose ?? pendingClose ?? (WebSocketCloseCode.abnormal, "")
            finish(code: close.code, reason: close.reason)
            return 0
        default:
            return 0
        }
    }

    /// A piece of a frame: the message is complete on the final fragment with no payload left.
    private func received(_ wsi: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        if lws_frame_is_binary(wsi) != 0 {
            return closeNow(wsi, WebSocketCloseCode.unsupportedData, "binary messages are not supported")
        }
        guard incoming.count + bytes.count <= maxMessageBytes else {
            return closeNow(wsi, WebSocketCloseCode.messageTooBig, "message exceeds \(maxMessageBytes) bytes")
        }
        incoming.append(contentsOf: bytes)
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return 0 }

        let message = incoming
        incoming.removeAll(keepingCapacity: true)
        guard let text = String(validating: message, as: UTF8.self) else {
            return closeNow(wsi, WebSocketCloseCode.invalidPayload, "text message is not valid UTF-8")
        }
        handler?.webSocket(self, didReceiveText: text)
        return 0
    }

    /// Sends the close frame once the queue is empty, otherwise one queued message.
    private func writeable(_ wsi: OpaquePointer) -> Int32 {
        if let pendingClose, outgoing.isEmpty {
            return closeNow(wsi, pendingClose.code, pendingClose.reason)
        }
        guard !outgoing.isEmpty else { return 0 }

        let message = outgoing.removeFirst()
        let pre = chorus_lws_pre()
        var buffer = [UInt8](repeating: 0, count: pre + message.count)
        buffer.replaceSubrange(pre..<buffer.count, with: message)
        let written = buffer.withUnsafeMutableBufferPointer { pointer in
            lws_write(wsi, pointer.baseAddress! + pre, message.count, LWS_WRITE_TEXT)
        }
        guard written >= 0 else { return -1 }
        if !outgoing.isEmpty || pendingClose != nil { lws_callback_on_writable(wsi) }
        return 0
    }

    /// Sets the close frame and returns the value that makes libwebsockets send it and close.
    private func closeNow(_ wsi: OpaquePointer, _ code: Int, _ reason: String) -> Int32 {
        if pendingClose == nil { pendingClose = (code, reason) }
        // A close frame payload is at most 125 bytes, two of them the code (RFC 6455 section 5.5).
        var reasonBytes = Array(reason.utf8.prefix(123))
        while String(validating: reasonBytes, as: UTF8.self) == nil {
            reasonBytes.removeLast()
        }
        let status = lws_close_status(rawValue: UInt32(clamping: code))
        reasonBytes.withUnsafeMutableBufferPointer { pointer in
            lws_close_reason(wsi, status, pointer.baseAddress, pointer.count)
        }
        return -1
    }
}
