/// A source-specific attribute, `a=ssrc:<ssrc-id> <attribute>[:<value>]` (RFC 5576 section 4.1),
/// for example `a=ssrc:1001 cname:user@host`.
public struct SSRCAttribute: Equatable, Hashable, Sendable {
    public var ssrc: UInt32
    public var name: String
    public var value: String?

    public init(ssrc: UInt32, name: String, value: String? = nil) {
        self.ssrc = ssrc
        self.name = name
        self.value = value
    }

    static func parse(_ text: String, line: Int?) throws -> SSRCAttribute {
        let trimmed = text.trimmedSDP
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            throw SDPError(line: line, "ssrc must be '<ssrc> <attribute>[:<value>]', got '\(text.excerpt)'")
        }
        let ssrcText = trimmed[..<space]
        guard let ssrc = parseDecimal(ssrcText, maximum: Int(UInt32.max)) else {
            throw SDPError(line: line, "ssrc '\(ssrcText.excerpt)' is not a 32-bit unsigned number")
        }
        let attribute = SDPAttribute(line: trimmed[space...].trimmedSDP)
        return SSRCAttribute(ssrc: UInt32(ssrc), name: attribute.name, value: attribute.value)
    }

    var text: String {
        guard let value else { return "\(ssrc) \(name)" }
        return "\(ssrc) \(name):\(value)"
    }
}

/// A group of sources, `a=ssrc-group:<semantics> <ssrc-id> ...` (RFC 5576 section 4.2).
///
/// WebRTC uses `FID` (a media source and its RTX repair source, RFC 4588 section 8.1),
/// `SIM` (legacy simulcast layers) and `FEC-FR`.
public struct SSRCGroup: Equatable, Hashable, Sendable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    static func parse(_ text: String, line: Int?) throws -> SSRCGroup {
        let fields = text.sdpFields
        guard fields.count >= 2 else {
            throw SDPError(line: line, "ssrc-group must be '<semantics> <ssrc> ...', got '\(text.excerpt)'")
        }
        var ssrcs: [UInt32] = []
        for field in fields.dropFirst() {
            guard let ssrc = parseDecimal(field, maximum: Int(UInt32.max)) else {
                throw SDPError(line: line, "ssrc-group member '\(field.excerpt)' is not a 32-bit unsigned number")
            }
            ssrcs.append(UInt32(ssrc))
        }
        return SSRCGroup(semantics: String(fields[0]), ssrcs: ssrcs)
    }

    var text: String { ([semantics] + ssrcs.map(String.init)).joined(separator: " ") }
}

/// A media stream identification, `a=msid:<stream id> [<track id>]` (RFC 8830 section 2).
/// A stream id of `-` means the track belongs to no stream.
public struct MSID: Equatable, Hashable, Sendable {
    public var stream: String
    public var track: String?

    public init(stream: String, track: String? = nil) {
        self.stream = stream
        self.track = track
    }

    static func parse(_ text: String, line: Int?) throws -> MSID {
        let fields = text.sdpFields
        guard fields.count == 1 || fields.count == 2 else {
            throw SDPError(line: line, "msid must be '<stream id> [<track id>]', got '\(text.excerpt)'")
        }
        return MSID(stream: String(fields[0]), track: fields.count == 2 ? String(fields[1]) : nil)
    }

    var text: String {
        guard let track else { return stream }
        return "\(stream) \(track)"
    }
}
