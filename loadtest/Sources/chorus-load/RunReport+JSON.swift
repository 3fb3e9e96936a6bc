import Foundation

/// The JSON report, described field by field in loadtest/README.md. Durations are in milliseconds, bitrates
/// in kbit/s, loss in percent.
extension RunReport {
    func json() -> [String: Any] {
        let options = data.options
        var report: [String: Any] = [
            "tool": "chorus-load", "reportVersion": 1, "runId": data.runID,
            "startedAt": ISO8601DateFormatter().string(from: data.startedAt),
            "joinSeconds": round3(data.joinSeconds), "mediaSeconds": round3(data.mediaSeconds),
            "options": optionsJSON(options),
            "total": summaryJSON(total),
            "rooms": rooms.map { room -> [String: Any] in
                var object = summaryJSON(room.summary)
                object["name"] = room.name
                return object
            },
            "participants": participantsJSON(),
            "datagrams": ["clientSent": datagramsSent, "clientReceived": datagramsReceived],
            "socketQueues": [
                "clientSocketDrops": queues.clientSocketDrops as Any,
                "serverSocketDrops": queues.serverSocketDrops as Any,
                "maxClientQueuedBytes": queues.maxClientQueuedBytes,
            ],
            "loadTool": ["cpuSeconds": round3(data.loadToolCPUSeconds), "mediaThreads": options.threads],
            "timeline": data.timeline.map(timelineJSON),
            "thresholds": [
                "maxLossPercent": options.maxLossPercent as Any,
                "maxLatencyP99Ms": options.maxLatencyP99Milliseconds as Any,
                "minConnected": options.minConnected?.text as Any, "passed": failures.isEmpty, "failures": failures,
            ],
        ]
        let mediaBytesOut = data.mediaEndTotals.bytesSent - data.mediaStartTotals.bytesSent
        let mediaBytesIn = data.mediaEndTotals.bytesReceived - data.mediaStartTotals.bytesReceived
        report["mediaBitrateKbps"] = [
            "out": round3(Double(mediaBytesOut) * 8 / 1000 / max(data.mediaSeconds, 0.001)),
            "in": round3(Double(mediaBytesIn) * 8 / 1000 / max(data.mediaSeconds, 0.001)),
        ]
        if let server {
            var object: [String: Any] = [
                "cpuSeconds": round3(server.cpuSeconds), "packetsIn": server.packetsIn, "packetsOut": server.packetsOut,
                "packetsDropped": server.packetsDropped, "residentBytes": server.residentBytes,
                "residentBytesBefore": server.residentBytesBefore,
                "residentBytesPerParticipant": round3(server.residentBytes / Double(max(1, total.participants))),
                "residentGrowthBytesPerParticipant":
                    round3((server.residentBytes - server.residentBytesBefore) / Double(max(1, total.participants))),
                "nacksReceived": server.nacksReceived, "keyframeRequestsReceived": server.keyframeRequestsReceived,
                "keyframeRequestsSent": server.keyframeRequestsSent,
            ]
            object["packetsOutPerCpuSecond"] = server.packetsOutPerCPUSecond.map(round3) as Any
            report["server"] = object
        } else {
            report["server"] = NSNull()
        }
        return report
    }

