import CWebSockets

/// One HTTP/1.1 request and its response on a connection of its own, on the client's service thread.
///
/// The connection is closed once the response is complete, so no state carries over between requests.
final class HTTPClientTransaction: ClientConnection {
    private let request: HTTPClientRequest
    private let maxResponseBytes: Int
    private var completion: ((Result<HTTPResponse, HTTPClientError>) -> Void)?
    let strings = CStringStore()

    private var status = 0
    private var headers: [(String, String)] = []
    private var body: [UInt8] = []
    /// Set once the body has been handed to libwebsockets, which writes what the socket does not take at once.
    private var bodySent = false

    /// Response headers read into `HTTPResponse.headers`, with their names in lower case.
    private static let responseHeaders: [(lws_token_indexes, String)] = [
        (WSI_TOKEN_HTTP_CONTENT_TYPE, "content-type"),
        (WSI_TOKEN_HTTP_LOCATION, "location"),
        (WSI_TOKEN_HTTP_ETAG, "etag"),
        (WSI_TOKEN_HTTP_LINK, "link"),
    ]

    init(
        request: HTTPClientRequest, maxResponseBytes: Int,
        completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void
    ) {
        self.request = request
        self.maxResponseBytes = maxResponseBytes
        self.completion = completion
    }

    func abandon(_ error: HTTPClientError) {
        finish(.failure(error))
    }

    private func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }

    func handleCallback(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        switch reason {
        case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
            return appendHeaders(wsi, input, length)
        case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
            return writeBody(wsi)
        case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
            status = Int(lws_http_client_http_response(wsi))
            for (token, name) in Self.responseHeaders {
                if let value = RequestReader.copyToken(wsi, token) { headers.append((name, value)) }
            }
            return 0
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
            return readPending(wsi)
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
            guard body.count + length <= maxResponseBytes else {
                finish(.failure(.responseTooLarge(maxResponseBytes)))
                return -1
            }
            if let input { body.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length)) }
            return 0
        case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
            finish(.success(HTTPResponse(status: status, headers: headers, body: body)))
            // Nonzero closes the connection, so no idle keep-alive connection stays behind.
            return -1
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let reason = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "no reason given"
            finish(.failure(.connectionFailed(reason)))
            return 0
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP, LWS_CALLBACK_WSI_DESTROY:
            finish(.failure(.connectionFailed("the server closed the connection")))
            return 0
        default:
            return 0
        }
    }

    /// Adds the caller's headers and, for a body, Content-Length, then asks for a WRITEABLE callback to send it.
    /// `input` points at the write cursor and `length` is the space left behind it.
    private func appendHeaders(_ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        guard let input else { return -1 }
        let cursor = input.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
        guard let start = cursor.pointee else { return -1 }
        let end = start + length
        var headerList = request.headers
        if !request.body.isEmpty { headerList.append(("content-length", String(request.body.count))) }
        for (name, value) in headerList {
            let added = addHeader(wsi, name: name.lowercased() + ":", value: value, cursor: cursor, end: end)
            guard added else {
                finish(.failure(.connectFailed("request header \(name) does not fit the libwebsockets header buffer")))
                return -1
            }
        }
        if !request.body.isEmpty {
            lws_client_http_body_pending(wsi, 1)
            lws_callback_on_writable(wsi)
        }
        return 0
    }

    private func addHeader(
        _ wsi: OpaquePointer, name: String, value: String, cursor: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
        end: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        let nameBytes = Array(name.utf8) + [0]
        let valueBytes = Array(value.utf8)
        return valueBytes.withUnsafeBufferPointer { valuePointer in
            lws_add_http_header_by_name(
                wsi, nameBytes, valuePointer.baseAddress, Int32(valueBytes.count), cursor, end) == 0
        }
    }

    private func writeBody(_ wsi: OpaquePointer) -> Int32 {
        guard !bodySent else { return 0 }
        bodySent = true
        let pre = chorus_lws_pre()
        var buffer = [UInt8](repeating: 0, count: pre + request.body.count)
        buffer.replaceSubrange(pre..<buffer.count, with: request.body)
        let written = buffer.withUnsafeMutableBufferPointer { pointer in
            lws_write(wsi, pointer.baseAddress! + pre, request.body.count, LWS_WRITE_HTTP_FINAL)
        }
        lws_client_http_body_pending(wsi, 0)
        return written < 0 ? -1 : 0
    }

    /// Pulls the body bytes libwebsockets has buffered; it hands them over through RECEIVE_CLIENT_HTTP_READ.
    private func readPending(_ wsi: OpaquePointer) -> Int32 {
        let pre = chorus_lws_pre()
        var buffer = [UInt8](repeating: 0, count: pre + 4096)
        return buffer.withUnsafeMutableBufferPointer { pointer -> Int32 in
            var start: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(pointer.baseAddress! + pre)
                .assumingMemoryBound(to: CChar.self)
            var available = Int32(4096)
            return lws_http_client_read(wsi, &start, &available) < 0 ? -1 : 0
        }
    }
}
