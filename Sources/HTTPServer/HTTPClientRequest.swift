/// An HTTP/1.1 request sent by `HTTPClient`.
public struct HTTPClientRequest: Sendable {
    /// The request method in upper case, such as GET, POST or DELETE.
    public var method: String
    public var url: ClientURL
    /// Extra request headers. Host is set from `url`, and Content-Length from `body` when the
    /// body is not empty.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, url: ClientURL, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Why an HTTP request or a WebSocket connection made by `HTTPClient` failed.
public enum HTTPClientError: Error, Equatable, CustomStringConvertible {
    case contextCreationFailed
    /// libwebsockets rejected the connection before sending anything, for example for a header
    /// too large for its buffer.
    case connectFailed(String)
    /// The connection closed or failed before the whole response arrived. The text is the cause
    /// libwebsockets reported, when it reported one.
    case connectionFailed(String)
    /// The response body exceeded the client's limit.
    case responseTooLarge(Int)
    case clientStopped

    public var description: String {
        switch self {
        case .contextCreationFailed:
            "libwebsockets failed to create its client context; its log lines above give the cause."
        case .connectFailed(let reason):
            "The connection could not be started: \(reason)."
        case .connectionFailed(let reason):
            "The connection failed before the response was complete: \(reason)."
        case .responseTooLarge(let limit):
            "The response body exceeds \(limit) bytes."
        case .clientStopped:
            "The HTTP client was stopped before the request completed."
        }
    }
}
