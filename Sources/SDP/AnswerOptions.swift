/// The answerer's transport and media capabilities for `makeAnswer(to:role:options:)`.
public struct AnswerOptions: Equatable, Sendable {
    /// The local ICE username fragment, at least 4 characters long (RFC 8839 section 5.4).
    public var iceUfrag: String
    /// The local ICE password, at least 22 characters long (RFC 8839 section 5.4).
    public var icePassword: String
    /// The fingerprint of the local DTLS certificate, normally sha-256.
    public var fingerprint: Fingerprint
    /// The local candidates, written into every accepted m-section. The first UDP candidate
    /// with an IP address also becomes the default address of the m= and c= lines.
    public var candidates: [Candidate]
    public var supportedCodecs: [CodecCapability]
    /// Header extension URIs to accept when offered.
    public var supportedExtensions: [String]
    /// The `o=` session id, a random number below 2^63 in JSEP (RFC 8829 section 5.2.1).
    public var sessionID: UInt64
    public var sessionVersion: UInt64

    public static let defaultExtensions: [String] = [
        HeaderExtensionURI.mid, HeaderExtensionURI.rtpStreamID, HeaderExtensionURI.repairedRTPStreamID,
        HeaderExtensionURI.audioLevel, HeaderExtensionURI.transportWideCC, HeaderExtensionURI.absoluteSendTime,
        HeaderExtensionURI.dependencyDescriptor,
    ]

    public init(
        iceUfrag: String, icePassword: String, fingerprint: Fingerprint, candidates: [Candidate],
        supportedCodecs: [CodecCapability] = CodecCapability.defaults,
        supportedExtensions: [String] = AnswerOptions.defaultExtensions,
        sessionID: UInt64 = UInt64.random(in: 1...UInt64(Int64.max)), sessionVersion: UInt64 = 2
    ) {
        self.iceUfrag = iceUfrag
        self.icePassword = icePassword
        self.fingerprint = fingerprint
        self.candidates = candidates
        self.supportedCodecs = supportedCodecs
        self.supportedExtensions = supportedExtensions
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
    }
}

/// The answerer's part in the media exchange of an offer.
public enum AnswerRole: Equatable, Sendable {
    /// Receive what the client sends (WHIP publish). Sending sections get `recvonly` in the
    /// answer, and simulcast `send` becomes simulcast `recv` with the same rids.
    case receiveFromClient
    /// Send to the client (WHEP subscribe). The array has the track to send for each offered
    /// m-section index, and a nil entry or an index past the end gets `inactive`.
    case sendToClient([OutgoingTrack?])
}

/// A track the answerer sends, written as `a=msid`, `a=ssrc` cname and msid lines and, with
/// RTX negotiated, `a=ssrc-group:FID` (RFC 5576, RFC 4588 section 8.1).
public struct OutgoingTrack: Equatable, Hashable, Sendable {
    public var ssrc: UInt32
    public var rtxSSRC: UInt32?
    public var cname: String
    public var streamID: String
    public var trackID: String

    public init(ssrc: UInt32, rtxSSRC: UInt32? = nil, cname: String, streamID: String, trackID: String) {
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        self.cname = cname
        self.streamID = streamID
        self.trackID = trackID
    }
}

/// A source the offerer declared with `a=ssrc` lines, with its RTX source from `a=ssrc-group:FID`.
public struct RemoteSSRC: Equatable, Hashable, Sendable {
    public var ssrc: UInt32
    public var rtxSSRC: UInt32?
    public var cname: String?

    public init(ssrc: UInt32, rtxSSRC: UInt32? = nil, cname: String? = nil) {
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        self.cname = cname
    }
}

/// The result of negotiation for one accepted m-section.
public struct NegotiatedMedia: Equatable, Hashable, Sendable {
    /// The index of the m-section in the offer and in the answer.
    public var index: Int
    /// The mid, empty for the single section of an offer without mids and BUNDLE.
    public var mid: String
    public var kind: MediaKind
    /// The accepted codecs in the offerer's preference order, with the offerer's payload types.
    /// RTX codecs are not listed; `rtxPayloadType` of the codec they repair refers to them.
    public var codecs: [Codec]
    /// The accepted header extensions with the offerer's ids.
    public var extensions: [HeaderExtension]
    /// The direction written in the answer, seen from the answerer.
    public var direction: Direction
    /// The rids of the answer (`recv` for `receiveFromClient`), empty without simulcast.
    public var rids: [RIDDescription]
    public var simulcast: Simulcast?
    /// The sources the offer declares for this section.
    public var remoteSSRCs: [RemoteSSRC]
    /// The media sources of the offer's `a=ssrc-group:SIM` (simulcast by SSRC) in group order,
    /// empty without one.
    public var ssrcSimulcast: [UInt32]
    /// The track sent in this section for `sendToClient`.
    public var track: OutgoingTrack?

    /// Returns the negotiated id of a header extension, nil when it was not accepted.
    public func extensionID(for uri: String) -> Int? {
        extensions.first { $0.uri == uri }?.id
    }
}
