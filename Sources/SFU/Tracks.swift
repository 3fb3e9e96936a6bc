import SDP
import Wire

public enum TrackKind: String, Sendable {
    case audio
    case video
}

/// A track as the control plane describes it to clients: identity, kind and codecs.
public struct TrackDescription: Sendable {
    public var sid: String
    public var kind: TrackKind
    public var mid: String
    public var muted: Bool
    /// Codecs the publisher negotiated, in the publisher's payload types.
    public var codecs: [Codec]
    /// SSRCs the publisher announced in its offer, if any (a=ssrc).
    public var announcedSSRCs: [UInt32]
    /// RTX SSRC to the media SSRC it repairs, from a=ssrc-group:FID.
    public var announcedRTXSSRCs: [UInt32: UInt32] = [:]
    /// Simulcast by SSRC (a=ssrc-group:SIM): the layers' SSRCs, lowest first.
    public var simulcastSSRCs: [UInt32] = []
    public var rids: [String]
    /// microphone, camera, screen_share or screen_share_audio, as the publisher announced it.
    public var source: String
    /// Simulcast layers the publisher announced, lowest first.
    public var layers: [LayerDescription]
    /// Whether the payload is end-to-end encrypted, so that the media worker reads only RTP headers
    /// and header extensions and never the codec payload.
    public var isEndToEndEncrypted = false
}

extension TrackDescription {
    /// Number of simulcast layers (RFC 8853 by rid, or an `a=ssrc-group:SIM`), 1 without simulcast.
    var layerCount: Int {
        max(1, simulcastSSRCs.count, layers.count, rids.count)
    }

    /// Layer index of a rid (RFC 8852): its position in `layers`, which clients announce lowest
    /// first, else its position in `rids`.
    func layerIndex(rid: String) -> Int? {
        layers.firstIndex { $0.rid == rid } ?? rids.firstIndex(of: rid)
    }

    /// Layer index of a media SSRC announced in an `a=ssrc-group:SIM`, lowest first.
    func layerIndex(simulcastSSRC ssrc: UInt32) -> Int? {
        simulcastSSRCs.firstIndex(of: ssrc)
    }

    /// Returns the media codec with `payloadType`.
    func codec(payloadType: UInt8) -> Codec? {
        codecs.first { $0.payloadType == payloadType }
    }

    /// Returns the media codec whose RTX (RFC 4588) payload type is `payloadType`.
    func codec(rtxPayloadType payloadType: UInt8) -> Codec? {
        codecs.first { $0.rtxPayloadType == payloadType }
    }
}

/// One simulcast layer as the publisher announced it.
public struct LayerDescription: Sendable, Equatable {
    public var rid: String
    public var width: Int?
    public var height: Int?
    public var bitrate: Int?

    public init(rid: String, width: Int? = nil, height: Int? = nil, bitrate: Int? = nil) {
        self.rid = rid
        self.width = width
        self.height = height
        self.bitrate = bitrate
    }
}

/// A conference client's description of a track it sends, keyed by the m-section's mid.
public struct PublishedTrackInfo: Sendable, Equatable {
    public var mid: String
    public var kind: TrackKind?
    public var source: String?
    public var muted: Bool
    public var layers: [LayerDescription]

    public init(mid: String, kind: TrackKind?, source: String?, muted: Bool, layers: [LayerDescription]) {
        self.mid = mid
        self.kind = kind
        self.source = source
        self.muted = muted
        self.layers = layers
    }
}

/// Whether two codecs carry the same media format (name, clock rate, channels), ignoring payload type.
func isSameFormat(_ a: Codec, _ b: Codec) -> Bool {
    a.name.lowercased() == b.name.lowercased() && a.clockRate == b.clockRate && (a.channels ?? 1) == (b.channels ?? 1)
}
