import Forwarding
import RTCP
import RTP
import Wire

/// RTCP terminated per leg: what publishers and subscribers send is consumed here and never
/// forwarded; keyframe requests toward publishers are merged per track and layer.
extension MediaWorker {
    func handleRTCP(_ datagram: UnsafeMutableRawBufferPointer, session: PeerSession, now: Instant) {
        guard let inbound = session.inbound, let base = datagram.baseAddress else {
            counters.drop(.notConnected)
            return
        }
        let length: Int
        do {
            length = try inbound.unprotectRTCP(base, length: datagram.count)
        } catch {
            counters.drop(.srtpFailed)
            return
        }
        counters.rtcpIn += 1
        let bytes = UnsafeRawBufferPointer(rebasing: datagram[0..<length])
        let parsed = RTCPCompound.forEachPacket(in: bytes) { packet in
            switch session.role {
            case .publisher: handlePublisherRTCP(packet, session: session, now: now)
            case .subscriber: handleSubscriberRTCP(packet, session: session, now: now)
            }
        }
        if !parsed { counters.drop(.malformedRTCP) }
    }

    /// Takes sender reports for the receiver reports' LSR and DLSR and for the subscriber legs'
    /// sender reports. A publisher's other feedback concerns no media Chorus sends it.
    private func handlePublisherRTCP(_ packet: RTCPPacket, session: PeerSession, now: Instant) {
        guard case .senderReport(let report) = packet else { return }
        switch session.streamBindings[report.ssrc] {
        case .media(let stream):
            stream.statistics.receivedSenderReport(ntpTimestamp: report.ntpTimestamp, now: now)
            stream.senderReports.receivedSenderReport(
                ntpTimestamp: report.ntpTimestamp, rtpTimestamp: report.rtpTimestamp, now: now)
        case .rtx(let stream):
            stream.statistics.receivedSenderReport(ntpTimestamp: report.ntpTimestamp, now: now)
        case nil:
            break
        }
    }

    /// Handles a subscriber's keyframe requests and NACKs, and records its reception reports.
    private func handleSubscriberRTCP(_ packet: RTCPPacket, session: PeerSession, now: Instant) {
        switch packet {
        case .pictureLossIndication(_, let mediaSSRC):
            counters.keyframeRequestsReceived += 1
            if let downTrack = session.downTracksBySSRC[mediaSSRC] {
                downTrack.keyframeRequestsReceived += 1
                requestKeyframe(for: downTrack, now: now)
            }
        case .fullIntraRequest(let request):
            counters.keyframeRequestsReceived += 1
            for entry in request.entries {
                if let downTrack = session.downTracksBySSRC[entry.ssrc] {
                    downTrack.keyframeRequestsReceived += 1
                    requestKeyframe(for: downTrack, now: now)
                }
            }
        case .nack(let nack):
            counters.nacksReceived += 1
            if let downTrack = session.downTracksBySSRC[nack.mediaSSRC] {
                retransmit(nack.lostSequenceNumbers, on: downTrack, now: now)
            }
        case .receiverReport(let report):
            record(report.reports, from: session)
        case .senderReport(let report):
            record(report.reports, from: session)
        default:
            // Source descriptions, goodbyes and bandwidth feedback end at this leg.
            break
        }
    }

    private func record(_ blocks: [ReportBlock], from session: PeerSession) {
        for block in blocks {
            guard let downTrack = session.downTracksBySSRC[block.ssrc] else { continue }
            downTrack.reportedFractionLost = block.fractionLost
            downTrack.reportedCumulativeLost = block.cumulativeLost
        }
    }

    // MARK: Keyframe requests

    /// Asks the publisher for a keyframe of the layer `downTrack` forwards or waits for, unless the
    /// leg is paused and needs none.
    func requestKeyframe(for downTrack: DownTrack, now: Instant) {
        guard !downTrack.forwarder.isPaused else { return }
        downTrack.keyframeRequestsSent += 1
        requestKeyframe(downTrack.upTrack, layer: downTrack.neededLayer(now: now), now: now)
    }

    /// Sends a keyframe request for `layer` of `upTrack` now, or lets the throttle hold it until its
    /// interval ends, so that many subscribers asking at once cause one upstream request.
    func requestKeyframe(_ upTrack: UpTrack, layer: Int, now: Instant) {
        guard upTrack.isVideo, layer >= 0, layer < upTrack.layerCount, upTrack.stream(layer: layer) != nil else {
            return
        }
        if let firSequenceNumber = upTrack.keyframeRequests.request(layer: layer, now: now) {
            sendKeyframeRequest(upTrack, layer: layer, firSequenceNumber: firSequenceNumber)
        }
    }

    /// Sends a PLI (RFC 4585 section 6.3.1), or a FIR (RFC 5104 section 4.3.1) to a publisher that
    /// negotiated only that, for the SSRC of `layer`.
    func sendKeyframeRequest(_ upTrack: UpTrack, layer: Int, firSequenceNumber: UInt8) {
        let publisher = upTrack.publisher
        guard publisher.isConnected, let stream = upTrack.stream(layer: layer) else { return }
        counters.keyframeRequestsSent += 1
        if upTrack.usesFullIntraRequest {
            sendRTCP(
                RTCPWriter.fullIntraRequest(
                    senderSSRC: publisher.localSSRC, mediaSSRC: stream.ssrc, sequenceNumber: firSequenceNumber),
                to: publisher)
        } else {
            sendRTCP(RTCPWriter.pictureLossIndication(senderSSRC: publisher.localSSRC, mediaSSRC: stream.ssrc),
                     to: publisher)
        }
    }
}
