/// One `name=value` item of an `a=fmtp` line. Items without `=`, such as the `0-15` of
/// telephone-event or the `111/111` of RED, have a nil value.
public struct FormatParameter: Equatable, Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }

    var text: String {
        guard let value else { return name }
        return "\(name)=\(value)"
    }

    /// Splits an fmtp parameter string at `;`, trimming spaces around each item.
    static func parseList(_ text: String) -> [FormatParameter] {
        text.split(separator: ";").compactMap { item in
            let trimmed = item.trimmedSDP
            guard !trimmed.isEmpty else { return nil }
            guard let equals = trimmed.firstIndex(of: "=") else { return FormatParameter(String(trimmed), nil) }
            let name = trimmed[..<equals].trimmedSDP
            let value = trimmed[trimmed.index(after: equals)...].trimmedSDP
            return FormatParameter(String(name), String(value))
        }
    }
}

/// An RTP payload format of an m-section, built from its `a=rtpmap`, `a=fmtp` and `a=rtcp-fb`
/// lines (RFC 8866 section 6.6, RFC 4585 section 4.2).
public struct Codec: Equatable, Hashable, Sendable {
    public var payloadType: UInt8
    /// The encoding name as written (`VP8`, `opus`, `H264`). Compare it with `hasName(_:)`.
    public var name: String
    public var clockRate: Int
    /// The channel count from rtpmap, nil when rtpmap gives none (one channel for audio).
    public var channels: Int?
    public var parameters: [FormatParameter]
    /// The fmtp value as written, nil when the offer had no fmtp line for this payload type.
    public var rawFormatParameters: String?
    /// The rtcp-fb values for this payload type, such as `nack`, `nack pli`, `transport-cc`.
    public var feedback: [String]
    /// The payload type of the RTX codec (RFC 4588 section 8.1) whose `apt` refers to this codec.
    public var rtxPayloadType: UInt8?

    public init(
        payloadType: UInt8, name: String, clockRate: Int, channels: Int? = nil, parameters: [FormatParameter] = [],
        feedback: [String] = [], rtxPayloadType: UInt8? = nil
    ) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.parameters = parameters
        self.rawFormatParameters = nil
        self.feedback = feedback
        self.rtxPayloadType = rtxPayloadType
    }

    /// Returns true when the encoding name equals `name` ignoring case (RFC 8866 section 6.6).
    public func hasName(_ name: String) -> Bool {
        self.name.lowercased() == name.lowercased()
    }

    /// Returns the value of the first fmtp parameter with this name, compared ignoring case.
    public func parameter(_ name: String) -> String? {
        let lowered = name.lowercased()
        return parameters.first { $0.name.lowercased() == lowered }?.value
    }

    public var isRTX: Bool { hasName("rtx") }

    /// The associated payload type of an RTX codec (RFC 4588 section 8.6), nil for other codecs.
    public var associatedPayloadType: UInt8? {
        guard isRTX, let apt = parameter("apt") else { return nil }
        return parsePayloadType(apt)
    }

    /// Returns true when rtcp-fb lists this feedback type, compared ignoring case.
    public func hasFeedback(_ feedback: String) -> Bool {
        let lowered = feedback.lowercased()
        return self.feedback.contains { $0.lowercased() == lowered }
    }

    var rtpmapText: String {
        var text = "\(payloadType) \(name)/\(clockRate)"
        if let channels { text += "/\(channels)" }
        return text
    }

    var fmtpText: String? {
        guard !parameters.isEmpty else { return nil }
        return "\(payloadType) " + parameters.map(\.text).joined(separator: ";")
    }

    /// Returns the codec a static payload type stands for when the m-section has no rtpmap for it
    /// (RFC 3551 section 6, tables 4 and 5). Dynamic and unassigned types return nil.
    static func staticPayloadType(_ payloadType: UInt8, kind: MediaKind) -> Codec? {
        let audio: [UInt8: (String, Int, Int?)] = [
            0: ("PCMU", 8000, nil), 3: ("GSM", 8000, nil), 4: ("G723", 8000, nil), 5: ("DVI4", 8000, nil),
            6: ("DVI4", 16000, nil), 7: ("LPC", 8000, nil), 8: ("PCMA", 8000, nil), 9: ("G722", 8000, nil),
            10: ("L16", 44100, 2), 11: ("L16", 44100, nil), 12: ("QCELP", 8000, nil), 13: ("CN", 8000, nil),
            14: ("MPA", 90000, nil), 15: ("G728", 8000, nil), 16: ("DVI4", 11025, nil), 17: ("DVI4", 22050, nil),
            18: ("G729", 8000, nil),
        ]
        let video: [UInt8: String] = [25: "CelB", 26: "JPEG", 28: "nv", 31: "H261", 32: "MPV", 33: "MP2T", 34: "H263"]
        switch kind {
        case .audio:
            guard let entry = audio[payloadType] else { return nil }
            return Codec(payloadType: payloadType, name: entry.0, clockRate: entry.1, channels: entry.2)
        case .video:
            guard let name = video[payloadType] else { return nil }
            return Codec(payloadType: payloadType, name: name, clockRate: 90000)
        default:
            return nil
        }
    }
}
