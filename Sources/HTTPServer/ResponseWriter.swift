import CWebSockets

/// One response being written to a connection, a piece per LWS_CALLBACK_HTTP_WRITEABLE.
///
/// The first callback writes the status line and headers (LWS_WRITE_HTTP_HEADERS). Each later one writes up to
/// `chunkSize` body bytes with LWS_WRITE_HTTP, the last piece with LWS_WRITE_HTTP_FINAL. libwebsockets keeps
/// whatever the socket does not take and holds back the next WRITEABLE callback until it has sent it.
struct ResponseWriter {
    enum Step {
        case more
        case finished
        case failed
    }

    static let chunkSize = 16 * 1024

    let status: Int
    /// Header names in lower case, without the colon, as checked by `validate`.
    let headers: [(String, String)]
    let body: [UInt8]
    /// The Content-Length to declare, or nil for statuses that forbid it.
    let contentLength: Int?
    /// Whether to send `connection: close` and close once the response is out.
    let closeAfter: Bool

    private var headersSent = false
    private var offset = 0

    /// Prepares `response` for writing. A HEAD request gets the headers of the response without its body.
    init(_ response: HTTPResponse, isHead: Bool, closeAfter: Bool) {
        status = response.status
        headers = response.headers.map { ($0.0.lowercased(), $0.1) }
        contentLength = response.statusForbidsBody ? nil : response.body.count
        body = response.statusForbidsBody || isHead ? [] : response.body
        self.closeAfter = closeAfter
    }

    /// Returns a description of the first header that cannot be sent, or nil when all can.
    ///
    /// Names must be RFC 9110 tokens and values must not contain CR, LF or NUL, so that no value can end
    /// the header block. Content-Length, Transfer-Encoding and Connection belong to the server.
    static func validate(_ response: HTTPResponse) -> String? {
        guard (100...999).contains(response.status) else { return "status \(response.status) is out of range" }
        for (name, value) in response.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenCharacter) else { return "header name \(name) is invalid" }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                return "header \(name) has a line break in its value"
            }
            let lowered = name.lowercased()
            guard lowered != "content-length", lowered != "transfer-encoding", lowered != "connection" else {
                return "header \(name) is set by the server"
            }
        }
        return nil
    }

    mutating func writeNext(_ wsi: OpaquePointer) -> Step {
        if !headersSent {
            headersSent = true
            guard writeHeaders(wsi) else { return .failed }
            return body.isEmpty ? .finished : .more
        }

        let count = min(Self.chunkSize, body.count - offset)
        let isLast = offset + count == body.count
        let pre = chorus_lws_pre()
        var buffer = [UInt8](repeating: 0, count: pre + count)
        buffer.replaceSubrange(pre..<(pre + count), with: body[offset..<(offset + count)])
        let written = buffer.withUnsafeMutableBufferPointer { pointer in
            lws_write(wsi, pointer.baseAddress! + pre, count, isLast ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP)
        }
        guard written >= 0 else { return .failed }
        offset += count
        return isLast ? .finished : .more
    }

    private func writeHeaders(_ wsi: OpaquePointer) -> Bool {
        var capacity = 512
        for (name, value) in headers {
            capacity += name.utf8.count + value.utf8.count + 4
        }
        let pre = chorus_lws_pre()
        var buffer = [UInt8](repeating: 0, count: pre + capacity)

        return buffer.withUnsafeMutableBufferPointer { pointer in
            let start = pointer.baseAddress! + pre
            let end = pointer.baseAddress! + pointer.count
            var cursor: UnsafeMutablePointer<UInt8>? = start

            guard lws_add_http_header_status(wsi, UInt32(status), &cursor, end) == 0 else { return false }
            for (name, value) in headers {
                guard addHeader(wsi, name, value, &cursor, end) else { return false }
            }
            if let contentLength {
                guard lws_add_http_header_content_length(wsi, lws_filepos_t(contentLength), &cursor, end) == 0 else {
                    return false
                }
            }
            if closeAfter {
                guard addHeader(wsi, "connection", "close", &cursor, end) else { return false }
            }
            return lws_finalize_write_http_header(wsi, start, &cursor, end) == 0
        }
    }

    private func addHeader(
        _ wsi: OpaquePointer, _ name: String, _ value: String, _ cursor: inout UnsafeMutablePointer<UInt8>?,
        _ end: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        // libwebsockets reads the name up to its NUL and expects the colon inside it.
        let nameBytes = Array((name + ":").utf8) + [0]
        let valueBytes = Array(value.utf8)
        return nameBytes.withUnsafeBufferPointer { namePointer in
            valueBytes.withUnsafeBufferPointer { valuePointer in
                lws_add_http_header_by_name(
                    wsi, namePointer.baseAddress, valuePointer.baseAddress ?? namePointer.baseAddress,
                    Int32(valueBytes.count), &cursor, end) == 0
            }
        }
    }

    /// RFC 9110 section 5.6.2 tchar.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
