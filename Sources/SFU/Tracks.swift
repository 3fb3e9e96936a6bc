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

/// What a conference client says about a track it sends, keyed by the m-section's mid.
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

/// A published track on the media worker: receives one publisher's RTP and fans it out.
final class UpTrack {
    let description: TrackDescription
    unowned let publisher: PeerSession
    /// SSRCs seen or announced for this track; the first one is the one keyframe requests name.
    var ssrcs: [UInt32]
    var downTracks: [DownTrack] = []
    var lastKeyframeRequestAt: Instant?
    /// A muted track is not forwarded; the publisher may keep sending (or send silence).
    var muted: Bool
    var packetsReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0

    init(description: TrackDescription, publisher: PeerSession) {
        self.description = description
        self.publisher = publisher
        ssrcs = description.announcedSSRCs
        muted = description.muted
    }

    var mediaSSRC: UInt32? { ssrcs.first }

    /// RTP clock rate of the track's codecs (they share one per kind in practice).
    var clockRate: Int { description.codecs.first?.clockRate ?? (description.kind == .audio ? 48000 : 90000) }
}

/// One subscriber's leg of an up track: the SSRC, payload types, sequence numbers and
/// timestamps that subscriber sees.
final class DownTrack {
    unowned let subscriber: PeerSession
    let upTrack: UpTrack
    let ssrc: UInt32
    /// Publisher payload type to subscriber payload type; 0xFF where the subscriber has no matching codec.
    var payloadTypeMap: [UInt8]
    private var sequenceOffset: UInt16 = 0
    private var timestampOffset: UInt32 = 0
    private var started = false
    /// First outgoing sequence number; below 0x8000 so SRTP's rollover estimate starts clean.
    private let initialSequenceNumber: UInt16
    private let initialTimestamp: UInt32
    var packetsSent: UInt64 = 0
    var bytesSent: UInt64 = 0
    var packetsDropped: UInt64 = 0

    init(subscriber: PeerSession, upTrack: UpTrack, ssrc: UInt32, payloadTypeMap: [UInt8], random: UInt32) {
        self.subscriber = subscriber
        self.upTrack = upTrack
        self.ssrc = ssrc
        self.payloadTypeMap = payloadTypeMap
        initialSequenceNumber = UInt16(truncatingIfNeeded: random) & 0x7FFF
        initialTimestamp = random &* 2_654_435_761
    }

    /// Last forwarded values, to continue the outgoing stream after a pause.
    private var lastSequenceNumber: UInt16 = 0
    private var lastTimestamp: UInt32 = 0
    private var lastSentAt: Instant?
    private var needsResync = false

    /// Makes the next packet continue the outgoing numbering without a gap, after packets
    /// were dropped on purpose (mute); the receiver would otherwise wait for them as losses.
    func resync() {
        needsResync = started
    }

    /// Returns the outgoing sequence number and timestamp for an incoming packet,
    /// fixing the offsets at the first packet so later gaps stay visible to the receiver.
    func rewrite(sequenceNumber: UInt16, timestamp: UInt32, clockRate: Int, now: Instant) -> (UInt16, UInt32) {
        if !started {
            started = true
            sequenceOffset = initialSequenceNumber &- sequenceNumber
            timestampOffset = initialTimestamp &- timestamp
        } else if needsResync {
            needsResync = false
            let elapsed = max(1, now.microseconds - (lastSentAt ?? now).microseconds)
            let ticks = UInt32(truncatingIfNeeded: max(1, elapsed * Int64(clockRate) / 1_000_000))
            sequenceOffset = (lastSequenceNumber &+ 1) &- sequenceNumber
            timestampOffset = (lastTimestamp &+ ticks) &- timestamp
        }
        let result = (sequenceNumber &+ sequenceOffset, timestamp &+ timestampOffset)
        if !started || isNewer(result.0, than: lastSequenceNumber) || lastSentAt == nil {
            lastSequenceNumber = result.0
            lastTimestamp = result.1
            lastSentAt = now
        }
        return result
    }
}
