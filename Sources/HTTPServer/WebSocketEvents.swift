import CWebSockets

/// The libwebsockets callbacks of WebSocket connections (RFC 6455), all on the service thread.
extension ServiceLoop {
    /// LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: the upgrade request has arrived. Nonzero rejects it, and
    /// libwebsockets then closes the connection without an HTTP response.
    func webSocketFilter(_ wsi: OpaquePointer) -> Int32 {
        guard let path = RequestReader.copyToken(wsi, WSI_TOKEN_GET_URI), let route = webSocketRoute(for: path) else {
            return -1
        }
        let request = HTTPRequest(
            method: "GET", path: path, query: RequestReader.query(wsi), headers: RequestReader.headers(wsi),
            remoteAddress: RequestReader.remoteAddress(wsi))
        guard let handler = route.accept(request) else { return -1 }

        sockets[wsi] = WebSocketConnection(
            wsi: wsi, request: request, handler: handler, maxMessageBytes: route.maxMessageBytes, loop: self)
        return 0
    }

    /// LWS_CALLBACK_ESTABLISHED: the handshake response has been sent.
    func webSocketEstablished(_ wsi: OpaquePointer) -> Int32 {
        guard let socket = sockets[wsi] else { return -1 }
        socket.isOpen = true
        socket.handler.webSocketDidOpen(socket)
        if !socket.outgoing.isEmpty || socket.pendingClose != nil {
            lws_callback_on_writable(wsi)
        }
        return 0
    }

    /// LWS_CALLBACK_RECEIVE: a piece of a frame. A message may span frames and a frame may span callbacks;
    /// the message is complete on the final fragment with no payload left.
    func webSocketReceived(_ wsi: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let socket = sockets[wsi] else { return -1 }
        guard socket.pendingClose == nil else { return 0 }
        if lws_frame_is_binary(wsi) != 0 {
            return closeNow(wsi, socket, WebSocketCloseCode.unsupportedData, "binary messages are not supported")
        }
        let isMessageEnd = lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0
        if let discarded = socket.discardedBytes {
            // The rest of an oversized message: read it out, then close once it has all arrived.
            socket.discardedBytes = discarded + bytes.count
            guard isMessageEnd || discarded + bytes.count > WebSocketConnection.maxDiscardBytes else { return 0 }
            return closeNow(
                wsi, socket, WebSocketCloseCode.messageTooBig, "message exceeds \(socket.maxMessageBytes) bytes")
        }
        guard socket.incoming.count + bytes.count <= socket.maxMessageBytes else {
            socket.incoming.removeAll()
            socket.discardedBytes = bytes.count
            guard isMessageEnd else { return 0 }
            return closeNow(
                wsi, socket, WebSocketCloseCode.messageTooBig, "message exceeds \(socket.maxMessageBytes) bytes")
        }
        socket.incoming.append(contentsOf: bytes)
        guard isMessageEnd else { return 0 }

        let message = socket.incoming
        socket.incoming.removeAll(keepingCapacity: true)
        // LWS_SERVER_OPTION_VALIDATE_UTF8 makes libwebsockets close on invalid text first, so this is a second check.
        guard let text = String(validating: message, as: UTF8.self) else {
            return closeNow(wsi, socket, WebSocketCloseCode.invalidPayload, "text message is not valid UTF-8")
        }
        socket.handler.webSocket(socket, didReceiveText: text)
        return 0
    }

    /// LWS_CALLBACK_SERVER_WRITEABLE: sends the close frame if one is pending, otherwise one queued message.
    func webSocketWriteable(_ wsi: OpaquePointer) -> Int32 {
        guard let socket = sockets[wsi] else { return 0 }
        if let pendingClose = socket.pendingClose, socket.outgoing.isEmpty {
            return closeNow(wsi, socket, pendingClose.code, pendingClose.reason)
        }
        guard !socket.outgoing.isEmpty else { return 0 }

        let message = socket.outgoing.removeFirst()
        socket.queuedBytes -= message.count
        let pre = chorus_lws_pre()
        var buffer = [UInt8](repeating: 0, count: pre + message.count)
        buffer.replaceSubrange(pre..<buffer.count, with: message)
        let written = buffer.withUnsafeMutableBufferPointer { pointer in
            lws_write(wsi, pointer.baseAddress! + pre, message.count, LWS_WRITE_TEXT)
        }
        guard written >= 0 else { return -1 }
        if !socket.outgoing.isEmpty || socket.pendingClose != nil {
            lws_callback_on_writable(wsi)
        }
        return 0
    }

    /// LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: the peer's close frame payload, a 2-byte code then a UTF-8 reason.
    func webSocketPeerClosing(_ wsi: OpaquePointer, _ payload: UnsafeRawBufferPointer) {
        guard let socket = sockets[wsi] else { return }
        guard payload.count >= 2 else {
            // RFC 6455 section 7.1.5: a close frame without a code reports 1005.
            socket.peerClose = (1005, "")
            return
        }
        let code = Int(payload[0]) << 8 | Int(payload[1])
        let reason = String(decoding: payload.dropFirst(2), as: UTF8.self)
        socket.peerClose = (code, reason)
    }

    /// LWS_CALLBACK_CLOSED or LWS_CALLBACK_WSI_DESTROY: reports the close to the handler once.
    func webSocketClosed(_ wsi: OpaquePointer) {
        guard let socket = sockets.removeValue(forKey: wsi) else { return }
        socket.wsi = nil
        socket.outgoing.removeAll()
        if isDraining && sockets.isEmpty {
            requestStop()
        }
        guard socket.isOpen else { return }
        socket.isOpen = false
        // Connections still open when the context is destroyed get no close frame, but the handler gets 1001.
        let dropped =
            isShuttingDown ? (WebSocketCloseCode.goingAway, "server stopping") : (WebSocketCloseCode.abnormal, "")
        let close = socket.peerClose ?? socket.pendingClose ?? dropped
        socket.handler.webSocketDidClose(socket, code: close.code, reason: close.reason)
    }

    /// Sets the close frame and returns the value that makes libwebsockets send it and close.
    private func closeNow(_ wsi: OpaquePointer, _ socket: WebSocketConnection, _ code: Int, _ reason: String) -> Int32 {
        if socket.pendingClose == nil {
            socket.pendingClose = (code, reason)
        }
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
