import Wire

/// Selects one simulcast layer (RFC 8853) of a published track for one subscriber and rewrites
/// sequence numbers and timestamps (RFC 3550 section 5.1) so that the subscriber receives a
/// single continuous RTP stream.
///
/// The forwarder reads only header fields, so it works for end-to-end encrypted media. Rules:
///
/// - A switch to another layer happens only at a keyframe of that layer (any packet, for audio).
///   Until then the current layer keeps flowing. The first packet forwarded, and the first after
///   a resume, is such a switch.
/// - Outgoing sequence numbers stay contiguous across switches. Outgoing timestamps strictly
///   increase at a switch: the first packet of the new layer gets the highest timestamp sent
///   plus the wall time elapsed since it was sent, in RTP units, and at least 1.
/// - Late packets of the current layer get the outgoing number they would have had, within a
///   window of `mappingCapacity` packets. Packets older than the switch point are dropped.
/// - Padding-only packets are never forwarded, never count as layer activity, and take no
///   outgoing number.
/// - The forwarded layer is the highest active layer at or below the target, where a layer is
///   active when media arrived on it within `layerTimeout`. When no such layer is active it is
///   the lowest active layer above the target. So a layer that stops makes the forwarder fall
///   back at the next keyframe of a lower one.
/// - While the forwarded layer is not the one selected, the result requests a keyframe of the
///   selected layer, at once when the selection changes and then once per `keyframeRequestInterval`.
/// - A sequence number or timestamp that jumps far is dropped until the next packet confirms
///   the jump (the bad_seq rule of RFC 3550 appendix A.1). A confirmed jump continues the
///   outgoing numbering and timestamps as a switch does.
public struct SimulcastForwarder {
    public struct Configuration: Sendable {
        /// RTP clock rate of the track's codec, such as 90000 for video.
        public var clockRate: Int
        /// Whether switches wait for a keyframe: true for video, false for audio.
        public var requiresKeyframe: Bool
        public var layerCount = 3
        /// A layer without media for this long is inactive.
        public var layerTimeoutMilliseconds: Int64 = 1000
        public var keyframeRequestIntervalMilliseconds: Int64 = 500
        /// Packets remembered for late packets and NACK translation; a power of two.
        public var mappingCapacity = 512

        public init(clockRate: Int, requiresKeyframe: Bool) {
            self.clockRate = clockRate
            self.requiresKeyframe = requiresKeyframe
        }
    }

    public let configuration: Configuration
    /// The layer whose packets are forwarded, or nil before the first keyframe and after a resume.
    public private(set) var currentLayer: Int?
    /// The layer the subscriber asked for.
    public private(set) var targetLayer: Int
    public private(set) var isPaused = false
    /// Outgoing minus incoming timestamp on the current layer, for sender report translation.
    public private(set) var timestampOffset: UInt32 = 0

    private let initialTimestamp: UInt32
    private var sequenceNumbers: SequenceNumberMap
    private var timestampFilter: TimestampJumpFilter
    private var lastMediaAt: [Instant?]
    private var highestTimestamp: (timestamp: UInt32, sentAt: Instant)?
    private var lastKeyframeRequest: (layer: Int, at: Instant)?
    /// The sequence number that confirms a pending jump on the current layer.
    private var sequenceJumpConfirmation: UInt16?
    private var keyframeNeededOnCurrentLayer = false

    /// - Parameters:
    ///   - initialSequenceNumber: the first outgoing sequence number, random (RFC 3550 section 5.1).
    ///   - initialTimestamp: the first outgoing timestamp, random.
    public init(configuration: Configuration, initialSequenceNumber: UInt16, initialTimestamp: UInt32) {
        precondition(configuration.clockRate > 0, "an RTP clock rate is positive")
        precondition(configuration.layerCount > 0, "a track has at least one layer")
        self.configuration = configuration
        self.initialTimestamp = initialTimestamp
        targetLayer = configuration.layerCount - 1
        sequenceNumbers = SequenceNumberMap(
            capacity: configuration.mappingCapacity, initialSequenceNumber: initialSequenceNumber)
        timestampFilter = TimestampJumpFilter(clockRate: configuration.clockRate)
        lastMediaAt = Array(repeating: nil, count: configuration.layerCount)
    }

