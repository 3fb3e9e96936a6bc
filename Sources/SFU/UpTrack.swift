import Forwarding
import SDP
import Wire

/// A published track on the media worker: receives one publisher's RTP, one stream per simulcast
/// layer, and fans it out to its down tracks.
final class UpTrack {
    let description: TrackDescription
    unowned let publisher: PeerSession
    let layerCount: Int
    /// Media streams by layer, nil until the layer's SSRC is announced or seen.
    private(set) var streams: [UpStream?]
    var downTracks: [DownTrack] = []
    /// Merges the keyframe requests of all down tracks into few upstream requests per layer.
    var keyframeRequests: KeyframeRequestThrottle
    /// A muted track is not forwarded; the publisher may keep sending (or send silence).
    var muted: Bool
    var packetsReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0

    init(description: TrackDescription, publisher: PeerSession, keyframeRequestIntervalMilliseconds: Int64 = 300) {
        self.description = description
        self.publisher = publisher
        layerCount = description.layerCount
        streams = Array(repeating: nil, count: layerCount)
        keyframeRequests = KeyframeRequestThrottle(
            layerCount: layerCount, intervalMilliseconds: keyframeRequestIntervalMilliseconds)
        muted = description.muted
        // Announced SSRCs get their streams now, so that keyframe requests can name them before media flows.
        if !description.simulcastSSRCs.isEmpty {
            for (layer, ssrc) in description.simulcastSSRCs.enumerated() where layer < layerCount {
                streams[layer] = UpStream(ssrc: ssrc, layer: layer, track: self)
            }
        } else if layerCount == 1, let ssrc = description.announcedSSRCs.first {
            streams[0] = UpStream(ssrc: ssrc, layer: 0, track: self)
        }
    }

    var isVideo: Bool { description.kind == .video }

    /// RTP clock rate of the track's codecs (they share one per kind in practice).
    var clockRate: Int { description.codecs.first?.clockRate ?? (description.kind == .audio ? 48000 : 90000) }

    /// Whether keyframe requests are full intra requests (RFC 5104 section 4.3.1): only when the
    /// publisher negotiated `ccm fir` and not `nack pli` (RFC 4585 section 6.3.1).
    var usesFullIntraRequest: Bool {
        let codecs = description.codecs
        return codecs.contains { $0.hasFeedback("ccm fir") } && !codecs.contains { $0.hasFeedback("nack pli") }
    }

    /// Whether the publisher negotiated REMB (draft-alvestrand-rmcat-remb) for this track.
    var acceptsREMB: Bool {
        description.codecs.contains { $0.hasFeedback("goog-remb") }
    }

    /// Returns whether keyframes can be found in this track's packets: from the dependency descriptor when
    /// the publisher sends one, else from the payload of a codec Chorus can parse, which end-to-end
    /// encryption hides.
    func hasDetectableKeyframes(dependencyDescriptorNegotiated: Bool) -> Bool {
        if dependencyDescriptorNegotiated { return true }
        guard !description.isEndToEndEncrypted else { return false }
        return description.codecs.contains { VideoCodec(encodingName: $0.name) != .other }
    }

    /// Returns the stream of `layer` for `ssrc`, replacing a stream the layer had under another
    /// SSRC (a publisher that restarted its encoder). The caller forgets the replaced SSRC.
    func stream(layer: Int, ssrc: UInt32) -> (stream: UpStream, replaced: UpStream?) {
        precondition(layer >= 0 && layer < layerCount, "the layer is one of the track's layers")
        if let existing = streams[layer], existing.ssrc == ssrc { return (existing, nil) }
        let stream = UpStream(ssrc: ssrc, layer: layer, track: self)
        let replaced = streams[layer]
        streams[layer] = stream
        return (stream, replaced)
    }

    /// Returns the stream of `layer`, if its SSRC is known.
    func stream(layer: Int) -> UpStream? {
        guard layer >= 0, layer < layerCount else { return nil }
        return streams[layer]
    }

    /// Returns the layer whose media SSRC is `ssrc`, among the known streams.
    func layer(ofMediaSSRC ssrc: UInt32) -> Int? {
        streams.firstIndex { $0?.ssrc == ssrc }
    }

    var knownStreams: [UpStream] { streams.compactMap { $0 } }
}
