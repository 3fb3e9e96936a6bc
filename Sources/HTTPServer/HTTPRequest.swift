/// An HTTP/1.1 request as passed to the handler, with the body already read in full.
public struct HTTPRequest: Sendable {
    /// The request method in upper case: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.
    public var method: String
    /// The percent-decoded path without the query string. libwebsockets also collapses `//`, `/./` and `/../`.
    public var path: String
    /// Query parameters, percent-decoded, with `+` read as a space. A repeated name keeps its first value.
    public var query: [String: String]
    /// Header values by lowercased name. A header sent more than once has its values joined as libwebsockets
    /// joins them.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The peer's IP address, without the port.
    public var remoteAddress: String

    public init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
        body: [UInt8] = [], remoteAddress: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// Returns the value of the header `name`, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The body decoded as UTF-8, or nil if it is not valid UTF-8.
    public var bodyText: String? {
        String(validating: body, as: UTF8.self)
    }
}
