import Forwarding
import RTP
import Wire

/// One incoming RTP stream of a published track: the media of one simulcast layer under one SSRC.
/// The worker keeps its reception statistics (RFC 3550 section 6.4.1), a retransmission ring, its
/// NACK state (RFC 4585 section 6.2.1) and its latest sender report.
final class UpStream {
    let ssrc: UInt32
    let layer: Int
    unowned let track: UpTrack
    let ring: PacketRing
    var statistics: ReceiveStatistics
    var nackGenerator: NACKGenerator
    var senderReports: SenderReportTranslator
    private var keyframeDetector: KeyframeDetector?
    private var detectorPayloadType: UInt8 = 0xFF

    init(ssrc: UInt32, layer: Int, track: UpTrack) {
        self.ssrc = ssrc
        self.layer = layer
        self.track = track
        let clockRate = track.clockRate
        // Audio packets are small and rarely repaired, so its ring is shorter.
        ring = PacketRing(slotCount: track.isVideo ? PacketRing.defaultSlotCount : 128)
        statistics = ReceiveStatistics(ssrc: ssrc, clockRate: clockRate)
        nackGenerator = NACKGenerator()
        senderReports = SenderReportTranslator(clockRate: clockRate)
    }

    /// Returns whether the packet starts a keyframe, from the dependency descriptor when there is
    /// one, else from the payload of the codec its payload type names.
    func isKeyframeStart(
        payloadType: UInt8, payload: UnsafeRawBufferPointer, timestamp: UInt32,
        dependencyDescriptor: UnsafeRawBufferPointer?
    ) -> Bool {
        guard track.isVideo else { return false }
        var detector: KeyframeDetector
        if let current = keyframeDetector, payloadType == detectorPayloadType {
            detector = current
        } else {
            // A publisher may switch codecs by payload type; the H.264 detector keeps state per codec.
            let name = track.description.codec(payloadType: payloadType)?.name ?? ""
            detector = KeyframeDetector(
                codec: VideoCodec(encodingName: name), isEndToEndEncrypted: track.description.isEndToEndEncrypted)
            detectorPayloadType = payloadType
        }
        let isStart = detector.isKeyframeStart(
            payload: payload, timestamp: timestamp, dependencyDescriptor: dependencyDescriptor)
        keyframeDetector = detector
        return isStart
    }
}

/// An RTX stream (RFC 4588 section 4) that repairs one layer of a published track under its own SSRC.
final class UpRTXStream {
    let ssrc: UInt32
    let layer: Int
    unowned let track: UpTrack
    var statistics: ReceiveStatistics

    init(ssrc: UInt32, layer: Int, track: UpTrack) {
        self.ssrc = ssrc
        self.layer = layer
        self.track = track
        statistics = ReceiveStatistics(ssrc: ssrc, clockRate: track.clockRate)
    }
}

/// The stream behind an incoming SSRC of a publisher, cached at the SSRC's first packet.
enum UpStreamBinding {
    case media(UpStream)
    case rtx(UpRTXStream)

    var track: UpTrack {
        switch self {
        case .media(let stream): return stream.track
        case .rtx(let stream): return stream.track
        }
    }
}