    /// Writes the report to `path`, keys sorted, so that two reports diff cleanly.
    func write(to path: String) throws {
        let data = try JSONSerialization.data(
            withJSONObject: sanitized(json()), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func optionsJSON(_ options: LoadOptions) -> [String: Any] {
        [
            "url": options.url, "mode": options.mode.rawValue, "rooms": options.rooms, "publishers": options.publishers,
            "subscribers": options.subscribers, "publishersSubscribe": options.publishersSubscribe,
            "durationSeconds": options.durationSeconds, "videoBitrate": options.videoBitrate,
            "framesPerSecond": options.framesPerSecond, "keyframeIntervalSeconds": options.keyframeIntervalSeconds,
            "audio": options.audio, "video": options.video, "simulcast": options.simulcast, "e2ee": options.e2ee,
            "dependencyDescriptor": options.dependencyDescriptor, "joinRate": options.joinRate,
            "threads": options.threads, "scenario": options.scenarioPath as Any,
        ]
    }

    private func summaryJSON(_ summary: Summary) -> [String: Any] {
        [
            "participants": summary.participants, "publishers": summary.publishers, "connected": summary.connected,
            "participantsWithErrors": summary.errors,
            "tracksExpected": summary.tracksExpected, "tracksReceived": summary.tracksReceived,
            "rtpPacketsExpected": summary.rtpExpected, "rtpPacketsReceived": summary.rtpReceived,
            "rtpPacketsLost": max(0, summary.rtpLost), "lossPercent": round3(summary.lossPercent),
            "duplicates": summary.duplicates,
            "latencyMs": histogramJSON(summary.latency), "videoFrameLatencyMs": histogramJSON(summary.videoLatency),
            "audioLatencyMs": histogramJSON(summary.audioLatency),
            "framesComplete": summary.framesComplete, "framesIncomplete": summary.framesIncomplete,
            "freezes": summary.freezes, "freezeSeconds": round3(Double(summary.freezeMicroseconds) / 1e6),
            "timeToFirstFrameMs": histogramJSON(summary.timeToFirstFrame),
            "connectTimeMs": histogramJSON(summary.connectTime),
            "receivedBitrateKbps": round3(summary.receivedBitrate / 1000),
            "videoFramesSent": summary.videoFramesSent, "keyframesSent": summary.keyframesSent,
            "keyframeRequestsSent": summary.keyframeRequestsSent, "nacksSent": summary.nacksSent,
        ]
    }

    private func participantsJSON() -> [[String: Any]] {
        let transportsByParticipant = Dictionary(grouping: data.transports, by: \.participantIndex)
        return data.plans.map { plan in
            let entry = data.statuses[plan.index]
            let transports = transportsByParticipant[plan.index] ?? []
            let connectedAt = ParticipantState.connectedAt(plan, entry)
            let tracks = transports.flatMap(\.tracks)
            return [
                "identity": plan.identity, "room": plan.room, "publishes": plan.publishes,
                "subscribes": plan.subscribes, "connected": connectedAt != nil,
                "connectTimeMs": zip(connectedAt, entry.startedAt).map { milliseconds($0 - $1) } as Any,
                "errors": entry.errors, "tracksExpected": plan.expectedTracks,
                "tracksOffered": entry.tracksOffered,
                "tracksReceived": tracks.filter(\.isReceived).count,
                "tracks": tracks.map(trackJSON),
                "sent": transports.flatMap(\.streams).map(streamJSON),
                "transports": transports.map(transportJSON),
            ]
        }
    }

    private func trackJSON(_ track: TrackResult) -> [String: Any] {
        [
            "publisher": track.slot.publisher, "trackSid": track.slot.trackSid, "mid": track.slot.mid,
            "kind": track.slot.isVideo ? "video" : "audio", "ssrc": track.slot.ssrc,
            "packetsReceived": track.packetsReceived, "packetsExpected": track.packetsExpected,
            "packetsLost": max(0, track.packetsLost),
            "lossPercent": round3(track.lossPercent),
            "duplicates": track.duplicates, "bytesReceived": track.bytesReceived,
            "bitrateKbps": round3(track.bitrate / 1000), "framesComplete": track.framesComplete,
            "framesIncomplete": track.framesIncomplete, "keyframesComplete": track.keyframesComplete,
            "freezes": track.freezes, "freezeSeconds": round3(Double(track.freezeMicroseconds) / 1e6),
            "timeToFirstFrameMs": track.firstFrameAt.map { milliseconds($0 - track.announcedAt) } as Any,
            "latencyMs": histogramJSON(track.latency), "jitterMs": round3(track.jitterMilliseconds),
            "framesPerLayer": track.framesPerLayer, "layer": track.lastLayer.map(Int.init) as Any,
            "packetsWithoutProbe": track.packetsWithoutProbe, "keyframeRequestsSent": track.keyframeRequestsSent,
            "nacksSent": track.nacksSent,
        ]
    }

    private func streamJSON(_ stream: StreamResult) -> [String: Any] {
        [
            "ssrc": stream.ssrc, "kind": stream.kind, "layer": stream.layer, "targetBitrate": stream.targetBitrate,
            "packetsSent": stream.packetsSent, "payloadBytesSent": stream.payloadBytesSent,
            "framesSent": stream.framesSent, "keyframesSent": stream.keyframesSent,
            "keyframeRequestsReceived": stream.keyframeRequestsReceived, "retransmissions": stream.retransmissions,
            "serverReportedLossPercent": stream.serverReportedLoss.map { round3($0 * 100) } as Any,
        ]
    }

    private func transportJSON(_ transport: TransportResult) -> [String: Any] {
        [
            "role": transport.role.rawValue, "state": transport.state,
            "datagramsSent": transport.datagramsSent, "bytesSent": transport.bytesSent,
            "datagramsReceived": transport.counters.datagramsReceived,
            "bytesReceived": transport.counters.bytesReceived, "rtcpSent": transport.counters.rtcpSent,
            "rtcpReceived": transport.counters.rtcpReceived, "unprotectFailures": transport.counters.unprotectFailures,
            "unknownSSRC": transport.counters.unknownSSRC, "ignored": transport.counters.ignored,
            "nacksReceived": transport.counters.nacksReceived,
            "keyframeRequestsReceived": transport.counters.keyframeRequestsReceived,
            "framesSkipped": transport.framesSkipped,
        ]
    }

    private func timelineJSON(_ point: TimelinePoint) -> [String: Any] {
        [
            "t": round3(point.seconds), "phase": point.phase, "connected": point.connected,
            "bitrateOutKbps": round3(point.bitrateOutKbps), "bitrateInKbps": round3(point.bitrateInKbps),
            "datagramsOutPerSecond": round3(point.datagramsOutPerSecond),
            "datagramsInPerSecond": round3(point.datagramsInPerSecond), "lossPercent": round3(point.lossPercent),
            "latencyP50Ms": point.latencyP50Milliseconds.map(round3) as Any,
            "latencyP99Ms": point.latencyP99Milliseconds.map(round3) as Any,
            "clientQueuedBytes": point.clientQueuedBytes as Any, "clientSocketDrops": point.clientSocketDrops as Any,
            "serverSocketDrops": point.serverSocketDrops as Any,
        ]
    }

    private func histogramJSON(_ histogram: LatencyHistogram) -> [String: Any] {
        [
            "samples": histogram.count,
            "p50": histogram.percentile(0.5).map(milliseconds) as Any,
            "p90": histogram.percentile(0.9).map(milliseconds) as Any,
            "p99": histogram.percentile(0.99).map(milliseconds) as Any,
            "max": histogram.count > 0 ? milliseconds(histogram.maximum) : NSNull(),
            "mean": histogram.mean.map { round3($0 / 1000) } as Any,
        ]
    }
}

private func milliseconds(_ microseconds: Int64) -> Double {
    round3(Double(microseconds) / 1000)
}

private func round3(_ value: Double) -> Double {
    (value * 1000).rounded() / 1000
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

/// Replaces the nil values that `as Any` produces for absent optionals with JSON null, recursively, since
/// JSONSerialization rejects Optional.none.
private func sanitized(_ value: Any) -> Any {
    switch value {
    case let dictionary as [String: Any]:
        return dictionary.mapValues(sanitized)
    case let array as [Any]:
        return array.map(sanitized)
    default:
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            return mirror.children.first.map { sanitized($0.value) } ?? NSNull()
        }
        return value
    }
}
