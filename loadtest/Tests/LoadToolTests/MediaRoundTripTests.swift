import Crypto
import RTP
import Testing
import Wire

@testable import chorus_load

/// Packets built by the senders, read back from their history and fed to a receiver, with time injected.
@Suite struct MediaRoundTripTests {
    static let frameInterval: Int64 = 33_333

    private func makeTransport() throws -> PeerTransport {
        // The transport is never started, so it sends nothing: sendRTP returns before the socket.
        try PeerTransport(
            participantIndex: 0, role: .publisher, certificate: Certificate.generate(),
            bindAddress: .v4(address: 0x7F00_0001, port: 0), batchCapacity: 4, status: StatusBoard(count: 1),
            loopStatistics: LoopStatistics())
    }

    private func shape(encrypted: Bool) -> VideoShape {
        VideoShape(
            framesPerSecond: 30, keyframeIntervalMicroseconds: 3_000_000, keyframeFactor: 5...10,
            endToEndEncrypted: encrypted, endToEndKey: [0x5A, 0xA5, 0x3C])
    }

    private func videoSender(encrypted: Bool) -> VideoStreamSender {
        var ids = NegotiatedExtensionIDs()
        ids.mid = 4
        // Seed 1 starts the sequence numbers at 0, so the test can read packets back in order.
        return VideoStreamSender(
            ssrc: 0xABCD, layer: 0, bitrate: 1_500_000, width: 1280, height: 720, shape: shape(encrypted: encrypted),
            ids: ids, rid: nil, seed: 1)
    }

    /// Returns the stored packets with sequence numbers `range`, which must all still be in the history.
    private func packets(_ history: PacketHistory, _ range: Range<Int>) throws -> [[UInt8]] {
        try range.map { sequence in
            let packet = try #require(history.packet(UInt16(truncatingIfNeeded: sequence)))
            return Array(packet)
        }
    }

    /// Feeds `packets` in order and returns the largest gap the receiver reported, which the owner NACKs.
    private func receive(_ packets: [[UInt8]], by receiver: TrackReceiver, at now: Int64) -> Int64 {
        var largestGap: Int64 = 0
        for packet in packets {
            packet.withUnsafeBytes { raw in
                guard let view = RTPPacketView.parse(raw) else {
                    Issue.record("sender wrote a packet that does not parse as RTP")
                    return
                }
                largestGap = max(
                    largestGap, receiver.received(view, packet: raw, now: now, statistics: LoopStatistics()))
            }
        }
        return largestGap
    }

    private func videoReceiver() -> TrackReceiver {
        TrackReceiver(
            slot: ReceivedTrackSlot(mid: "1", ssrc: 0xABCD, isVideo: true, trackSid: "TR", publisher: "p1"),
            announcedAt: 0)
    }