    /// Selects the layer to forward from the next keyframe on, clamped to the track's layers.
    public mutating func setTargetLayer(_ layer: Int) {
        targetLayer = min(max(layer, 0), configuration.layerCount - 1)
    }

    /// Stops forwarding, for a subscriber that paused the track or lacks the bandwidth for it.
    public mutating func pause() {
        isPaused = true
    }

    /// Resumes forwarding at the next keyframe of the selected layer.
    public mutating func resume() {
        guard isPaused else { return }
        isPaused = false
        currentLayer = nil
    }

    /// Returns the layer and incoming sequence number behind an outgoing sequence number that the
    /// subscriber reports lost, or nil when it is unknown, too old, or was never media.
    public func incomingPacket(forOutgoing sequenceNumber: UInt16) -> (layer: Int, sequenceNumber: UInt16)? {
        sequenceNumbers.incoming(forOutgoing: sequenceNumber)
    }

    /// Returns the layer to forward at `now`: the highest active layer at or below the target,
    /// else the lowest active one above it.
    public func selectedLayer(now: Instant) -> Int? {
        var layer = targetLayer
        while layer >= 0 {
            if isActive(layer, now: now) { return layer }
            layer -= 1
        }
        for higher in (targetLayer + 1)..<configuration.layerCount where isActive(higher, now: now) {
            return higher
        }
        return nil
    }

    /// Decides what to do with one incoming packet of any layer of the track.
    public mutating func forward(_ packet: ForwardingPacket, now: Instant) -> ForwardingResult {
        guard packet.layer >= 0, packet.layer < configuration.layerCount else {
            return ForwardingResult(action: .drop(.invalidLayer))
        }
        if !packet.isPadding {
            lastMediaAt[packet.layer] = now
        }
        guard !isPaused else { return ForwardingResult(action: .drop(.paused)) }

        let selected = selectedLayer(now: now)
        let action: ForwardingAction
        if packet.layer == selected, packet.layer != currentLayer, !packet.isPadding,
            packet.isKeyframeStart || !configuration.requiresKeyframe
        {
            action = switchLayer(to: packet, now: now)
        } else if packet.layer == currentLayer {
            action = forwardOnCurrentLayer(packet, now: now)
        } else if packet.isPadding {
            action = .drop(.padding)
        } else {
            action = .drop(currentLayer == nil ? .waitingForKeyframe : .notSelectedLayer)
        }
        return ForwardingResult(action: action, keyframeRequestLayer: keyframeRequest(selected: selected, now: now))
    }

    private func isActive(_ layer: Int, now: Instant) -> Bool {
        guard let last = lastMediaAt[layer] else { return false }
        return now.milliseconds(since: last) < configuration.layerTimeoutMilliseconds
    }

    private mutating func keyframeRequest(selected: Int?, now: Instant) -> Int? {
        guard configuration.requiresKeyframe, !isPaused else { return nil }

        let layer: Int
        if let selected, selected != currentLayer {
            layer = selected
        } else if keyframeNeededOnCurrentLayer, let currentLayer {
            layer = currentLayer
        } else {
            return nil
        }
        if let last = lastKeyframeRequest, last.layer == layer,
            now.milliseconds(since: last.at) < configuration.keyframeRequestIntervalMilliseconds
        {
            return nil
        }
        lastKeyframeRequest = (layer, now)
        keyframeNeededOnCurrentLayer = false
        return layer
    }

    private mutating func switchLayer(to packet: ForwardingPacket, now: Instant) -> ForwardingAction {
        currentLayer = packet.layer
        sequenceJumpConfirmation = nil
        keyframeNeededOnCurrentLayer = false
        return startSegment(at: packet, now: now)
    }

