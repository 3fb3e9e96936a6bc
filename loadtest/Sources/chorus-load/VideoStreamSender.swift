import Wire

/// Settings shared by every synthetic video stream of a run.
struct VideoShape {
    var framesPerSecond: Int
    /// Time between periodic keyframes.
    var keyframeIntervalMicroseconds: Int64
    /// Keyframes are this many times the mean frame size, picked at random per keyframe.
    var keyframeFactor: ClosedRange<Int>
    var endToEndEncrypted: Bool
    /// The key XORed into payloads after the probe header with end-to-end encryption; a stand-in for SFrame.
    var endToEndKey: [UInt8]
}

/// One outgoing VP8-shaped RTP stream: a single-layer track, or one simulcast layer. Frames are sized so that
/// the stream averages its bitrate, split into packets of at most 1200 bytes with the marker bit on the last.
/// Runs on the media loop thread; sending allocates nothing.
final class VideoStreamSender {
    static let maxPacketLength = 1200

    let ssrc: UInt32
    let layer: UInt8
    let bitrate: Int
    let width: Int
    let height: Int
    private let shape: VideoShape
    private let template: RTPHeaderTemplate
    /// The header of a keyframe's first packet, whose dependency descriptor carries the structure.
    private let structureTemplate: RTPHeaderTemplate?
    let history: PacketHistory
    private var random: SplitMix64

    private var sequenceNumber: UInt16
    private let timestampBase = UInt32.random(in: 0...UInt32.max)
    private(set) var lastTimestamp: UInt32 = 0
    private var frameNumber: UInt32 = 0
    private var pictureID = UInt16.random(in: 0...0x7FFF)
    private var keyframeRequested = true
    private var nextPeriodicKeyframe: Int64 = 0

    private(set) var packetsSent: UInt64 = 0
    private(set) var payloadBytesSent: UInt64 = 0
    private(set) var framesSent: UInt64 = 0
    private(set) var keyframesSent: UInt64 = 0
    private(set) var keyframeRequestsReceived: UInt64 = 0
    private(set) var retransmissions: UInt64 = 0
    private(set) var retransmissionMisses: UInt64 = 0

    init(
        ssrc: UInt32, layer: UInt8, bitrate: Int, width: Int, height: Int, shape: VideoShape,
        ids: NegotiatedExtensionIDs, rid: String?, seed: UInt64
    ) {
        self.ssrc = ssrc
        self.layer = layer
        self.bitrate = bitrate
        self.width = width
        self.height = height
        self.shape = shape
        random = SplitMix64(seed: seed)
        sequenceNumber = UInt16(truncatingIfNeeded: seed >> 16)
        var fixed: [(id: UInt8, value: [UInt8])] = []
        if let id = ids.mid { fixed.append((id, Array(PublishPlan.videoMid.utf8))) }
        if let id = ids.rid, let rid { fixed.append((id, Array(rid.utf8))) }
        let usesDescriptor = ids.dependencyDescriptor != nil
        template = RTPHeaderTemplate(
            payloadType: PublishPlan.videoPayloadType, ssrc: ssrc, ids: ids, fixed: fixed, audioLevel: false,
            dependencyDescriptorLength: usesDescriptor ? DependencyDescriptorWriter.mandatoryLength : nil)
        structureTemplate =
            usesDescriptor
            ? RTPHeaderTemplate(
                payloadType: PublishPlan.videoPayloadType, ssrc: ssrc, ids: ids, fixed: fixed, audioLevel: false,
                dependencyDescriptorLength: DependencyDescriptorWriter.withStructureLength) : nil
        // About a second of packets at this bitrate, enough for NACKs that arrive within a round trip or two.
        let packetsPerSecond = max(64, bitrate / 8 / 1000)
        history = PacketHistory(slotCount: min(1024, packetsPerSecond), seed: seed ^ 0x5EED)
    }

    /// Makes the next frame a keyframe, for PLI (RFC 4585 section 6.3.1) or FIR (RFC 5104 section 4.3.1).
    func requestKeyframe() {
        keyframeRequestsReceived += 1
        keyframeRequested = true
    }

    /// Builds and queues one frame captured at `captureTime` (microseconds, monotonic).
    func sendFrame(captureTime: Int64, transport: PeerTransport) {
        let isKeyframe = keyframeRequested || captureTime >= nextPeriodicKeyframe
        if isKeyframe {
            keyframeRequested = false
            nextPeriodicKeyframe = captureTime + shape.keyframeIntervalMicroseconds
        }
        let frameBytes = frameSize(isKeyframe: isKeyframe)
        let timestamp = timestampBase &+ UInt32(truncatingIfNeeded: captureTime * 9 / 100)
        lastTimestamp = timestamp
        frameNumber &+= 1
        pictureID = (pictureID &+ 1) & 0x7FFF

        let firstHeaderLength = (isKeyframe ? structureTemplate : nil)?.length ?? template.length
        let overhead = VideoPayloadLayout.descriptorLength + ProbeHeader.length
        let capacity = Self.maxPacketLength - max(firstHeaderLength, template.length) - overhead
        let packetCount = max(1, min(Int(UInt16.max), (frameBytes + capacity - 1) / capacity))
        let share = frameBytes / packetCount
        for index in 0..<packetCount {
            let content = share + (index < frameBytes % packetCount ? 1 : 0)
            writePacket(
                index: index, count: packetCount, content: content, isKeyframe: isKeyframe, timestamp: timestamp,
                captureTime: captureTime, frameBytes: frameBytes, transport: transport)
        }
        framesSent += 1
        if isKeyframe { keyframesSent += 1 }
    }

