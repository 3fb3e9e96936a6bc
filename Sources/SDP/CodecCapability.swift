/// A codec the answerer accepts, matched against offered codecs by `matches(_:kind:)`.
///
/// Only the parameters that decide compatibility are compared: H.264 `packetization-mode`
/// and, when the capability sets one, the profile of `profile-level-id`, VP9 `profile-id`,
/// and AV1 `profile`. A capability without `profile-level-id` accepts every H.264 profile.
public struct CodecCapability: Equatable, Hashable, Sendable {
    public var kind: MediaKind
    public var name: String
    public var clockRate: Int
    /// The channel count. Nil means one channel for audio, and video ignores it.
    public var channels: Int?
    public var parameters: [FormatParameter]
    /// The rtcp-fb types accepted for this codec. The answer keeps those the offer also lists.
    public var feedback: [String]
    /// Whether an offered RTX codec (RFC 4588) for this codec is accepted too.
    public var acceptsRTX: Bool

    public init(
        kind: MediaKind, name: String, clockRate: Int, channels: Int? = nil, parameters: [FormatParameter] = [],
        feedback: [String] = [], acceptsRTX: Bool = false
    ) {
        self.kind = kind
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.parameters = parameters
        self.feedback = feedback
        self.acceptsRTX = acceptsRTX
    }

    /// Creates a capability that accepts only codecs compatible with `codec`, such as the codec a
    /// publisher negotiated when answering a subscriber. The parameters that decide compatibility
    /// are copied, along with `level-asymmetry-allowed` for H.264.
    public init(matching codec: Codec, kind: MediaKind, acceptsRTX: Bool = true) {
        let copied = ["packetization-mode", "profile-level-id", "level-asymmetry-allowed", "profile-id", "profile"]
        self.init(
            kind: kind, name: codec.name, clockRate: codec.clockRate, channels: codec.channels,
            parameters: codec.parameters.filter { copied.contains($0.name.lowercased()) },
            feedback: codec.feedback, acceptsRTX: acceptsRTX)
        if codec.hasName("H264"), parameter("profile-level-id") == nil {
            parameters.append(FormatParameter("profile-level-id", H264ProfileLevelID.absentDefault.text))
        }
    }

    static let videoFeedback = ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"]

    public static let opus = CodecCapability(
        kind: .audio, name: "opus", clockRate: 48000, channels: 2, feedback: ["transport-cc", "nack"])
    public static let vp8 = CodecCapability(
        kind: .video, name: "VP8", clockRate: 90000, feedback: videoFeedback, acceptsRTX: true)
    public static let vp9 = CodecCapability(
        kind: .video, name: "VP9", clockRate: 90000, parameters: [FormatParameter("profile-id", "0")],
        feedback: videoFeedback, acceptsRTX: true)
    public static let h264 = CodecCapability(
        kind: .video, name: "H264", clockRate: 90000,
        parameters: [FormatParameter("packetization-mode", "1"), FormatParameter("level-asymmetry-allowed", "1")],
        feedback: videoFeedback, acceptsRTX: true)
    public static let av1 = CodecCapability(
        kind: .video, name: "AV1", clockRate: 90000, feedback: videoFeedback, acceptsRTX: true)

    /// Opus, VP8, VP9 profile 0, H.264 with packetization mode 1 at any profile, and AV1.
    public static let defaults: [CodecCapability] = [.opus, .vp8, .vp9, .h264, .av1]

    /// Returns the value of a capability parameter, compared ignoring case.
    public func parameter(_ name: String) -> String? {
        let lowered = name.lowercased()
        return parameters.first { $0.name.lowercased() == lowered }?.value
    }

    /// Returns true when an offered codec of a section of `kind` can use this capability.
    public func matches(_ codec: Codec, kind sectionKind: MediaKind) -> Bool {
        guard kind == sectionKind, codec.hasName(name), codec.clockRate == clockRate else { return false }
        if kind == .audio, (codec.channels ?? 1) != (channels ?? 1) { return false }

        switch name.lowercased() {
        case "h264":
            guard (codec.parameter("packetization-mode") ?? "0") == (parameter("packetization-mode") ?? "0") else {
                return false
            }
            guard let required = parameter("profile-level-id") else { return true }
            guard let wanted = H264ProfileLevelID(required),
                let offered = H264ProfileLevelID(codec.parameter("profile-level-id") ?? "42000a")
            else { return false }
            return offered.hasSameProfile(as: wanted)
        case "vp9":
            return (codec.parameter("profile-id") ?? "0") == (parameter("profile-id") ?? "0")
        case "av1":
            return (codec.parameter("profile") ?? "0") == (parameter("profile") ?? "0")
        default:
            return true
        }
    }
}
