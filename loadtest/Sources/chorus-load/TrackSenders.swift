import Wire

/// A video track: one stream, or three simulcast streams sent frame by frame together, as a browser's encoder
/// produces them from one capture.
final class VideoTrackSender {
    let streams: [VideoStreamSender]
    private let frameInterval: Int64
    /// When the next frame is captured, in microseconds on the monotonic clock.
    private(set) var nextFrameAt: Int64
    private(set) var framesSkipped: UInt64 = 0

    init(streams: [VideoStreamSender], framesPerSecond: Int) {
        self.streams = streams
        frameInterval = 1_000_000 / Int64(framesPerSecond)
        nextFrameAt = .max
    }

    /// Sets the first capture time, once the transport is connected.
    func begin(at start: Int64) {
        nextFrameAt = start
    }

    /// Sends the frames due by `now`. A loop running more than three frames late skips the missed captures, as
    /// a camera would, and counts them.
    func sendDue(now: Int64, transport: PeerTransport) {
        guard now >= nextFrameAt else { return }
        if now - nextFrameAt > 3 * frameInterval {
            let missed = (now - nextFrameAt) / frameInterval
            framesSkipped += UInt64(missed)
            nextFrameAt += missed * frameInterval
        }
        for stream in streams {
            stream.sendFrame(captureTime: nextFrameAt, transport: transport)
        }
        nextFrameAt += frameInterval
        transport.flush()
    }

    func stream(ssrc: UInt32) -> VideoStreamSender? {
        streams.first { $0.ssrc == ssrc }
    }
}

/// An Opus-shaped audio track: a 20 ms packet every 20 ms while talking, sized like speech at about 32 kbit/s,
/// and in silences discontinuous transmission (RFC 7587 section 3.1.3): a small packet every 400 ms. The audio
/// level extension (RFC 6464) carries the voice flag and a level, and the marker bit starts each talk spurt.
final class AudioSender {
    static let packetInterval: Int64 = 20_000
    static let samplesPerPacket: UInt32 = 960
    /// In silence only every 20th packet interval sends, one packet per 400 ms.
    static let silencePacketEvery = 20

    let ssrc: UInt32
    private let template: RTPHeaderTemplate
    let history: PacketHistory
    private let shape: VideoShape
    private var random: SplitMix64

    private var sequenceNumber: UInt16
    private var timestamp = UInt32.random(in: 0...UInt32.max)
    private(set) var nextPacketAt: Int64
    private var talking = true
    private var spurtEndsAt: Int64
    private var silentIntervals = 0
    private var startsSpurt = true
    private var packetNumber: UInt32 = 0

    private(set) var packetsSent: UInt64 = 0
    private(set) var payloadBytesSent: UInt64 = 0
    private(set) var retransmissions: UInt64 = 0
    var lastTimestamp: UInt32 { timestamp }

    init(ssrc: UInt32, ids: NegotiatedExtensionIDs, shape: VideoShape, seed: UInt64) {
        self.ssrc = ssrc
        self.shape = shape
        random = SplitMix64(seed: seed)
        sequenceNumber = UInt16(truncatingIfNeeded: seed >> 24)
        var fixed: [(id: UInt8, value: [UInt8])] = []
        if let id = ids.mid { fixed.append((id, Array(PublishPlan.audioMid.utf8))) }
        template = RTPHeaderTemplate(
            payloadType: PublishPlan.audioPayloadType, ssrc: ssrc, ids: ids, fixed: fixed, audioLevel: true,
            dependencyDescriptorLength: nil)
        history = PacketHistory(slotCount: 128, seed: seed ^ 0xA0D1)
        nextPacketAt = .max
        spurtEndsAt = .max
    }

    /// Sets the first packet time, once the transport is connected.
    func begin(at start: Int64) {
        nextPacketAt = start
        spurtEndsAt = start + Int64(random.next(in: 1_000...3_000)) * 1000
    }

    func sendDue(now: Int64, transport: PeerTransport) {
        var sent = false
        while now >= nextPacketAt {
            if now - nextPacketAt > 5 * Self.packetInterval {
                // A stalled loop skips the missed packet times rather than bursting them.
                let missed = (now - nextPacketAt) / Self.packetInterval
                timestamp &+= UInt32(truncatingIfNeeded: missed) &* Self.samplesPerPacket
                nextPacketAt += missed * Self.packetInterval
            }
            sent = sendPacket(at: nextPacketAt, transport: transport) || sent
            timestamp &+= Self.samplesPerPacket
            nextPacketAt += Self.packetInterval
        }
        if sent { transport.flush() }
    }

    private func sendPacket(at captureTime: Int64, transport: PeerTransport) -> Bool {
        if captureTime >= spurtEndsAt {
            talking.toggle()
            let length = talking ? random.next(in: 1_000...4_000) : random.next(in: 500...3_000)
            spurtEndsAt = captureTime + Int64(length) * 1000
            silentIntervals = 0
            startsSpurt = talking
        }
        if !talking {
            silentIntervals += 1
            guard silentIntervals % Self.silencePacketEvery == 1 else { return false }
        }

        let sequence = sequenceNumber
        sequenceNumber &+= 1
        packetNumber &+= 1
        let slot = history.slot(for: sequence)
        var offset = template.write(into: slot, marker: startsSpurt, sequenceNumber: sequence, timestamp: timestamp)
        startsSpurt = false
        if let levelOffset = template.audioLevelOffset {
            // The V bit then the level in -dBov (RFC 6464 section 3), written in place to avoid an array.
            let level = talking ? UInt8(random.next(in: 20...45)) : 127
            slot[levelOffset] = (talking ? 0x80 : 0) | level
        }
        let probe = ProbeHeader(
            frameNumber: packetNumber, sendTimeMicroseconds: captureTime, packetIndex: 0, packetCount: 1, layer: 0,
            flags: ProbeHeader.audioFlag)
        let payloadStart = offset
        probe.write(into: slot, at: offset)
        offset += ProbeHeader.length
        // Speech at about 32 kbit/s is 60 to 100 bytes per 20 ms; a DTX comfort-noise update is a few bytes.
        offset += talking ? random.next(in: 60...100) : 3
        if shape.endToEndEncrypted {
            let key = shape.endToEndKey
            for index in (payloadStart + ProbeHeader.length)..<offset {
                slot[index] ^= key[index % key.count]
            }
        }
        history.commit(sequence, length: offset)
        packetsSent += 1
        payloadBytesSent += UInt64(offset - template.length)
        transport.sendRTP(
            UnsafeRawBufferPointer(rebasing: slot[0..<offset]), transportWideOffset: template.transportWideOffset)
        return true
    }

    func retransmit(_ lost: UInt16, transport: PeerTransport) {
        guard let packet = history.packet(lost) else { return }
        retransmissions += 1
        transport.sendRTP(packet, transportWideOffset: template.transportWideOffset)
    }

    var senderReportCounts: (packets: UInt32, octets: UInt32) {
        (UInt32(truncatingIfNeeded: packetsSent), UInt32(truncatingIfNeeded: payloadBytesSent))
    }
}
