/// An RTP header extension mapping, `a=extmap:<id>[/<direction>] <URI> [<extension attributes>]`.
///
/// RFC 8285 section 8. Identifiers 1-14 fit the one-byte header form and 1-255 the two-byte
/// form. The offerer's identifiers are kept in answers.
public struct HeaderExtension: Equatable, Hashable, Sendable {
    public var id: Int
    public var uri: String
    public var direction: Direction?
    public var extensionAttributes: String?

    public init(id: Int, uri: String, direction: Direction? = nil, extensionAttributes: String? = nil) {
        self.id = id
        self.uri = uri
        self.direction = direction
        self.extensionAttributes = extensionAttributes
    }

    static func parse(_ text: String, line: Int?) throws -> HeaderExtension {
        let fields = text.sdpFields
        guard fields.count >= 2 else {
            throw SDPError(line: line, "extmap must be '<id>[/<direction>] <URI>', got '\(text.excerpt)'")
        }
        let idField = fields[0].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let id = parseDecimal(idField[0], maximum: 255), id >= 1 else {
            throw SDPError(line: line, "extmap id '\(idField[0].excerpt)' is not a number from 1 to 255")
        }
        var direction: Direction?
        if idField.count == 2 {
            guard let parsed = Direction(rawValue: String(idField[1])) else {
                throw SDPError(
                    line: line,
                    "extmap direction '\(idField[1].excerpt)' is not sendrecv, sendonly, recvonly or inactive")
            }
            direction = parsed
        }
        let attributes = fields.count > 2 ? fields[2...].joined(separator: " ") : nil
        return HeaderExtension(id: id, uri: String(fields[1]), direction: direction, extensionAttributes: attributes)
    }

    var text: String {
        var text = "\(id)"
        if let direction { text += "/\(direction.rawValue)" }
        text += " \(uri)"
        if let extensionAttributes { text += " \(extensionAttributes)" }
        return text
    }
}

/// URIs of the header extensions an SFU commonly negotiates.
public enum HeaderExtensionURI {
    /// RFC 8843 section 15.2: the mid of the m-section a packet belongs to.
    public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    /// RFC 8852 section 3.1: the rid of a simulcast encoding.
    public static let rtpStreamID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
    /// RFC 8852 section 3.2: the rid of the stream a repair stream (RTX) repairs.
    public static let repairedRTPStreamID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
    /// RFC 6464: the audio level of the packet.
    public static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    /// Transport-wide sequence numbers for congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    public static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    /// Absolute send time used by receiver-side bandwidth estimation (REMB).
    public static let absoluteSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    /// The AV1 dependency descriptor, also used by VP8 and VP9 in SVC mode.
    public static let dependencyDescriptor =
        "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension"
}
