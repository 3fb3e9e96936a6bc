/// Figures aggregated over a set of participants: one room, or the whole run.
struct Summary {
    var participants = 0
    var publishers = 0
    var connected = 0
    var tracksExpected = 0
    var tracksReceived = 0
    var rtpExpected: Int64 = 0
    var rtpReceived: UInt64 = 0
    var rtpLost: Int64 = 0
    var duplicates: UInt64 = 0
    var latency = LatencyHistogram()
    var videoLatency = LatencyHistogram()
    var audioLatency = LatencyHistogram()
    var framesComplete: UInt64 = 0
    var framesIncomplete: UInt64 = 0
    var freezes: UInt64 = 0
    var freezeMicroseconds: Int64 = 0
    var timeToFirstFrame = LatencyHistogram()
    var connectTime = LatencyHistogram()
    /// Sum of each received track's bitrate over its own active time.
    var receivedBitrate: Double = 0
    var videoFramesSent: UInt64 = 0
    var keyframesSent: UInt64 = 0
    var keyframeRequestsSent: UInt64 = 0
    var nacksSent: UInt64 = 0
    var errors = 0

    var lossPercent: Double {
        rtpExpected > 0 ? Double(max(0, rtpLost)) * 100 / Double(rtpExpected) : 0
    }

    mutating func add(plan: ParticipantPlan, entry: StatusBoard.Entry, transports: [TransportResult]) {
        participants += 1
        if plan.publishes { publishers += 1 }
        tracksExpected += plan.expectedTracks
        if !entry.errors.isEmpty { errors += 1 }
        if let connectedAt = ParticipantState.connectedAt(plan, entry), let started = entry.startedAt {
            connected += 1
            connectTime.record(connectedAt - started)
        }
        for transport in transports {
            for stream in transport.streams where stream.kind == "video" {
                videoFramesSent += stream.framesSent
                keyframesSent += stream.keyframesSent
            }
            for track in transport.tracks {
                add(track)
            }
        }
        tracksReceived += min(plan.expectedTracks, transports.flatMap(\.tracks).filter(\.isReceived).count)
    }

    private mutating func add(_ track: TrackResult) {
        rtpExpected += track.packetsExpected
        rtpReceived += track.packetsReceived
        rtpLost += track.packetsLost
        duplicates += track.duplicates
        latency.merge(track.latency)
        if track.slot.isVideo {
            videoLatency.merge(track.latency)
            framesComplete += track.framesComplete
            framesIncomplete += track.framesIncomplete
            freezes += track.freezes
            freezeMicroseconds += track.freezeMicroseconds
        } else {
            audioLatency.merge(track.latency)
        }
        if let first = track.firstFrameAt {
            timeToFirstFrame.record(first - track.announcedAt)
        }
        receivedBitrate += track.bitrate
        keyframeRequestsSent += track.keyframeRequestsSent
        nacksSent += track.nacksSent
    }

    mutating func merge(_ other: Summary) {
        participants += other.participants
        publishers += other.publishers
        connected += other.connected
        tracksExpected += other.tracksExpected
        tracksReceived += other.tracksReceived
        rtpExpected += other.rtpExpected
        rtpReceived += other.rtpReceived
        rtpLost += other.rtpLost
        duplicates += other.duplicates
        latency.merge(other.latency)
        videoLatency.merge(other.videoLatency)
        audioLatency.merge(other.audioLatency)
        framesComplete += other.framesComplete
        framesIncomplete += other.framesIncomplete
        freezes += other.freezes
        freezeMicroseconds += other.freezeMicroseconds
        timeToFirstFrame.merge(other.timeToFirstFrame)
        connectTime.merge(other.connectTime)
        receivedBitrate += other.receivedBitrate
        videoFramesSent += other.videoFramesSent
        keyframesSent += other.keyframesSent
        keyframeRequestsSent += other.keyframeRequestsSent
        nacksSent += other.nacksSent
        errors += other.errors
    }
}

/// The server's figures from its `/metrics` before and after the run.
struct ServerFigures {
    var cpuSeconds: Double
    var packetsIn: Double
    var packetsOut: Double
    var packetsDropped: Double
    var residentBytes: Double
    var residentBytesBefore: Double
    var nacksReceived: Double
    var keyframeRequestsReceived: Double
    var keyframeRequestsSent: Double

    init?(before: ServerMetrics?, after: ServerMetrics?) {
        guard let before, let after else { return nil }
        func delta(_ name: String) -> Double { (after[name] ?? 0) - (before[name] ?? 0) }
        cpuSeconds = delta("process_cpu_seconds_total")
        packetsIn = delta("chorus_packets_in_total")
        packetsOut = delta("chorus_packets_out_total")
        packetsDropped = delta("chorus_packets_dropped_total")
        residentBytes = after["process_resident_memory_bytes"] ?? 0
        residentBytesBefore = before["process_resident_memory_bytes"] ?? 0
        nacksReceived = delta("chorus_nacks_received_total")
        keyframeRequestsReceived = delta("chorus_keyframe_requests_received_total")
        keyframeRequestsSent = delta("chorus_keyframe_requests_sent_total")
    }

    /// Datagrams the server sent per second of its CPU time: the forwarding cost figure.
    var packetsOutPerCPUSecond: Double? {
        cpuSeconds > 0 ? packetsOut / cpuSeconds : nil
    }
}
