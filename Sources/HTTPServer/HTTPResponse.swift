import Foundation

/// An HTTP response returned by a handler.
///
/// The server adds `content-length` itself, except for 1xx, 204 and 304 responses, which are sent without a
/// body (RFC 9110 sections 6.4.1 and 8.6). Header names may use any case, and are sent in lower case.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether this status forbids a body and a `content-length` header.
    var statusForbidsBody: Bool {
        (100..<200).contains(status) || status == 204 || status == 304
    }

    /// Returns a response whose body is `object` serialized with JSONSerialization, keys sorted.
    ///
    /// `object` must be a JSON-compatible value (dictionary, array, string, number, bool or NSNull).
    /// Any other value is a programming error, so the server logs it and sends a 500 instead.
    public static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> HTTPResponse {
        guard JSONSerialization.isValidJSONObject([object]),
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else {
            ServerLog.error("handler returned a value that is not JSON-serializable", ["status": "\(status)"])
            return error(500, code: "internal_error", message: "The server failed to encode its response.")
        }
        return HTTPResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
    }

    /// Returns the error body `{"error":{"code":...,"message":...}}` used by every endpoint.
    public static func error(_ status: Int, code: String, message: String, headers: [(String, String)] = [])
        -> HTTPResponse
    {
        json(status, ["error": ["code": code, "message": message]], headers: headers)
    }

    public static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(text.utf8))
    }

    /// Returns an `application/sdp` response (RFC 4566 section 8.1), as WHIP and WHEP use.
    public static func sdp(_ status: Int, _ sdp: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/sdp")] + headers, body: Array(sdp.utf8))
    }

    /// Returns a response without a body, such as 204 No Content.
    public static func empty(_ status: Int = 204, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers)
    }
}
