/// One rid in a simulcast stream list. A `~` before the rid marks it paused.
public struct SimulcastStream: Equatable, Hashable, Sendable {
    public var rid: String
    public var paused: Bool

    public init(rid: String, paused: Bool = false) {
        self.rid = rid
        self.paused = paused
    }
}

/// The simulcast attribute, `a=simulcast:send <streams> recv <streams>` (RFC 8853 section 5.1).
///
/// Each direction lists streams separated by `;`, and each stream lists alternative rids
/// separated by `,`: `send 1;2,3` is two streams, the second either rid 2 or rid 3.
public struct Simulcast: Equatable, Hashable, Sendable {
    public var send: [[SimulcastStream]]
    public var receive: [[SimulcastStream]]

    public init(send: [[SimulcastStream]] = [], receive: [[SimulcastStream]] = []) {
        self.send = send
        self.receive = receive
    }

    /// Parses the attribute value. The `rid=` prefix of draft versions before RFC 8853
    /// (written by Firefox before version 66) is accepted and dropped.
    static func parse(_ text: String, line: Int?) throws -> Simulcast {
        let fields = text.sdpFields
        guard fields.count == 2 || fields.count == 4 else {
            throw SDPError(
                line: line, "simulcast must be 'send <streams>' and/or 'recv <streams>', got '\(text.excerpt)'")
        }
        var simulcast = Simulcast()
        var seen: Set<Substring> = []
        for pair in stride(from: 0, to: fields.count, by: 2) {
            let direction = fields[pair]
            guard direction == "send" || direction == "recv", seen.insert(direction).inserted else {
                throw SDPError(
                    line: line, "simulcast direction '\(direction.excerpt)' must be send or recv, each at most once")
            }
            let streams = try parseStreams(fields[pair + 1], line: line)
            if direction == "send" {
                simulcast.send = streams
            } else {
                simulcast.receive = streams
            }
        }
        return simulcast
    }

    private static func parseStreams(_ text: Substring, line: Int?) throws -> [[SimulcastStream]] {
        var list = text
        if list.hasPrefix("rid=") { list = list.dropFirst(4) }
        var streams: [[SimulcastStream]] = []
        for stream in list.split(separator: ";", omittingEmptySubsequences: false) {
            var alternatives: [SimulcastStream] = []
            for alternative in stream.split(separator: ",", omittingEmptySubsequences: false) {
                let paused = alternative.hasPrefix("~")
                let rid = paused ? alternative.dropFirst() : alternative
                guard RIDDescription.isValidID(rid) else {
                    throw SDPError(line: line, "simulcast rid '\(alternative.excerpt)' is not a valid rid id")
                }
                alternatives.append(SimulcastStream(rid: String(rid), paused: paused))
            }
            streams.append(alternatives)
        }
        return streams
    }

    var text: String {
        var parts: [String] = []
        if !send.isEmpty { parts.append("send " + Self.text(of: send)) }
        if !receive.isEmpty { parts.append("recv " + Self.text(of: receive)) }
        return parts.joined(separator: " ")
    }

    private static func text(of streams: [[SimulcastStream]]) -> String {
        streams.map { stream in
            stream.map { ($0.paused ? "~" : "") + $0.rid }.joined(separator: ",")
        }.joined(separator: ";")
    }
}
