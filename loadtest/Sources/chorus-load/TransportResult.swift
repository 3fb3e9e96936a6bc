/// What one received track measured, copied off the media loop at the end of the run.
struct TrackResult {
    var slot: ReceivedTrackSlot
    var announcedAt: Int64
    var packetsReceived: UInt64
    var packetsExpected: Int64
    var packetsLost: Int64
    var duplicates: UInt64
    var bytesReceived: UInt64
    var firstPacketAt: Int64?
    var lastPacketAt: Int64
    var firstFrameAt: Int64?
    var framesComplete: UInt64
    var framesIncomplete: UInt64
    var keyframesComplete: UInt64
    var freezes: UInt64
    var freezeMicroseconds: Int64
    var latency: LatencyHistogram
    var framesPerLayer: [UInt64]
    var lastLayer: UInt8?
    var jitterMilliseconds: Double
    var packetsWithoutProbe: UInt64
    var keyframeRequestsSent: UInt64
    var nacksSent: UInt64

    init(_ receiver: TrackReceiver) {
        slot = receiver.slot
        announcedAt = receiver.announcedAt
        packetsReceived = receiver.sequence.received
        packetsExpected = receiver.sequence.expected
        packetsLost = receiver.sequence.lost
        duplicates = receiver.sequence.duplicates
        bytesReceived = receiver.bytesReceived
        firstPacketAt = receiver.firstPacketAt
        lastPacketAt = receiver.lastPacketAt
        firstFrameAt = receiver.firstFrameAt
        framesComplete = receiver.framesComplete
        framesIncomplete = receiver.framesIncomplete
        keyframesComplete = receiver.keyframesComplete
        freezes = receiver.freezes
        freezeMicroseconds = receiver.freezeMicroseconds
        latency = receiver.latency
        framesPerLayer = receiver.framesPerLayer
        lastLayer = receiver.lastLayer
        jitterMilliseconds = receiver.jitter * 1000 / Double(receiver.clockRate)
        packetsWithoutProbe = receiver.packetsWithoutProbe
        keyframeRequestsSent = receiver.keyframeRequestsSent
        nacksSent = receiver.nacksSent
    }

    /// Whether the subscriber got usable media: a complete video frame, or an audio packet.
    var isReceived: Bool { framesComplete > 0 }

    var lossPercent: Double {
        packetsExpected > 0 ? Double(max(0, packetsLost)) * 100 / Double(packetsExpected) : 0
    }

    /// Received bitrate in bits per second between the first and the last packet.
    var bitrate: Double {
        guard let first = firstPacketAt, lastPacketAt > first else { return 0 }
        return Double(bytesReceived) * 8 / (Double(lastPacketAt - first) / 1e6)
    }
}

/// What one outgoing stream sent.
struct StreamResult {
    var ssrc: UInt32
    var kind: String
    var layer: Int
    var targetBitrate: Int
    var packetsSent: UInt64
    var payloadBytesSent: UInt64
    var framesSent: UInt64
    var keyframesSent: UInt64
    var keyframeRequestsReceived: UInt64
    var retransmissions: UInt64
    /// The server's latest receiver report for this stream, as a fraction from 0 to 1.
    var serverReportedLoss: Double?
}

/// One transport's results, copied off its media loop.
struct TransportResult {
    var participantIndex: Int
    var role: PeerTransport.Role
    var state: String
    var connectedAt: Int64?
    var counters: TransportCounters
    var datagramsSent: UInt64
    var bytesSent: UInt64
    var tracks: [TrackResult]
    var streams: [StreamResult]
    var framesSkipped: UInt64

    init(_ transport: PeerTransport) {
        participantIndex = transport.participantIndex
        role = transport.role
        switch transport.state {
        case .waitingForAnswer: state = "waiting for answer"
        case .checking: state = "ICE checking"
        case .handshaking: state = "DTLS handshake"
        case .connected: state = "connected"
        case .failed(let reason): state = "failed: \(reason)"
        }
        connectedAt = transport.connectedAt
        counters = transport.counters
        datagramsSent = transport.sendBatch.sentCount
        bytesSent = transport.sendBatch.sentBytes
        tracks = transport.receivers.values.map(TrackResult.init).sorted { $0.slot.mid < $1.slot.mid }
        var streams: [StreamResult] = []
        func loss(_ ssrc: UInt32) -> Double? {
            transport.remoteFractionLost[ssrc].map { Double($0) / 256 }
        }
        if let audio = transport.audio {
            streams.append(
                StreamResult(
                    ssrc: audio.ssrc, kind: "audio", layer: 0, targetBitrate: 32_000, packetsSent: audio.packetsSent,
                    payloadBytesSent: audio.payloadBytesSent, framesSent: audio.packetsSent, keyframesSent: 0,
                    keyframeRequestsReceived: 0, retransmissions: audio.retransmissions,
                    serverReportedLoss: loss(audio.ssrc)))
        }
        for stream in transport.video?.streams ?? [] {
            streams.append(
                StreamResult(
                    ssrc: stream.ssrc, kind: "video", layer: Int(stream.layer), targetBitrate: stream.bitrate,
                    packetsSent: stream.packetsSent, payloadBytesSent: stream.payloadBytesSent,
                    framesSent: stream.framesSent, keyframesSent: stream.keyframesSent,
                    keyframeRequestsReceived: stream.keyframeRequestsReceived,
                    retransmissions: stream.retransmissions, serverReportedLoss: loss(stream.ssrc)))
        }
        self.streams = streams
        framesSkipped = transport.video?.framesSkipped ?? 0
    }
}
