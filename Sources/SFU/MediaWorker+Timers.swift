import Forwarding
import RTCP
import Wire

/// When the worker's periodic work is next due.
struct MediaTimers {
    var housekeeping = Instant(microseconds: 0)
    var feedback = Instant(microseconds: 0)
    var reports = Instant(microseconds: 0)
    var speakers = Instant(microseconds: 0)
}

/// Periodic work of the worker: DTLS retransmissions, NACKs and held keyframe requests toward
/// publishers, receiver and sender reports once a second, active speakers, and session expiry.
extension MediaWorker {
    /// Interval of the NACK and keyframe request polls; the NACK generator's first delay is 20 ms.
    static let feedbackIntervalMilliseconds: Int64 = 10
    /// Interval of receiver and sender reports. RFC 3550 section 6.2 scales it with the session
    /// bandwidth; one second is what WebRTC endpoints use for their own reports.
    static let reportIntervalMilliseconds: Int64 = 1000
    /// Interval of active speaker updates, so that the callback runs at most 4 times a second.
    static let speakerIntervalMilliseconds: Int64 = 250
    /// Bitrate announced in REMB messages to publishers that negotiated `goog-remb`.
    ///
    /// NOTE: this is a fixed cap, not an estimate, kept until a receive-side estimator replaces it.
    /// Without it Chromium 156 ramps up slowly from its start bitrate: in
    /// tests/interop/test_simulcast_chromium.py its 1280x720 layer started after about 20 s, and
    /// with it within a second.
    static let announcedPublisherBitrate: UInt64 = 5_000_000

    func tick(now: Instant) -> Instant? {
        var deadline = now.adding(milliseconds: 1000)
        for session in sessionsByID.values where session.state != .connected {
            if let due = session.dtls.nextDeadline {
                if due <= now {
                    send(session.dtls.poll(now: now), to: session)
                }
                if let next = session.dtls.nextDeadline, next < deadline { deadline = next }
            }
        }
        if now >= timers.feedback {
            timers.feedback = now.adding(milliseconds: Self.feedbackIntervalMilliseconds)
            pollFeedback(now: now)
        }
        if now >= timers.reports {
            timers.reports = now.adding(milliseconds: Self.reportIntervalMilliseconds)
            sendReports(now: now)
        }
        if now >= timers.speakers {
            timers.speakers = now.adding(milliseconds: Self.speakerIntervalMilliseconds)
            updateSpeakers(now: now)
        }
        if now >= timers.housekeeping {
            timers.housekeeping = now.adding(milliseconds: 1000)
            expireSessions(now: now)
        }
        deadline = min(deadline, timers.feedback, timers.reports, timers.speakers)
        sendBatch.flush()
        return deadline
    }

    /// Sends the NACKs that are due for packets missing from publisher streams, and the keyframe
    /// requests the throttles held.
    private func pollFeedback(now: Instant) {
        for session in sessionsByID.values where session.role == .publisher && session.isConnected {
            for track in session.upTracksByMid.values {
                if let due = track.keyframeRequests.nextDeadline, due <= now {
                    var requests: [(layer: Int, firSequenceNumber: UInt8)] = []
                    track.keyframeRequests.poll(now: now) { requests.append(($0, $1)) }
                    for request in requests {
                        sendKeyframeRequest(track, layer: request.layer, firSequenceNumber: request.firSequenceNumber)
                    }
                }
                guard track.description.codecs.contains(where: { $0.hasFeedback("nack") }) else { continue }
                for stream in track.knownStreams where stream.nackGenerator.missingCount > 0 {
                    guard let due = stream.nackGenerator.nextDeadline, due <= now else { continue }
                    stream.nackGenerator.poll(now: now, into: &nackList)
                    guard !nackList.isEmpty else { continue }
                    counters.nacksSent += 1
                    sendRTCP(
                        RTCPWriter.nack(senderSSRC: session.localSSRC, mediaSSRC: stream.ssrc, lost: nackList),
                        to: session)
                }
            }
        }
    }

    /// Sends each publisher a receiver report for every stream it sends (with a REMB where it
    /// negotiated one), and each subscriber a sender report for every leg that sent media.
    private func sendReports(now: Instant) {
        for session in sessionsByID.values where session.isConnected {
            switch session.role {
            case .publisher: sendReceiverReports(to: session, now: now)
            case .subscriber: sendSenderReports(to: session, now: now)
            }
        }
    }

    private func sendReceiverReports(to session: PeerSession, now: Instant) {
        var blocks: [ReportBlock] = []
        for binding in session.streamBindings.values {
            let block: ReportBlock?
            switch binding {
            case .media(let stream): block = stream.statistics.makeReportBlock(now: now)
            case .rtx(let stream): block = stream.statistics.makeReportBlock(now: now)
            }
            if let block { blocks.append(block) }
        }
        var compound: [UInt8] = []
        var start = 0
        while start < blocks.count {
            let chunk = Array(blocks[start..<min(start + 31, blocks.count)])
            compound += RTCPWriter.receiverReport(ssrc: session.localSSRC, reports: chunk)
            counters.receiverReportsSent += 1
            start += 31
        }
        let rembSSRCs = session.upTracksByMid.values.filter(\.acceptsREMB).flatMap { $0.knownStreams.map(\.ssrc) }
        if !rembSSRCs.isEmpty {
            compound += RTCPWriter.remb(
                senderSSRC: session.localSSRC, bitrate: Self.announcedPublisherBitrate,
                ssrcs: Array(rembSSRCs.prefix(255)))
        }
        if !compound.isEmpty { sendRTCP(compound, to: session) }
    }

    private func sendSenderReports(to session: PeerSession, now: Instant) {
        var compound: [UInt8] = []
        for downTrack in session.downTracksBySSRC.values where downTrack.packetsSent > 0 {
            let forwarder = downTrack.forwarder
            guard let layer = forwarder.currentLayer, let stream = downTrack.upTrack.stream(layer: layer),
                let report = stream.senderReports.senderReport(
                    ssrc: downTrack.ssrc, timestampOffset: forwarder.timestampOffset,
                    counters: downTrack.sendCounters, now: now)
            else { continue }
            compound += RTCPWriter.senderReport(
                ssrc: report.ssrc, ntpTimestamp: report.ntpTimestamp, rtpTimestamp: report.rtpTimestamp,
                packetCount: report.packetCount, octetCount: report.octetCount, reports: [])
            counters.senderReportsSent += 1
            // A sender report is 28 bytes; keep each datagram well under a typical MTU.
            if compound.count > 1000 {
                sendRTCP(compound, to: session)
                compound.removeAll()
            }
        }
        if !compound.isEmpty { sendRTCP(compound, to: session) }
    }

    private func updateSpeakers(now: Instant) {
        for (room, speakers) in speakersByRoom {
            if let ranking = speakers.update(now: now) {
                onActiveSpeakers?(room, ranking)
            }
            if speakers.isEmpty { speakersByRoom[room] = nil }
        }
    }

    /// Closes sessions whose peer stopped sending ICE checks (RFC 7675 consent freshness).
    private func expireSessions(now: Instant) {
        let timeout = configuration.iceTimeoutMilliseconds
        var expired: [PeerSession] = []
        for session in sessionsByID.values {
            let lastSeen = session.ice.lastRequestAt ?? session.createdAt
            if now.milliseconds(since: lastSeen) > timeout { expired.append(session) }
        }
        for session in expired {
            log("session timed out", session: session, detail: "no ICE check for \(timeout) ms")
            close(session, reason: "ICE timeout", notify: true)
        }
    }
}
