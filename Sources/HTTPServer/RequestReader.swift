import CWebSockets

/// Reads the request line and headers that libwebsockets has parsed for a connection.
///
/// libwebsockets 4.1 stores each header of its token table under a token index, and percent-decodes the path
/// and query as it parses them. It also stores headers outside that table but offers no way to list them, so
/// only the names in `customHeaderNames` are read among those.
enum RequestReader {
    /// Headers outside libwebsockets' token table that handlers need, with the colon libwebsockets expects.
    static let customHeaderNames = [
        "access-control-request-method:",
        "access-control-request-private-network:",
        "x-forwarded-proto:",
        "x-request-id:",
    ]

    /// Request-line tokens by method. Only one of them is set for a request.
    private static let methodTokens: [(lws_token_indexes, String)] = [
        (WSI_TOKEN_GET_URI, "GET"),
        (WSI_TOKEN_POST_URI, "POST"),
        (WSI_TOKEN_OPTIONS_URI, "OPTIONS"),
        (WSI_TOKEN_PUT_URI, "PUT"),
        (WSI_TOKEN_PATCH_URI, "PATCH"),
        (WSI_TOKEN_DELETE_URI, "DELETE"),
        (WSI_TOKEN_HEAD_URI, "HEAD"),
    ]

    /// Header tokens with their lowercased names, built once from libwebsockets' own table.
    /// Entries whose name does not end in a colon are request-line parts, not headers.
    private static let headerTokens: [(lws_token_indexes, String)] = {
        var tokens: [(lws_token_indexes, String)] = []
        for index in 0..<WSI_TOKEN_COUNT.rawValue {
            let token = lws_token_indexes(rawValue: index)
            guard let name = lws_token_to_string(token) else { continue }
            let text = String(cString: name)
            guard text.count > 1, text.hasSuffix(":"), !text.hasPrefix(":") else { continue }
            tokens.append((token, String(text.dropLast())))
        }
        return tokens
    }()

    static func method(_ wsi: OpaquePointer) -> String? {
        methodTokens.first { lws_hdr_total_length(wsi, $0.0) > 0 }?.1
    }

    /// Returns the request-target path as libwebsockets decoded it, or nil when none was parsed.
    static func path(_ wsi: OpaquePointer) -> String? {
        guard let token = methodTokens.first(where: { lws_hdr_total_length(wsi, $0.0) > 0 })?.0 else { return nil }
        return copyToken(wsi, token)
    }

    static func headers(_ wsi: OpaquePointer) -> [String: String] {
        var headers: [String: String] = [:]
        for (token, name) in headerTokens {
            if let value = copyToken(wsi, token) {
                headers[name] = value
            }
        }
        for name in customHeaderNames {
            if let value = copyCustomHeader(wsi, name) {
                headers[String(name.dropLast())] = value
            }
        }
        return headers
    }

    /// Reads the query. libwebsockets splits it at `&` into fragments of the URI-args token.
    static func query(_ wsi: OpaquePointer) -> [String: String] {
        let totalLength = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS)
        guard totalLength > 0 else { return [:] }

        // No fragment is longer than all fragments together, so one buffer fits each of them.
        var buffer = [CChar](repeating: 0, count: Int(totalLength) + 1)
        var query: [String: String] = [:]
        var index: Int32 = 0
        while true {
            let copied = lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, index)
            guard copied >= 0 else { break }
            index += 1

            let fragment = decode(buffer, count: Int(copied))
            guard !fragment.isEmpty else { continue }
            let parts = fragment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            if query[name] == nil {
                query[name] = value
            }
        }
        return query
    }

    /// Returns the peer's address as text, without reverse DNS.
    static func remoteAddress(_ wsi: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard lws_get_peer_simple(wsi, &buffer, buffer.count) != nil else { return "" }
        return decode(buffer, count: buffer.firstIndex(of: 0) ?? buffer.count)
    }

    /// Reads the declared Content-Length. Returns 0 when absent, nil when it is not a decimal number, and
    /// `Int.max` when it is too large for `Int`.
    static func contentLength(_ wsi: OpaquePointer) -> Int? {
        guard let text = copyToken(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) else { return 0 }
        let trimmed = text.trimmingASCIISpaces()
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(trimmed) ?? Int.max
    }

    static func copyToken(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = lws_hdr_total_length(wsi, token)
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        let copied = lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token)
        guard copied >= 0 else { return nil }
        return decode(buffer, count: Int(copied))
    }

    private static func copyCustomHeader(_ wsi: OpaquePointer, _ name: String) -> String? {
        let nameLength = Int32(name.utf8.count)
        let length = lws_hdr_custom_length(wsi, name, nameLength)
        guard length >= 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        let copied = lws_hdr_custom_copy(wsi, &buffer, Int32(buffer.count), name, nameLength)
        guard copied >= 0 else { return nil }
        return decode(buffer, count: Int(copied))
    }

    /// Decodes bytes copied by libwebsockets as UTF-8, replacing invalid sequences.
    private static func decode(_ buffer: [CChar], count: Int) -> String {
        let bytes = buffer.prefix(min(max(count, 0), buffer.count)).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
