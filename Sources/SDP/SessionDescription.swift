/// A parsed session description (RFC 8866) with the WebRTC attributes of JSEP (RFC 8829).
///
/// Like `MediaDescription`, the session level keeps every `a=` line in `attributes` and
/// writes back only those that no typed field covers.
public struct SessionDescription: Equatable, Hashable, Sendable {
    public var origin: Origin
    public var sessionName: String
    public var connection: Connection?
    public var bandwidths: [Bandwidth]
    /// The values of the `t=` lines. JSEP writes a single `0 0`.
    public var timing: [String]
    public var iceLite: Bool
    public var iceUfrag: String?
    public var icePassword: String?
    public var iceOptions: [String]
    public var fingerprints: [Fingerprint]
    public var setup: SetupRole?
    /// The mids of each `a=group:BUNDLE` (RFC 8843 section 7.1), in order.
    public var bundleGroups: [[String]]
    public var extmapAllowMixed: Bool
    public var attributes: [SDPAttribute]
    /// `i=`, `u=`, `e=`, `p=`, `r=`, `z=` and `k=` lines.
    public var otherLines: [SDPLine]
    public var media: [MediaDescription]

    public init(origin: Origin, sessionName: String = "-", media: [MediaDescription] = []) {
        self.origin = origin
        self.sessionName = sessionName
        self.connection = nil
        self.bandwidths = []
        self.timing = ["0 0"]
        self.iceLite = false
        self.iceUfrag = nil
        self.icePassword = nil
        self.iceOptions = []
        self.fingerprints = []
        self.setup = nil
        self.bundleGroups = []
        self.extmapAllowMixed = false
        self.attributes = []
        self.otherLines = []
        self.media = media
    }

    /// The first session-level `a=fingerprint`. Setting it replaces all of them.
    public var fingerprint: Fingerprint? {
        get { fingerprints.first }
        set { fingerprints = newValue.map { [$0] } ?? [] }
    }

    /// Returns the index of the m-section with this mid.
    public func mediaIndex(mid: String) -> Int? {
        media.firstIndex { $0.mid == mid }
    }

    /// Returns the BUNDLE group that contains this mid.
    public func bundleGroup(containing mid: String) -> [String]? {
        bundleGroups.first { $0.contains(mid) }
    }

    /// Returns the m-sections whose transport attributes apply to the section at `index`, most
    /// specific first: the section itself, then the section tagged by the first mid of its
    /// BUNDLE group (RFC 8843 section 7.2: a bundle-only section may omit them).
    private func transportSources(forMediaAt index: Int) -> [MediaDescription] {
        guard media.indices.contains(index) else { return [] }
        var sources = [media[index]]
        if let mid = media[index].mid, let group = bundleGroup(containing: mid), let tag = group.first,
            tag != mid, let tagIndex = mediaIndex(mid: tag)
        {
            sources.append(media[tagIndex])
        }
        return sources
    }

    /// Returns the ICE username fragment for the m-section at `index`, falling back to its BUNDLE tag
    /// section and then to the session level (RFC 8839 section 5.4).
    public func iceUfrag(forMediaAt index: Int) -> String? {
        transportSources(forMediaAt: index).lazy.compactMap(\.iceUfrag).first ?? iceUfrag
    }

    /// Returns the ICE password for the m-section at `index`, resolved like `iceUfrag(forMediaAt:)`.
    public func icePassword(forMediaAt index: Int) -> String? {
        transportSources(forMediaAt: index).lazy.compactMap(\.icePassword).first ?? icePassword
    }

    /// Returns the certificate fingerprints for the m-section at `index` (RFC 8122 section 5: a
    /// media-level fingerprint overrides the session-level one).
    public func fingerprints(forMediaAt index: Int) -> [Fingerprint] {
        transportSources(forMediaAt: index).first { !$0.fingerprints.isEmpty }?.fingerprints ?? fingerprints
    }

    /// Returns the first fingerprint for the m-section at `index`, preferring sha-256.
    public func fingerprint(forMediaAt index: Int) -> Fingerprint? {
        let all = fingerprints(forMediaAt: index)
        return all.first { $0.algorithm.lowercased() == "sha-256" } ?? all.first
    }

    /// Returns the DTLS setup role for the m-section at `index`, nil when no level states one.
    public func setup(forMediaAt index: Int) -> SetupRole? {
        transportSources(forMediaAt: index).lazy.compactMap(\.setup).first ?? setup
    }

    /// Returns true when mixed one-byte and two-byte header extensions are allowed for the m-section
    /// at `index` (RFC 8285 section 6), at session or media level.
    public func extmapAllowMixed(forMediaAt index: Int) -> Bool {
        extmapAllowMixed || (media.indices.contains(index) && media[index].extmapAllowMixed)
    }
}