    /// Starts numbering `packet`'s layer at `packet`, continuing the outgoing sequence numbers
    /// and timestamps.
    private mutating func startSegment(at packet: ForwardingPacket, now: Instant) -> ForwardingAction {
        sequenceNumbers.startSegment(layer: packet.layer, sequenceNumber: packet.sequenceNumber)
        timestampFilter.reset()
        _ = timestampFilter.check(packet.timestamp, now: now)
        timestampOffset = nextTimestamp(now: now) &- packet.timestamp

        guard !packet.isPadding else {
            _ = sequenceNumbers.assignNewest(sequenceNumbers.segmentStart, skip: true)
            return .drop(.padding)
        }
        let sequenceNumber = sequenceNumbers.assignNewest(sequenceNumbers.segmentStart, skip: false)
        return emit(packet, sequenceNumber: sequenceNumber, now: now)
    }

    /// Returns the timestamp of the first packet after a switch or jump: the highest sent plus
    /// the elapsed wall time, and at least 1 more.
    private func nextTimestamp(now: Instant) -> UInt32 {
        guard let highest = highestTimestamp else { return initialTimestamp }
        // Capped at one hour, which keeps the step within half the 32-bit timestamp space.
        let elapsed = min(max(0, now.microseconds - highest.sentAt.microseconds), 3_600_000_000)
        let step = max(1, elapsed * Int64(configuration.clockRate) / 1_000_000)
        return highest.timestamp &+ UInt32(truncatingIfNeeded: step)
    }

    private mutating func forwardOnCurrentLayer(_ packet: ForwardingPacket, now: Instant) -> ForwardingAction {
        switch sequenceNumbers.position(of: packet.sequenceNumber) {
        case .newest(let extended):
            return forwardNewest(packet, extended: extended, now: now)

        case .late(let extended):
            switch sequenceNumbers.assignLate(extended, skip: packet.isPadding) {
            case .forward(let sequenceNumber):
                return emit(packet, sequenceNumber: sequenceNumber, now: now)
            case .duplicate:
                return .drop(.duplicate)
            case .tooLate:
                return .drop(.tooLate)
            case .skipped:
                return .drop(.padding)
            }

        case .beforeSegment:
            return .drop(.beforeSwitchPoint)

        case .jump:
            guard packet.sequenceNumber == sequenceJumpConfirmation else {
                sequenceJumpConfirmation = packet.sequenceNumber &+ 1
                return .drop(.sequenceJump)
            }
            // Two packets in sequence: the stream restarted its numbering without a keyframe
            // promise, so ask for one.
            sequenceJumpConfirmation = nil
            keyframeNeededOnCurrentLayer = true
            return startSegment(at: packet, now: now)
        }
    }

    private mutating func forwardNewest(_ packet: ForwardingPacket, extended: Int64, now: Instant) -> ForwardingAction {
        guard !packet.isPadding else {
            _ = sequenceNumbers.assignNewest(extended, skip: true)
            return .drop(.padding)
        }

        switch timestampFilter.check(packet.timestamp, now: now) {
        case .accepted:
            break
        case .rejected:
            _ = sequenceNumbers.assignNewest(extended, skip: true)
            return .drop(.timestampJump)
        case .confirmedJump:
            timestampOffset = nextTimestamp(now: now) &- packet.timestamp
        }
        let sequenceNumber = sequenceNumbers.assignNewest(extended, skip: false)
        return emit(packet, sequenceNumber: sequenceNumber, now: now)
    }

    private mutating func emit(_ packet: ForwardingPacket, sequenceNumber: UInt16?, now: Instant) -> ForwardingAction {
        guard let sequenceNumber else { return .drop(.padding) }

        let timestamp = packet.timestamp &+ timestampOffset
        if let highest = highestTimestamp {
            if isNewer(timestamp, than: highest.timestamp) {
                highestTimestamp = (timestamp, now)
            }
        } else {
            highestTimestamp = (timestamp, now)
        }
        return .forward(sequenceNumber: sequenceNumber, timestamp: timestamp, marker: packet.marker)
    }
}
