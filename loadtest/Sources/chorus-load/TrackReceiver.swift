import RTP
import Wire

/// Receive-side measurements of one track forwarded to one subscriber, keyed by the SSRC the server sends it
/// with. Runs on the media loop thread; `received` allocates nothing.
final class TrackReceiver {
    /// A gap longer than this between two complete video frames counts as a freeze, as in WebRTC's statistics.
    static let freezeThresholdMicroseconds: Int64 = 200_000
    /// Frames assembled at once; an older frame still incomplete when a newer one needs its place is counted
    /// incomplete.
    private static let pendingFrameCount = 6
    /// A frame still incomplete this long after its first packet is counted incomplete. On loopback a
    /// retransmission requested by NACK arrives well within it.
    static let frameAssemblyTimeoutMicroseconds: Int64 = 500_000

    let slot: ReceivedTrackSlot
    let clockRate: Int
    /// When the subscriber learned of the track, the start of its time to first frame.
    let announcedAt: Int64

    private(set) var sequence = SequenceTracker()
    private(set) var latency = LatencyHistogram()
    private(set) var bytesReceived: UInt64 = 0
    private(set) var firstPacketAt: Int64?
    private(set) var lastPacketAt: Int64 = 0
    private(set) var firstFrameAt: Int64?
    private(set) var lastCompleteFrameAt: Int64?
    private(set) var framesComplete: UInt64 = 0
    private(set) var framesIncomplete: UInt64 = 0
    private(set) var keyframesComplete: UInt64 = 0
    private(set) var freezes: UInt64 = 0
    private(set) var freezeMicroseconds: Int64 = 0
    /// Packets whose payload had no probe header, so they count for loss but not for frames or latency.
    private(set) var packetsWithoutProbe: UInt64 = 0
    /// Complete frames per simulcast layer, lowest first.
    private(set) var framesPerLayer: [UInt64] = [0, 0, 0, 0]
    private(set) var lastLayer: UInt8?
    /// Interarrival jitter in RTP timestamp units (RFC 3550 section 6.4.1).
    private(set) var jitter: Double = 0
    private var lastTransit: Int64?

    /// Set until a complete keyframe arrives, and again after a loss; the owner sends PLI while it is set.
    var needsKeyframe: Bool
    var lastKeyframeRequestAt: Int64 = 0
    var keyframeRequestsSent: UInt64 = 0
    var nacksSent: UInt64 = 0

    /// Sender report state for receiver report blocks (RFC 3550 section 6.4.1): the middle 32 bits of the last
    /// SR's NTP timestamp and when it arrived.
    var lastSenderReport: (ntpMiddle: UInt32, arrivedAt: Int64)?
    var expectedAtLastReport: Int64 = 0
    var receivedAtLastReport: UInt64 = 0

    private struct PendingFrame {
        var key: UInt64 = .max
        var received: UInt16 = 0
        var count: UInt16 = 0
        var sendTime: Int64 = 0
        var firstArrival: Int64 = 0
        var isKeyframe = false
        var layer: UInt8 = 0
    }

    private var pending = [PendingFrame](repeating: PendingFrame(), count: TrackReceiver.pendingFrameCount)

    init(slot: ReceivedTrackSlot, announcedAt: Int64) {
        self.slot = slot
        self.clockRate = slot.isVideo ? 90000 : 48000
        self.announcedAt = announcedAt
        needsKeyframe = slot.isVideo
    }

    /// Accounts one unprotected RTP packet. Returns how many sequence numbers just before it are missing, so
    /// the owner can send a NACK for them; 0 for a packet in order, a late one or a duplicate.
    func received(
        _ view: RTPPacketView, packet: UnsafeRawBufferPointer, now: Int64, statistics: LoopStatistics
    ) -> Int64 {
        let outcome = sequence.record(view.sequenceNumber)
        guard case .new(let gap) = outcome else { return 0 }
        if firstPacketAt == nil { firstPacketAt = now }
        lastPacketAt = now
        bytesReceived += UInt64(packet.count)
        updateJitter(timestamp: view.timestamp, now: now)

        guard let payload = view.payload(in: packet),
            let probe = ProbeHeader.find(in: payload, expectedOffset: probeOffset(payload))
        else {
            packetsWithoutProbe += 1
            return gap
        }
        if slot.isVideo {
            assemble(probe, now: now, statistics: statistics)
        } else {
            latency.record(now - probe.sendTimeMicroseconds)
            statistics.intervalLatency.record(now - probe.sendTimeMicroseconds)
            completeFrame(layer: 0, now: now)
        }
        return gap
    }

