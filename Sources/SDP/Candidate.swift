/// An ICE candidate attribute (RFC 8839 section 5.1):
///
///     a=candidate:<foundation> <component-id> <transport> <priority> <address> <port>
///                 typ <cand-type> [raddr <address>] [rport <port>] *(<extension-name> <value>)
///
/// `tcptype` (RFC 6544 section 4.5) is parsed into `tcpType`; other extensions such as
/// `generation` and `network-id` stay in `extensions` in their original order.
public struct Candidate: Equatable, Hashable, Sendable {
    public enum Kind: Equatable, Hashable, Sendable {
        case host
        case serverReflexive
        case peerReflexive
        case relayed
        case other(String)

        init(_ text: String) {
            switch text.lowercased() {
            case "host": self = .host
            case "srflx": self = .serverReflexive
            case "prflx": self = .peerReflexive
            case "relay": self = .relayed
            default: self = .other(text)
            }
        }

        var text: String {
            switch self {
            case .host: return "host"
            case .serverReflexive: return "srflx"
            case .peerReflexive: return "prflx"
            case .relayed: return "relay"
            case .other(let text): return text
            }
        }
    }

    /// The connection role of a TCP candidate (RFC 6544 section 4.5).
    public enum TCPType: String, Equatable, Hashable, Sendable {
        case active
        case passive
        case simultaneousOpen = "so"
    }

    /// A name-value pair after the standard candidate fields.
    public struct Extension: Equatable, Hashable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var foundation: String
    public var component: Int
    /// The transport as written, usually `udp` or `tcp`; compare case-insensitively.
    public var transport: String
    public var priority: UInt32
    /// An IP address literal or, for mDNS candidates, a `.local` host name.
    public var address: String
    public var port: Int
    public var kind: Kind
    public var relatedAddress: String?
    public var relatedPort: Int?
    public var tcpType: TCPType?
    public var extensions: [Extension]

    public init(
        foundation: String, component: Int = 1, transport: String, priority: UInt32, address: String, port: Int,
        kind: Kind = .host, relatedAddress: String? = nil, relatedPort: Int? = nil, tcpType: TCPType? = nil,
        extensions: [Extension] = []
    ) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.kind = kind
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.extensions = extensions
    }

    public var isUDP: Bool { transport.lowercased() == "udp" }
    public var isTCP: Bool { transport.lowercased() == "tcp" }

    /// Parses the value of `a=candidate:`. A leading `candidate:` is also accepted, as
    /// trickled candidates carry it (RFC 8840 section 4.4).
    public static func parse(_ value: String, line: Int? = nil) throws -> Candidate {
        var text = Substring(value).trimmedSDP
        if text.hasPrefix("candidate:") { text = text.dropFirst("candidate:".count) }
        let fields = text.sdpFields
        guard fields.count >= 8, fields[6] == "typ" else {
            throw SDPError(
                line: line, "candidate must have at least 8 fields ending in 'typ <type>', got '\(value.excerpt)'")
        }
        guard let component = parseDecimal(fields[1], maximum: 256), component >= 1 else {
            throw SDPError(line: line, "candidate component id '\(fields[1].excerpt)' is not a number from 1 to 256")
        }
        guard let priority = parseDecimal(fields[3], maximum: Int(UInt32.max)) else {
            throw SDPError(line: line, "candidate priority '\(fields[3].excerpt)' is not a 32-bit unsigned number")
        }
        guard let port = parseDecimal(fields[5], maximum: 65535) else {
            throw SDPError(line: line, "candidate port '\(fields[5].excerpt)' is not a number from 0 to 65535")
        }
        var candidate = Candidate(
            foundation: String(fields[0]), component: component, transport: String(fields[2]),
            priority: UInt32(priority), address: String(fields[4]), port: port, kind: Kind(String(fields[7])))

        // The rest are name-value pairs; a trailing name without a value is rejected.
        var index = 8
        while index < fields.count {
            guard index + 1 < fields.count else {
                throw SDPError(line: line, "candidate extension '\(fields[index].excerpt)' has no value")
            }
            let name = String(fields[index])
            let extensionValue = String(fields[index + 1])
            switch name {
            case "raddr":
                candidate.relatedAddress = extensionValue
            case "rport":
                guard let relatedPort = parseDecimal(extensionValue, maximum: 65535) else {
                    throw SDPError(line: line, "candidate rport '\(extensionValue.excerpt)' is not a port number")
                }
                candidate.relatedPort = relatedPort
            case "tcptype":
                guard let tcpType = TCPType(rawValue: extensionValue.lowercased()) else {
                    throw SDPError(
                        line: line, "candidate tcptype '\(extensionValue.excerpt)' is not active, passive or so")
                }
                candidate.tcpType = tcpType
            default:
                candidate.extensions.append(Extension(name: name, value: extensionValue))
            }
            index += 2
        }
        return candidate
    }

    /// The value of `a=candidate:`, without the `candidate:` prefix.
    public var attributeValue: String {
        var text = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(kind.text)"
        if let relatedAddress { text += " raddr \(relatedAddress)" }
        if let relatedPort { text += " rport \(relatedPort)" }
        if let tcpType { text += " tcptype \(tcpType.rawValue)" }
        for item in extensions { text += " \(item.name) \(item.value)" }
        return text
    }
}
