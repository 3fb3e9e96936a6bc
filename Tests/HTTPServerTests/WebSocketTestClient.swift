import Foundation

/// A WebSocket client (RFC 6455) over `RawHTTPClient`, sending masked frames as section 5.3 requires.
final class WebSocketTestClient {
    struct Frame: Equatable {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]

        var text: String { String(decoding: payload, as: UTF8.self) }

        /// The close code and reason of a close frame.
        var close: (code: Int, reason: String)? {
            guard opcode == 0x8, payload.count >= 2 else { return nil }
            return (Int(payload[0]) << 8 | Int(payload[1]), String(decoding: payload.dropFirst(2), as: UTF8.self))
        }
    }

    let http: RawHTTPClient
    let handshake: RawHTTPClient.Response

    /// Connects and sends the opening handshake. `handshake` is the server's response, 101 on success.
    init(port: Int, target: String, headers: [(String, String)] = []) throws {
        http = try RawHTTPClient(port: port)
        var request =
            "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers {
            request += "\(name): \(value)\r\n"
        }
        try http.send(request + "\r\n")
        handshake = try http.readResponse()
    }

    func sendText(_ text: String) throws {
        try sendFrame(opcode: 0x1, payload: Array(text.utf8))
    }

    func sendClose(code: Int, reason: String) throws {
        try sendFrame(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        switch payload.count {
        case 0..<126:
            frame.append(0x80 | UInt8(payload.count))
        case 126...0xFFFF:
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
        }
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try http.send(frame)
    }

    func readFrame() throws -> Frame {
        let head = try http.readExactly(2)
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            let extended = try http.readExactly(2)
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            length = try http.readExactly(8).reduce(0) { $0 << 8 | Int($1) }
        }
        let payload = try http.readExactly(length)
        return Frame(fin: head[0] & 0x80 != 0, opcode: head[0] & 0x0F, payload: payload)
    }
}