    /// Returns where the probe header starts: first in audio, and in video after the VP8 payload descriptor and,
    /// on a frame's first packet, the VP8 frame tag (RFC 7741 section 4.2, RFC 6386 section 9.1).
    private func probeOffset(_ payload: UnsafeRawBufferPointer) -> Int {
        guard slot.isVideo else { return 0 }
        guard let descriptor = VP8PayloadDescriptor.parse(payload) else { return VideoPayloadLayout.descriptorLength }
        var offset = descriptor.headerLength
        if descriptor.startOfPartition, descriptor.partitionIndex == 0, offset < payload.count {
            offset +=
                payload[offset] & 0x01 == 0
                ? VideoPayloadLayout.keyFrameTagLength : VideoPayloadLayout.deltaFrameTagLength
        }
        return offset
    }

    private func assemble(_ probe: ProbeHeader, now: Int64, statistics: LoopStatistics) {
        let key = UInt64(probe.frameNumber) << 8 | UInt64(probe.layer)
        var index = pending.firstIndex { $0.key == key }
        if index == nil {
            expireIncompleteFrames(now: now)
            let free = pending.firstIndex { $0.key == .max }
            let chosen = free ?? oldestPendingIndex()
            if free == nil {
                // The frame it replaces can no longer complete, so a decoder would ask for a keyframe.
                framesIncomplete += 1
                needsKeyframe = true
            }
            pending[chosen] = PendingFrame(
                key: key, received: 0, count: probe.packetCount, sendTime: probe.sendTimeMicroseconds,
                firstArrival: now, isKeyframe: probe.isKeyframe, layer: probe.layer)
            index = chosen
        }
        guard let index else { return }
        pending[index].received += 1
        guard pending[index].received >= pending[index].count else { return }

        let frame = pending[index]
        pending[index] = PendingFrame()
        latency.record(now - frame.sendTime)
        statistics.intervalLatency.record(now - frame.sendTime)
        if frame.isKeyframe {
            keyframesComplete += 1
            needsKeyframe = false
        }
        completeFrame(layer: frame.layer, now: now)
    }

    /// Gives up on frames whose missing packets did not arrive in time.
    private func expireIncompleteFrames(now: Int64) {
        for index in pending.indices where pending[index].key != .max {
            guard now - pending[index].firstArrival > Self.frameAssemblyTimeoutMicroseconds else { continue }
            pending[index] = PendingFrame()
            framesIncomplete += 1
            needsKeyframe = true
        }
    }

    private func oldestPendingIndex() -> Int {
        var oldest = 0
        for index in 1..<pending.count where pending[index].firstArrival < pending[oldest].firstArrival {
            oldest = index
        }
        return oldest
    }

    private func completeFrame(layer: UInt8, now: Int64) {
        framesComplete += 1
        if firstFrameAt == nil { firstFrameAt = now }
        if slot.isVideo, let last = lastCompleteFrameAt, now - last > Self.freezeThresholdMicroseconds {
            freezes += 1
            freezeMicroseconds += now - last
        }
        lastCompleteFrameAt = now
        if Int(layer) < framesPerLayer.count { framesPerLayer[Int(layer)] += 1 }
        lastLayer = layer
    }

    private func updateJitter(timestamp: UInt32, now: Int64) {
        let arrival = now * Int64(clockRate) / 1_000_000
        let transit = arrival - Int64(timestamp)
        if let lastTransit {
            let difference = Double(abs(Int64(Int32(truncatingIfNeeded: transit - lastTransit))))
            jitter += (difference - jitter) / 16
        }
        lastTransit = transit
    }

    /// Counts frames still incomplete, and a trailing freeze when the run ends while frames had stopped arriving.
    func finish(now: Int64) {
        for index in pending.indices where pending[index].key != .max {
            pending[index] = PendingFrame()
            framesIncomplete += 1
        }
        guard slot.isVideo, let last = lastCompleteFrameAt, now - last > Self.freezeThresholdMicroseconds else {
            return
        }
        freezes += 1
        freezeMicroseconds += now - last
        lastCompleteFrameAt = now
    }
}

/// Byte layout of the synthetic VP8 payloads, shared by sender and receiver.
enum VideoPayloadLayout {
    /// X, I and a 15-bit picture ID (RFC 7741 section 4.2), as browsers send.
    static let descriptorLength = 4
    /// Frame tag, start code, width and height (RFC 6386 section 9.1).
    static let keyFrameTagLength = 10
    static let deltaFrameTagLength = 3
}
