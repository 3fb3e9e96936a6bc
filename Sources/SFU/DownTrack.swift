import Forwarding
import Wire

/// One subscriber's leg of an up track: the layer it receives, and the SSRC, payload types,
/// sequence numbers and timestamps that subscriber receives.
final class DownTrack {
    unowned let subscriber: PeerSession
    let upTrack: UpTrack
    let ssrc: UInt32
    /// Publisher payload type to subscriber payload type; 0xFF where the subscriber has no matching codec.
    var payloadTypeMap: [UInt8]
    /// Layer selection and sequence number and timestamp rewriting for this leg.
    var forwarder: SimulcastForwarder
    /// Packets and payload octets sent on `ssrc`, for this leg's sender reports.
    var sendCounters = SendCounters()
    /// Highest spatial layer the subscriber accepts; nil for the highest the track has.
    private(set) var maxLayer: Int?
    /// Whether the subscriber (or a bandwidth estimate) paused this leg.
    private(set) var pausedByPreference = false
    /// The layer forwarded last, to count switches.
    private var lastForwardedLayer: Int?

    var packetsSent: UInt64 = 0
    var bytesSent: UInt64 = 0
    var packetsDropped: UInt64 = 0
    var layerSwitches: UInt64 = 0
    /// Keyframe requests made toward the publisher for this leg, before the throttle merges them.
    var keyframeRequestsSent: UInt64 = 0
    /// PLI and FIR messages received from the subscriber for this leg.
    var keyframeRequestsReceived: UInt64 = 0
    /// Packets sent again because the subscriber NACKed them.
    var retransmissionsSent: UInt64 = 0
    /// NACKed packets that could not be sent again (unknown, too old, or never received).
    var retransmissionsMissed: UInt64 = 0
    /// The latest fraction lost and cumulative loss the subscriber reported (RFC 3550 section 6.4.1).
    var reportedFractionLost: UInt8 = 0
    var reportedCumulativeLost: Int32 = 0

    init(
        subscriber: PeerSession, upTrack: UpTrack, ssrc: UInt32, payloadTypeMap: [UInt8], maxLayer: Int?,
        requiresKeyframe: Bool, keyframeRequestIntervalMilliseconds: Int64, random: UInt32
    ) {
        self.subscriber = subscriber
        self.upTrack = upTrack
        self.ssrc = ssrc
        self.payloadTypeMap = payloadTypeMap
        var configuration = SimulcastForwarder.Configuration(
            clockRate: upTrack.clockRate, requiresKeyframe: requiresKeyframe)
        configuration.layerCount = upTrack.layerCount
        configuration.keyframeRequestIntervalMilliseconds = keyframeRequestIntervalMilliseconds
        // The first outgoing sequence number stays below 0x8000 so that SRTP's rollover estimate starts clean.
        forwarder = SimulcastForwarder(
            configuration: configuration, initialSequenceNumber: UInt16(truncatingIfNeeded: random) & 0x7FFF,
            initialTimestamp: random &* 2_654_435_761)
        setPreference(maxLayer: maxLayer, paused: false)
    }

    /// Sets the highest layer to forward and whether the leg is paused. The forwarder switches at
    /// the next keyframe of the new layer, and resumes at one.
    func setPreference(maxLayer: Int?, paused: Bool) {
        self.maxLayer = maxLayer
        pausedByPreference = paused
        forwarder.setTargetLayer(maxLayer ?? upTrack.layerCount - 1)
        updatePause()
    }

    /// Pauses the forwarder while the publisher muted the track or the subscriber paused the leg.
    func updatePause() {
        if upTrack.muted || pausedByPreference {
            forwarder.pause()
        } else {
            forwarder.resume()
        }
    }

    /// Returns the layer whose keyframe this leg needs: the one forwarded, else the one it waits for.
    func neededLayer(now: Instant) -> Int {
        forwarder.currentLayer ?? forwarder.selectedLayer(now: now) ?? forwarder.targetLayer
    }

    /// Counts a switch when the forwarded layer changed since the last forwarded packet.
    func noteForwardedLayer() {
        guard let current = forwarder.currentLayer else { return }
        if let last = lastForwardedLayer, last != current { layerSwitches += 1 }
        lastForwardedLayer = current
    }
}
