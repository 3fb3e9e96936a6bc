import RTCP
import Wire

/// RTCP as a browser sends and answers it: sender reports from publishers, receiver reports, NACK and PLI from
/// subscribers, and keyframes and retransmissions in answer to the server's feedback.
extension PeerTransport {
    /// A subscriber asks for a keyframe this long after its first packet when none has completed, and then
    /// at most this often.
    static let keyframeRequestIntervalMicroseconds: Int64 = 1_000_000

    func handleRTCP(_ bytes: UnsafeRawBufferPointer, now: Int64) {
        RTCPCompound.forEachPacket(in: bytes) { packet in
            switch packet {
            case .pictureLossIndication(_, let mediaSSRC):
                counters.keyframeRequestsReceived += 1
                video?.stream(ssrc: mediaSSRC)?.requestKeyframe()
            case .fullIntraRequest(let request):
                counters.keyframeRequestsReceived += 1
                for entry in request.entries {
                    video?.stream(ssrc: entry.ssrc)?.requestKeyframe()
                }
            case .nack(let nack):
                counters.nacksReceived += 1
                retransmit(nack)
            case .senderReport(let report):
                receivers[report.ssrc]?.lastSenderReport = (UInt32(truncatingIfNeeded: report.ntpTimestamp >> 16), now)
                recordReportBlocks(report.reports)
            case .receiverReport(let report):
                recordReportBlocks(report.reports)
            default:
                break
            }
        }
        flush()
    }

    private func retransmit(_ nack: GenericNACK) {
        if let stream = video?.stream(ssrc: nack.mediaSSRC) {
            for lost in nack.lostSequenceNumbers { stream.retransmit(lost, transport: self) }
        } else if let audio, audio.ssrc == nack.mediaSSRC {
            for lost in nack.lostSequenceNumbers { audio.retransmit(lost, transport: self) }
        }
    }

    private func recordReportBlocks(_ blocks: [ReportBlock]) {
        for block in blocks {
            remoteFractionLost[block.ssrc] = block.fractionLost
        }
    }

    /// Sends a sender report per outgoing stream, or a receiver report covering the received streams, each
    /// with a CNAME (RFC 3550 section 6.1 requires SDES in every compound packet).
    func sendReports(now: Int64) {
        var compound: [UInt8] = []
        let ntp = ntpTimestampNow()
        var senders: [(ssrc: UInt32, timestamp: UInt32, counts: (packets: UInt32, octets: UInt32))] = []
        if let audio { senders.append((audio.ssrc, audio.lastTimestamp, audio.senderReportCounts)) }
        for stream in video?.streams ?? [] {
            senders.append((stream.ssrc, stream.lastTimestamp, stream.senderReportCounts))
        }
        for sender in senders {
            compound += RTCPWriter.senderReport(
                ssrc: sender.ssrc, ntpTimestamp: ntp, rtpTimestamp: sender.timestamp,
                packetCount: sender.counts.packets, octetCount: sender.counts.octets, reports: [])
        }
        if senders.isEmpty {
            let blocks = receivers.values.prefix(31).map { reportBlock(for: $0, now: now) }
            compound += RTCPWriter.receiverReport(ssrc: localSSRC, reports: blocks)
        }
        compound += RTCPWriter.sourceDescription(ssrc: senders.first?.ssrc ?? localSSRC, cname: local.ufrag)
        sendRTCP(compound)
    }

    /// Builds a report block (RFC 3550 section 6.4.1) from the receiver's counts since the previous report.
    private func reportBlock(for receiver: TrackReceiver, now: Int64) -> ReportBlock {
        let expected = receiver.sequence.expected
        let received = receiver.sequence.received
        let expectedInterval = expected - receiver.expectedAtLastReport
        let receivedInterval = Int64(received) - Int64(receiver.receivedAtLastReport)
        receiver.expectedAtLastReport = expected
        receiver.receivedAtLastReport = received
        let lostInterval = expectedInterval - receivedInterval
        let fraction =
            expectedInterval > 0 && lostInterval > 0 ? UInt8(min(255, lostInterval * 256 / expectedInterval)) : 0
        var delaySinceLastReport: UInt32 = 0
        if let last = receiver.lastSenderReport {
            // DLSR is in units of 1/65536 s.
            delaySinceLastReport = UInt32(truncatingIfNeeded: (now - last.arrivedAt) * 65536 / 1_000_000)
        }
        return ReportBlock(
            ssrc: receiver.slot.ssrc, fractionLost: fraction,
            cumulativeLost: Int32(clamping: receiver.sequence.lost),
            extendedHighestSequence: UInt32(truncatingIfNeeded: receiver.sequence.extendedHighest),
            jitter: UInt32(min(receiver.jitter, Double(UInt32.max))), lastSR: receiver.lastSenderReport?.ntpMiddle ?? 0,
            delaySinceLastSR: delaySinceLastReport)
    }

    /// Sends a PLI (RFC 4585 section 6.3.1) for each video track that needs a keyframe: none has completed
    /// since its first packet, or a frame was lost since.
    func requestKeyframesIfNeeded(now: Int64) {
        for receiver in receivers.values where receiver.slot.isVideo && receiver.needsKeyframe {
            guard let first = receiver.firstPacketAt,
                now - first >= Self.keyframeRequestIntervalMicroseconds / 2,
                now - receiver.lastKeyframeRequestAt >= Self.keyframeRequestIntervalMicroseconds
            else { continue }
            receiver.lastKeyframeRequestAt = now
            receiver.keyframeRequestsSent += 1
            sendRTCP(RTCPWriter.pictureLossIndication(senderSSRC: localSSRC, mediaSSRC: receiver.slot.ssrc))
        }
    }

    /// Sends a generic NACK (RFC 4585 section 6.2.1) for the `gap` sequence numbers just before `newest`.
    func sendNACK(for receiver: TrackReceiver, newest: UInt16, gap: Int64) {
        var lost: [UInt16] = []
        lost.reserveCapacity(Int(gap))
        for distance in stride(from: gap, through: 1, by: -1) {
            lost.append(newest &- UInt16(truncatingIfNeeded: distance))
        }
        receiver.nacksSent += 1
        sendRTCP(RTCPWriter.nack(senderSSRC: localSSRC, mediaSSRC: receiver.slot.ssrc, lost: lost))
    }

    /// Sends the frames and audio packets due by `now`; returns when the next one is due.
    func sendMediaDue(now: Int64) -> Int64 {
        guard state == .connected, !isQuiet else { return now + 20_000 }
        var next = Int64.max
        if let video {
            video.sendDue(now: now, transport: self)
            next = min(next, video.nextFrameAt)
        }
        if let audio {
            audio.sendDue(now: now, transport: self)
            next = min(next, audio.nextPacketAt)
        }
        return next
    }
}
