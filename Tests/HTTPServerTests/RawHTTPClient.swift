import Foundation

/// A blocking HTTP/1.1 client over a plain POSIX socket to 127.0.0.1, so tests control every byte sent.
/// Reads time out after 5 seconds, so a server that never responds fails the test instead of hanging it.
final class RawHTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]

        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    enum ClientError: Error {
        case socketFailed(Int32)
        case connectFailed(Int32)
        case sendFailed(Int32)
        case closedBeforeResponse
        case timedOut
        case invalidResponse(String)
    }

    private let descriptor: Int32
    /// Bytes received but not yet consumed by a parsed response.
    private var buffered: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClientError.socketFailed(errno) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let error = errno
            close(descriptor)
            throw ClientError.connectFailed(error)
        }
    }

    deinit {
        close(descriptor)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ClientError.sendFailed(errno) }
            offset += sent
        }
    }

    /// Sends a request with Content-Length set from `body`.
    func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty {
            head += "Content-Length: \(body.count)\r\n"
        }
        try send(Array((head + "\r\n").utf8) + body)
        return try readResponse(method: method)
    }

    /// Reads one response. The body length comes from Content-Length, and HEAD, 204 and 304 responses have none.
    func readResponse(method: String = "GET") throws -> Response {
        let headerEnd = try readUntilHeaderEnd()
        let headText = String(decoding: buffered[..<headerEnd], as: UTF8.self)
        buffered.removeFirst(headerEnd + 4)

        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let statusParts = statusLine.split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw ClientError.invalidResponse(statusLine)
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.invalidResponse(line) }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = value
        }

        var bodyLength = Int(headers["content-length"] ?? "0") ?? 0
        if method == "HEAD" || status == 204 || status == 304 {
            bodyLength = 0
        }
        while buffered.count < bodyLength {
            guard try receiveMore() else { throw ClientError.closedBeforeResponse }
        }
        let body = Array(buffered.prefix(bodyLength))
        buffered.removeFirst(bodyLength)
        return Response(status: status, headers: headers, body: body)
    }

    /// Returns true when the server has closed the connection: a read returns end of file or a reset.
    func waitForClose() throws -> Bool {
        while true {
            do {
                guard try receiveMore() else { return true }
            } catch ClientError.timedOut {
                return false
            } catch ClientError.closedBeforeResponse {
                return true
            }
        }
    }

    /// Half-closes the connection, so the server reads end of file after the bytes already sent.
    func shutdownWrite() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads exactly `count` bytes, for framing protocols spoken after an upgrade.
    func readExactly(_ count: Int) throws -> [UInt8] {
        while buffered.count < count {
            guard try receiveMore() else { throw ClientError.closedBeforeResponse }
        }
        let bytes = Array(buffered.prefix(count))
        buffered.removeFirst(count)
        return bytes
    }

    private func readUntilHeaderEnd() throws -> Int {
        let terminator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        while true {
            if buffered.count >= 4 {
                for index in 0...(buffered.count - 4) where Array(buffered[index..<(index + 4)]) == terminator {
                    return index
                }
            }
            guard try receiveMore() else { throw ClientError.closedBeforeResponse }
        }
    }

    /// Appends whatever the socket has received. Returns false at end of file.
    private func receiveMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if received < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timedOut }
            if errno == ECONNRESET { throw ClientError.closedBeforeResponse }
            throw ClientError.invalidResponse("recv failed with errno \(errno)")
        }
        buffered.append(contentsOf: chunk.prefix(received))
        return received > 0
    }
}