    /// Sends a stored packet again for a NACK; a packet no longer stored is counted and skipped.
    func retransmit(_ lost: UInt16, transport: PeerTransport) {
        guard let packet = history.packet(lost) else {
            retransmissionMisses += 1
            return
        }
        retransmissions += 1
        transport.sendRTP(packet, transportWideOffset: template.transportWideOffset)
    }

    private func frameSize(isKeyframe: Bool) -> Int {
        let mean = Double(bitrate) / 8 / Double(shape.framesPerSecond)
        if isKeyframe {
            return max(64, Int(mean * Double(random.next(in: shape.keyframeFactor))))
        }
        // Delta frames shrink so that periodic keyframes keep the average at the bitrate.
        let framesPerInterval = Double(shape.framesPerSecond) * Double(shape.keyframeIntervalMicroseconds) / 1e6
        let averageFactor = Double(shape.keyframeFactor.lowerBound + shape.keyframeFactor.upperBound) / 2
        let scale = max(0.2, (framesPerInterval - averageFactor) / max(1, framesPerInterval - 1))
        let jitter = 0.8 + 0.4 * random.nextUnit()
        return max(32, Int(mean * scale * jitter))
    }

    private func writePacket(
        index: Int, count: Int, content: Int, isKeyframe: Bool, timestamp: UInt32, captureTime: Int64,
        frameBytes: Int, transport: PeerTransport
    ) {
        let sequence = sequenceNumber
        sequenceNumber &+= 1
        let slot = history.slot(for: sequence)
        let first = index == 0
        let last = index == count - 1
        let header = first && isKeyframe ? (structureTemplate ?? template) : template
        var offset = header.write(into: slot, marker: last, sequenceNumber: sequence, timestamp: timestamp)
        header.patchAbsoluteSendTime(slot, microseconds: captureTime)
        if let descriptorOffset = header.dependencyDescriptorOffset {
            _ = DependencyDescriptorWriter.write(
                into: slot, at: descriptorOffset, startOfFrame: first, endOfFrame: last, keyFrame: isKeyframe,
                frameNumber: UInt16(truncatingIfNeeded: frameNumber), withStructure: first && isKeyframe)
        }
        let payloadStart = offset
        offset = writeVP8Headers(slot, at: offset, first: first, isKeyframe: isKeyframe, frameBytes: frameBytes)
        let probe = ProbeHeader(
            frameNumber: frameNumber, sendTimeMicroseconds: captureTime, packetIndex: UInt16(index),
            packetCount: UInt16(count), layer: layer, flags: isKeyframe ? ProbeHeader.keyframeFlag : 0)
        probe.write(into: slot, at: offset)
        offset += ProbeHeader.length
        // The content bytes are the slot's noise; the frame tag and descriptor count toward them.
        let contentStart = offset
        let end = min(payloadStart + VideoPayloadLayout.descriptorLength + ProbeHeader.length + content, slot.count)
        offset = max(offset, end)
        if shape.endToEndEncrypted {
            scramble(slot, from: contentStart, to: offset)
        }
        history.commit(sequence, length: offset)
        packetsSent += 1
        payloadBytesSent += UInt64(offset - header.length)
        transport.sendRTP(
            UnsafeRawBufferPointer(rebasing: slot[0..<offset]), transportWideOffset: header.transportWideOffset)
    }

    /// Writes the VP8 payload descriptor with a 15-bit picture ID (RFC 7741 section 4.2) and, on a frame's first
    /// packet, the frame tag (RFC 6386 section 9.1): P is 0 for a key frame, which also gets the start code and
    /// its dimensions.
    private func writeVP8Headers(
        _ slot: UnsafeMutableRawBufferPointer, at start: Int, first: Bool, isKeyframe: Bool, frameBytes: Int
    ) -> Int {
        slot[start] = 0x80 | (first ? 0x10 : 0)
        slot[start + 1] = 0x80
        slot.storeBigEndian(0x8000 | pictureID, at: start + 2)
        var offset = start + VideoPayloadLayout.descriptorLength
        guard first else { return offset }
        let partitionSize = UInt32(min(frameBytes, 0x7FFFF))
        let tag = partitionSize << 5 | 0x10 | (isKeyframe ? 0 : 1)
        slot[offset] = UInt8(truncatingIfNeeded: tag)
        slot[offset + 1] = UInt8(truncatingIfNeeded: tag >> 8)
        slot[offset + 2] = UInt8(truncatingIfNeeded: tag >> 16)
        offset += VideoPayloadLayout.deltaFrameTagLength
        guard isKeyframe else { return offset }
        slot[offset] = 0x9D
        slot[offset + 1] = 0x01
        slot[offset + 2] = 0x2A
        slot[offset + 3] = UInt8(truncatingIfNeeded: width)
        slot[offset + 4] = UInt8(truncatingIfNeeded: width >> 8) & 0x3F
        slot[offset + 5] = UInt8(truncatingIfNeeded: height)
        slot[offset + 6] = UInt8(truncatingIfNeeded: height >> 8) & 0x3F
        return offset + 7
    }

    private func scramble(_ slot: UnsafeMutableRawBufferPointer, from start: Int, to end: Int) {
        let key = shape.endToEndKey
        guard start < end, !key.isEmpty else { return }
        for index in start..<end {
            slot[index] ^= key[index % key.count]
        }
    }

    /// Sender report fields (RFC 3550 section 6.4.1): packets and payload octets sent so far.
    var senderReportCounts: (packets: UInt32, octets: UInt32) {
        (UInt32(truncatingIfNeeded: packetsSent), UInt32(truncatingIfNeeded: payloadBytesSent))
    }
}
