/// One m-section: the `m=` line and the lines after it up to the next `m=` (RFC 8866 section 5.14).
///
/// Parsing fills the typed fields from the attributes and also keeps every `a=` line, as
/// written and in order, in `attributes`. `serialize()` writes the typed fields and then only
/// those raw attributes that no typed field covers (see `isModeled`), so a change to a typed
/// field is what appears in the output.
public struct MediaDescription: Equatable, Hashable, Sendable {
    public var kind: MediaKind
    /// The transport port. 0 marks a rejected section, or with `a=bundle-only` a bundled one
    /// (RFC 8843 section 6).
    public var port: Int
    /// The optional `/<number of ports>` after the port.
    public var portCount: Int?
    public var proto: String
    /// The format list of the m= line: payload types for RTP, `webrtc-datachannel` for SCTP.
    public var formats: [String]
    public var connection: Connection?
    public var bandwidths: [Bandwidth]

    public var mid: String?
    /// The direction attribute. A section without one takes the session-level attribute,
    /// and without that `sendrecv` (RFC 8866 section 6.7).
    public var direction: Direction
    public var rtcpMux: Bool
    public var rtcpReducedSize: Bool
    /// Payload formats in m= line order.
    public var codecs: [Codec]
    public var extensions: [HeaderExtension]
    public var extmapAllowMixed: Bool
    public var ssrcs: [SSRCAttribute]
    public var ssrcGroups: [SSRCGroup]
    public var rids: [RIDDescription]
    public var simulcast: Simulcast?
    public var msids: [MSID]
    public var iceUfrag: String?
    public var icePassword: String?
    public var iceOptions: [String]
    public var fingerprints: [Fingerprint]
    public var setup: SetupRole?
    public var candidates: [Candidate]
    public var endOfCandidates: Bool
    /// Every `a=` line of the section as parsed, or extra attributes to write for a built section.
    public var attributes: [SDPAttribute]
    /// `i=` and `k=` lines.
    public var otherLines: [SDPLine]

    public init(kind: MediaKind, port: Int = 9, proto: String = "UDP/TLS/RTP/SAVPF", formats: [String] = []) {
        self.kind = kind
        self.port = port
        self.portCount = nil
        self.proto = proto
        self.formats = formats
        self.connection = nil
        self.bandwidths = []
        self.mid = nil
        self.direction = .sendrecv
        self.rtcpMux = false
        self.rtcpReducedSize = false
        self.codecs = []
        self.extensions = []
        self.extmapAllowMixed = false
        self.ssrcs = []
        self.ssrcGroups = []
        self.rids = []
        self.simulcast = nil
        self.msids = []
        self.iceUfrag = nil
        self.icePassword = nil
        self.iceOptions = []
        self.fingerprints = []
        self.setup = nil
        self.candidates = []
        self.endOfCandidates = false
        self.attributes = []
        self.otherLines = []
    }

    /// The first `a=msid`. Setting it replaces all of them.
    public var msid: MSID? {
        get { msids.first }
        set { msids = newValue.map { [$0] } ?? [] }
    }

    /// The first `a=fingerprint` of this section. Setting it replaces all of them.
    public var fingerprint: Fingerprint? {
        get { fingerprints.first }
        set { fingerprints = newValue.map { [$0] } ?? [] }
    }

    /// True for a transport of RTP: `RTP/AVP`, `UDP/TLS/RTP/SAVPF` and the like.
    public var isRTP: Bool { proto.uppercased().contains("RTP/") }

    /// True when the section carries `a=bundle-only` (RFC 8843 section 6).
    public var isBundleOnly: Bool { attributes.contains("bundle-only") }

    /// True when the port is 0 and the section is not a bundle-only one (RFC 3264 section 6).
    public var isRejected: Bool { port == 0 && !isBundleOnly }

    /// Returns the codec with this payload type.
    public func codec(payloadType: UInt8) -> Codec? {
        codecs.first { $0.payloadType == payloadType }
    }

    /// Returns the values of `a=ssrc:<ssrc> <name>:<value>` for one source, for example its cname.
    public func ssrcAttribute(_ name: String, of ssrc: UInt32) -> String? {
        ssrcs.first { $0.ssrc == ssrc && $0.name == name }?.value
    }
}
