/// An `http://` or `ws://` URL split into the parts a libwebsockets client connection takes
/// (RFC 3986 section 3). TLS (`https`, `wss`) is not supported.
public struct ClientURL: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The path with its query string, starting with `/`.
    public var pathAndQuery: String

    public init(host: String, port: Int, pathAndQuery: String = "/") {
        self.host = host
        self.port = port
        self.pathAndQuery = pathAndQuery.hasPrefix("/") ? pathAndQuery : "/" + pathAndQuery
    }

    /// Parses `scheme://host[:port][/path][?query]` with scheme `http` or `ws`. An IPv6 literal
    /// host is written in brackets. Returns nil for other schemes, a missing host or a bad port.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("http://") {
            rest = text.dropFirst("http://".count)
        } else if lowered.hasPrefix("ws://") {
            rest = text.dropFirst("ws://".count)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterHost = authority[authority.index(after: close)...]
            if afterHost.hasPrefix(":") { portText = afterHost.dropFirst() } else if !afterHost.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port = 80
        if let portText {
            guard let parsed = Int(portText), (1...65535).contains(parsed) else { return nil }
            port = parsed
        }
        self.init(host: String(host), port: port, pathAndQuery: path)
    }

    /// The value of the Host header (RFC 9110 section 7.2).
    public var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? bracketed : "\(bracketed):\(port)"
    }

    /// Returns this URL with its path and query replaced by `pathAndQuery`.
    public func replacingPath(_ pathAndQuery: String) -> ClientURL {
        ClientURL(host: host, port: port, pathAndQuery: pathAndQuery)
    }

    public var description: String {
        "http://\(hostHeader)\(pathAndQuery)"
    }
}