    @Test(arguments: [false, true])
    func framesAreReassembledWithLatency(encrypted: Bool) throws {
        let transport = try makeTransport()
        let sender = videoSender(encrypted: encrypted)
        let receiver = videoReceiver()
        let start: Int64 = 5_000_000
        var sent = 0
        for frame in 0..<3 {
            let capture = start + Int64(frame) * Self.frameInterval
            sender.sendFrame(captureTime: capture, transport: transport)
            let frameBytes = try packets(sender.history, sent..<Int(sender.packetsSent))
            sent = Int(sender.packetsSent)
            #expect(frameBytes.allSatisfy { $0.count <= VideoStreamSender.maxPacketLength })
            #expect(
                frameBytes.map { $0[1] & 0x80 != 0 } == Array(repeating: false, count: frameBytes.count - 1) + [true])
            _ = receive(frameBytes, by: receiver, at: capture + 700)
        }
        #expect(sender.keyframesSent == 1)
        #expect(receiver.framesComplete == 3)
        #expect(receiver.keyframesComplete == 1)
        #expect(receiver.framesIncomplete == 0)
        #expect(receiver.packetsWithoutProbe == 0)
        #expect(!receiver.needsKeyframe)
        #expect(receiver.latency.count == 3)
        let median = try #require(receiver.latency.percentile(0.5))
        #expect((650...750).contains(median))
        #expect(receiver.freezes == 0)
        #expect(receiver.firstFrameAt == start + 700)
    }

    @Test func keyframeHasVP8KeyFrameHeader() throws {
        let transport = try makeTransport()
        let sender = videoSender(encrypted: true)
        sender.sendFrame(captureTime: 1_000_000, transport: transport)
        let first = try #require(sender.history.packet(0))
        let view = try #require(RTPPacketView.parse(first))
        let payload = try #require(view.payload(in: first))
        let descriptor = try #require(VP8PayloadDescriptor.parse(payload))
        #expect(descriptor.isKeyFrame)
        #expect(descriptor.pictureID != nil)
    }

    @Test func gapBetweenFramesCountsFreeze() throws {
        let transport = try makeTransport()
        let sender = videoSender(encrypted: false)
        let receiver = videoReceiver()
        sender.sendFrame(captureTime: 1_000_000, transport: transport)
        let first = Int(sender.packetsSent)
        _ = receive(try packets(sender.history, 0..<first), by: receiver, at: 1_000_500)
        sender.sendFrame(captureTime: 1_300_000, transport: transport)
        _ = receive(try packets(sender.history, first..<Int(sender.packetsSent)), by: receiver, at: 1_300_500)
        #expect(receiver.freezes == 1)
        #expect(receiver.freezeMicroseconds == 300_000)
        receiver.finish(now: 1_400_000)
        #expect(receiver.freezes == 1)
        receiver.finish(now: 1_600_000)
        #expect(receiver.freezes == 2)
    }

    @Test func lostPacketLeavesFrameIncompleteAndAsksForKeyframe() throws {
        let transport = try makeTransport()
        let sender = videoSender(encrypted: false)
        let receiver = videoReceiver()
        var sent = 0
        var lostGap: Int64 = 0
        // Twenty frames span more than the receiver's assembly timeout, so it gives up on the broken frame.
        for frame in 0..<20 {
            let capture = 1_000_000 + Int64(frame) * Self.frameInterval
            sender.sendFrame(captureTime: capture, transport: transport)
            var frameBytes = try packets(sender.history, sent..<Int(sender.packetsSent))
            sent = Int(sender.packetsSent)
            if frame == 1 { frameBytes.removeFirst() }
            let gap = receive(frameBytes, by: receiver, at: capture + 500)
            if frame == 1 { lostGap = gap }
        }
        #expect(lostGap == 1)
        #expect(receiver.sequence.lost == 1)
        #expect(receiver.framesComplete == 19)
        #expect(receiver.framesIncomplete == 1)
        #expect(receiver.needsKeyframe)
    }

    @Test func audioPacketsCarryLevelAndLatency() throws {
        let transport = try makeTransport()
        var ids = NegotiatedExtensionIDs()
        ids.mid = 4
        ids.audioLevel = 1
        let sender = AudioSender(ssrc: 0x1111, ids: ids, shape: shape(encrypted: true), seed: 1)
        let receiver = TrackReceiver(
            slot: ReceivedTrackSlot(mid: "0", ssrc: 0x1111, isVideo: false, trackSid: "TR", publisher: "p1"),
            announcedAt: 0)
        sender.begin(at: 2_000_000)
        for step in Int64(0)...10 {
            sender.sendDue(now: 2_000_000 + step * AudioSender.packetInterval, transport: transport)
        }
        #expect(sender.packetsSent == 11)
        let sent = try packets(sender.history, 0..<Int(sender.packetsSent))
        for packet in sent {
            packet.withUnsafeBytes { raw in
                let view = RTPPacketView.parse(raw)
                let level = view.flatMap { $0.extensionElement(id: 1, in: raw) }.flatMap(AudioLevel.parse)
                #expect(level?.voice == true)
            }
        }
        _ = receive(sent, by: receiver, at: 2_300_000)
        #expect(receiver.framesComplete == 11)
        #expect(receiver.latency.count == 11)
        #expect(receiver.latency.maximum == 300_000)
    }

    /// A loop that stalls does not burst the packets it missed: it skips them, as a real capture would.
    @Test func stalledAudioSkipsMissedPackets() throws {
        let transport = try makeTransport()
        let sender = AudioSender(ssrc: 0x1111, ids: NegotiatedExtensionIDs(), shape: shape(encrypted: false), seed: 1)
        sender.begin(at: 0)
        sender.sendDue(now: 50 * AudioSender.packetInterval, transport: transport)
        #expect(sender.packetsSent == 1)
        #expect(sender.nextPacketAt == 51 * AudioSender.packetInterval)
    }
}
