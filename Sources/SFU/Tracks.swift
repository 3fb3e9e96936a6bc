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
    public var rids: [String]
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
    var packetsReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0

    init(description: TrackDescription, publisher: PeerSession) {
        self.description = description
        self.publisher = publisher
        ssrcs = description.announcedSSRCs
    }

    var mediaSSRC: UInt32? { ssrcs.first }
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

    /// Returns the outgoing sequence number and timestamp for an incoming packet,
    /// fixing the offsets at the first packet so later gaps stay visible to the receiver.
    func rewrite(sequenceNumber: UInt16, timestamp: UInt32) -> (UInt16, UInt32) {
        if !started {
            started = true
            sequenceOffset = initialSequenceNumber &- sequenceNumber
            timestampOffset = initialTimestamp &- timestamp
        }
        return (sequenceNumber &+ sequenceOffset, timestamp &+ timestampOffset)
    }
}
