import CWebSockets

/// State of the HTTP transaction in progress on one connection. Keep-alive reuses the object.
final class HTTPConnection {
    /// The request whose body is being read, until it goes to the handler.
    var request: HTTPRequest?
    /// The response waiting for or in the middle of WRITEABLE callbacks.
    var response: ResponseWriter?
    /// Set after a 413: body bytes still arriving are counted and dropped, and the connection closes once
    /// both the body and the response are done.
    var discardingBody = false
    var discardedBytes = 0
    var bodyComplete = false
    var responseComplete = false
}

extension ServiceLoop {
    /// LWS_CALLBACK_HTTP: the request line and headers are parsed, but the body, if any, has not been read.
    func httpRequestStarted(_ wsi: OpaquePointer) -> Int32 {
        let connection = HTTPConnection()
        connections[wsi] = connection

        guard let method = RequestReader.method(wsi), let path = RequestReader.path(wsi) else {
            return respond(
                wsi, connection, .error(501, code: "not_implemented", message: "The method is not supported."),
                isHead: false, closeAfter: true)
        }
        let request = HTTPRequest(
            method: method, path: path, query: RequestReader.query(wsi), headers: RequestReader.headers(wsi),
            remoteAddress: RequestReader.remoteAddress(wsi))

        // libwebsockets 4.1 does not decode chunked request bodies, so a body must come with a Content-Length.
        if request.headers["transfer-encoding"] != nil {
            let response = HTTPResponse.error(
                411, code: "length_required", message: "Send the request body with a Content-Length header.")
            return respond(wsi, connection, response, isHead: false, closeAfter: true)
        }
        guard let contentLength = RequestReader.contentLength(wsi) else {
            let response = HTTPResponse.error(
                400, code: "invalid_content_length", message: "The Content-Length header is not a decimal number.")
            return respond(wsi, connection, response, isHead: false, closeAfter: true)
        }
        if contentLength > maxBodyBytes {
            // Draining a body too large to discard in reasonable time is pointless, so close right after the 413.
            connection.discardingBody = contentLength <= Self.maxDiscardedBodyBytes
            return respond(wsi, connection, tooLargeResponse(), isHead: false, closeAfter: true)
        }
        if contentLength == 0 {
            return dispatch(wsi, connection, request)
        }

        var pending = request
        pending.body.reserveCapacity(contentLength)
        connection.request = pending
        return 0
    }

    /// LWS_CALLBACK_HTTP_BODY: one piece of the body, at most the declared Content-Length in total.
    func httpBodyReceived(_ wsi: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let connection = connections[wsi] else { return -1 }
        if connection.discardingBody {
            connection.discardedBytes += bytes.count
            // A client that keeps sending far past the limit is not waiting for the 413, so stop reading.
            return connection.discardedBytes > Self.maxDiscardedBodyBytes ? -1 : 0
        }
        guard var request = connection.request else { return 0 }
        guard request.body.count + bytes.count <= maxBodyBytes else {
            connection.request = nil
            connection.discardingBody = true
            return respond(wsi, connection, tooLargeResponse(), isHead: false, closeAfter: true)
        }
        connection.request = nil  // Keeps the body array uniquely referenced while it grows.
        request.body.append(contentsOf: bytes)
        connection.request = request
        return 0
    }

    /// LWS_CALLBACK_HTTP_BODY_COMPLETION: the whole declared body has arrived.
    func httpBodyCompleted(_ wsi: OpaquePointer) -> Int32 {
        guard let connection = connections[wsi] else { return -1 }
        connection.bodyComplete = true
        if connection.discardingBody {
            return connection.responseComplete ? -1 : 0
        }
        guard let request = connection.request else { return 0 }
        connection.request = nil
        return dispatch(wsi, connection, request)
    }

    /// LWS_CALLBACK_HTTP_WRITEABLE: writes the next piece of the pending response.
    func httpWriteable(_ wsi: OpaquePointer) -> Int32 {
        guard let connection = connections[wsi], var writer = connection.response else { return 0 }
        switch writer.writeNext(wsi) {
        case .failed:
            return -1
        case .more:
            connection.response = writer
            lws_callback_on_writable(wsi)
            return 0
        case .finished:
            connection.response = nil
            connection.responseComplete = true
            if connection.discardingBody {
                // Closing with unread body bytes in the socket would make the kernel send a reset, which can
                // destroy the 413 before the client reads it. Wait for the rest of the body instead.
                return connection.bodyComplete ? -1 : 0
            }
            if writer.closeAfter {
                return -1
            }
            // Nonzero means the client asked to close (HTTP/1.0 or Connection: close).
            return lws_http_transaction_completed(wsi) == 0 ? 0 : -1
        }
    }

    /// Bytes of an oversized body read and dropped after a 413 before the connection is cut.
    static let maxDiscardedBodyBytes = 16 << 20

    private func tooLargeResponse() -> HTTPResponse {
        .error(
            413, code: "request_too_large", message: "The request body exceeds the limit of \(maxBodyBytes) bytes.")
    }

    private func dispatch(_ wsi: OpaquePointer, _ connection: HTTPConnection, _ request: HTTPRequest) -> Int32 {
        var response = handler(request)
        if let problem = ResponseWriter.validate(response) {
            ServerLog.error(
                "handler returned an invalid response",
                ["problem": problem, "method": request.method, "path": request.path])
            response = .error(500, code: "internal_error", message: "The server produced an invalid response.")
        }
        return respond(wsi, connection, response, isHead: request.method == "HEAD", closeAfter: false)
    }

    private func respond(
        _ wsi: OpaquePointer, _ connection: HTTPConnection, _ response: HTTPResponse, isHead: Bool, closeAfter: Bool
    ) -> Int32 {
        connection.response = ResponseWriter(response, isHead: isHead, closeAfter: closeAfter)
        lws_callback_on_writable(wsi)
        return 0
    }
}
