/// The header fields of one incoming RTP packet (RFC 3550 section 5.1) that `SimulcastForwarder`
/// reads, after the caller mapped its SSRC or rid (RFC 8852) to a layer and ran keyframe detection.
public struct ForwardingPacket: Equatable, Sendable {
    /// Simulcast layer, 0 for the lowest quality.
    public var layer: Int
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var marker: Bool
    /// Whether the packet starts a keyframe, a point where decoding can start.
    public var isKeyframeStart: Bool
    /// Whether the packet carries no payload, only padding (a bandwidth probe).
    public var isPadding: Bool
    /// Payload length in bytes, without header and padding.
    public var payloadLength: Int

    public init(
        layer: Int,
        sequenceNumber: UInt16,
        timestamp: UInt32,
        marker: Bool = false,
        isKeyframeStart: Bool = false,
        isPadding: Bool = false,
        payloadLength: Int = 0
    ) {
        self.layer = layer
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.marker = marker
        self.isKeyframeStart = isKeyframeStart
        self.isPadding = isPadding
        self.payloadLength = payloadLength
    }
}

/// The reason `SimulcastForwarder` did not forward a packet. Each reason deserves its own counter.
public enum ForwardingDropReason: Int, CaseIterable, Sendable {
    case paused
    /// A padding-only packet, which the subscriber leg never receives as media.
    case padding
    /// A packet of a layer other than the one being forwarded.
    case notSelectedLayer
    /// Nothing is forwarded yet, or since a resume, and the packet is no keyframe of the target layer.
    case waitingForKeyframe
    /// A packet of the forwarded layer older than the keyframe the forwarder switched at.
    case beforeSwitchPoint
    /// A late packet whose outgoing sequence number is no longer known.
    case tooLate
    case duplicate
    /// A sequence number far from the stream's, not yet confirmed by the next packet.
    case sequenceJump
    /// A timestamp far from the stream's clock, not yet confirmed by the next packet.
    case timestampJump
    /// A layer index outside the forwarder's layers.
    case invalidLayer
}

/// The forwarder's decision for one packet.
public enum ForwardingAction: Equatable, Sendable {
    /// Send the packet with these header fields. The marker bit is the incoming one.
    case forward(sequenceNumber: UInt16, timestamp: UInt32, marker: Bool)
    case drop(ForwardingDropReason)
}

public struct ForwardingResult: Equatable, Sendable {
    public var action: ForwardingAction
    /// A layer to request a keyframe of from the publisher, through `KeyframeRequestThrottle`.
    public var keyframeRequestLayer: Int?

    public init(action: ForwardingAction, keyframeRequestLayer: Int? = nil) {
        self.action = action
        self.keyframeRequestLayer = keyframeRequestLayer
    }
}
