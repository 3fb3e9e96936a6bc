import Foundation

/// The results of a run: summaries per room and in total, server figures, the client's datagram counts and
/// the threshold verdict. Renders the summary table and the JSON report.
struct RunReport {
    let data: RunData
    let rooms: [(name: String, summary: Summary)]
    let total: Summary
    let server: ServerFigures?
    let datagramsSent: UInt64
    let datagramsReceived: UInt64
    let queues: QueueFigures
    let failures: [String]

    init(_ data: RunData) {
        self.data = data
        let transportsByParticipant = Dictionary(grouping: data.transports, by: \.participantIndex)
        var rooms: [(name: String, summary: Summary)] = []
        var total = Summary()
        for roomIndex in 0..<data.options.rooms {
            var summary = Summary()
            for plan in data.plans where plan.roomIndex == roomIndex {
                summary.add(
                    plan: plan, entry: data.statuses[plan.index], transports: transportsByParticipant[plan.index] ?? [])
            }
            rooms.append((data.plans.first { $0.roomIndex == roomIndex }?.room ?? "", summary))
            total.merge(summary)
        }
        self.rooms = rooms
        self.total = total
        server = ServerFigures(before: data.serverBefore, after: data.serverAfter)
        datagramsSent = data.transports.reduce(0) { $0 + $1.datagramsSent }
        datagramsReceived = data.transports.reduce(0) { $0 + $1.counters.datagramsReceived }
        queues = QueueFigures(data.timeline)
        failures = Self.thresholdFailures(data.options, total)
    }

    private static func thresholdFailures(_ options: LoadOptions, _ total: Summary) -> [String] {
        var failures: [String] = []
        // A run in which no participant connected measured nothing, whatever thresholds were given.
        if total.participants > 0, total.connected == 0 {
            failures.append("no participant connected; check --url and the server's log")
        }
        if let maxLoss = options.maxLossPercent {
            if total.tracksExpected > 0, total.rtpExpected == 0 {
                failures.append("no RTP packet was received, so loss cannot be measured (--max-loss \(maxLoss)%)")
            } else if total.lossPercent > maxLoss {
                failures.append(
                    String(format: "RTP loss %.3f%% exceeds --max-loss %.3f%%", total.lossPercent, maxLoss))
            }
        }
        if let maxLatency = options.maxLatencyP99Milliseconds {
            if let p99 = total.latency.percentile(0.99) {
                let milliseconds = Double(p99) / 1000
                if milliseconds > maxLatency {
                    failures.append(
                        String(
                            format: "latency p99 %.1f ms exceeds --max-latency-p99 %.1f ms", milliseconds, maxLatency))
                }
            } else if total.tracksExpected > 0 {
                failures.append("no latency was measured (--max-latency-p99 \(maxLatency) ms)")
            }
        }
        if let minConnected = options.minConnected {
            let required = minConnected.required(of: total.participants)
            if total.connected < required {
                failures.append(
                    "\(total.connected) of \(total.participants) participants connected, fewer than "
                        + "--min-connected \(minConnected.text)")
            }
        }
        return failures
    }

    // MARK: Summary table

    func printSummary() {
        var lines = tableLines()
        lines.append("")
        lines += mediaLines()
        lines += serverLines()
        lines.append(
            String(format: "load tool: %.2f CPU s on %d media threads", data.loadToolCPUSeconds, data.options.threads))
        for failure in failures {
            lines.append("FAILED: \(failure)")
        }
        print(lines.joined(separator: "\n"))
    }

    private func tableLines() -> [String] {
        let header = [
            pad("room", 22), pad("parts", 6, right: true), pad("conn", 9, right: true), pad("tracks", 11, right: true),
            pad("loss %", 8, right: true), pad("p50 ms", 8, right: true), pad("p99 ms", 8, right: true),
            pad("freezes", 8, right: true), pad("ttff p50", 9, right: true), pad("in Mbit/s", 10, right: true),
        ]
        var lines = [header.joined(separator: " ")]
        for room in rooms {
            lines.append(row(room.name, room.summary))
        }
        if rooms.count > 1 || rooms.isEmpty {
            lines.append(row("total", total))
        }
        return lines
    }

    private func mediaLines() -> [String] {
        [
            String(
                format: "media %.1f s after %.1f s of joining; %d of %d participants connected; %d with errors",
                data.mediaSeconds, data.joinSeconds, total.connected, total.participants, total.errors),
            String(
                format: "RTP: %llu received of %lld expected, %lld lost (%.3f%%), %llu duplicates",
                total.rtpReceived, total.rtpExpected, max(0, total.rtpLost), total.lossPercent, total.duplicates),
            "latency: " + describe(total.latency) + "; video frames " + describe(total.videoLatency) + "; audio "
                + describe(total.audioLatency),
            String(
                format: "video: %llu frames complete, %llu incomplete, %llu freezes (%.1f s frozen); ",
                total.framesComplete, total.framesIncomplete, total.freezes, Double(total.freezeMicroseconds) / 1e6)
                + "time to first frame " + describe(total.timeToFirstFrame) + "; connect time "
                + describe(total.connectTime),
        ]
    }

    private func serverLines() -> [String] {
        var lines: [String] = []
        if let server {
            let runSeconds = max(data.mediaSeconds + data.joinSeconds, 1)
            var line = String(
                format: "server: %.2f CPU s (%.2f cores)", server.cpuSeconds, server.cpuSeconds / runSeconds)
            if let rate = server.packetsOutPerCPUSecond {
                line += String(format: ", %.0f packets sent per CPU second", rate)
            }
            line += String(
                format: ", resident %.1f MiB (%.2f MiB per participant)", server.residentBytes / 1_048_576,
                server.residentBytes / 1_048_576 / Double(max(1, total.participants)))
            lines.append(line)
            lines.append(
                String(
                    format:
                        "datagrams: server received %.0f, clients sent %llu; server sent %.0f, clients received %llu",
                    server.packetsIn, datagramsSent, server.packetsOut, datagramsReceived))
        } else {
            lines.append("server: /metrics was not readable, so server CPU and memory are missing")
        }
        if let clientDrops = queues.clientSocketDrops {
            var line = "receive queues: clients dropped \(clientDrops) datagrams"
            line += String(format: ", client backlog up to %.2f MiB", Double(queues.maxClientQueuedBytes) / 1_048_576)
            if let serverDrops = queues.serverSocketDrops { line += ", server socket dropped \(serverDrops)" }
            lines.append(line)
        }
        return lines
    }

    private func row(_ name: String, _ summary: Summary) -> String {
        let milliseconds = { (value: Int64?) in value.map { String(format: "%.1f", Double($0) / 1000) } ?? "-" }
        return [
            pad(name, 22), pad(String(summary.participants), 6, right: true),
            pad("\(summary.connected)/\(summary.participants)", 9, right: true),
            pad("\(summary.tracksReceived)/\(summary.tracksExpected)", 11, right: true),
            pad(String(format: "%.3f", summary.lossPercent), 8, right: true),
            pad(milliseconds(summary.latency.percentile(0.5)), 8, right: true),
            pad(milliseconds(summary.latency.percentile(0.99)), 8, right: true),
            pad(String(summary.freezes), 8, right: true),
            pad(milliseconds(summary.timeToFirstFrame.percentile(0.5)), 9, right: true),
            pad(String(format: "%.2f", summary.receivedBitrate / 1e6), 10, right: true),
        ].joined(separator: " ")
    }

    private func describe(_ histogram: LatencyHistogram) -> String {
        guard let p50 = histogram.percentile(0.5), let p99 = histogram.percentile(0.99) else { return "not measured" }
        return String(
            format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms", Double(p50) / 1000, Double(p99) / 1000,
            Double(histogram.maximum) / 1000)
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text }
        let padding = String(repeating: " ", count: width - text.count)
        return right ? padding + text : text + padding
    }
}

/// Kernel receive-queue figures over the run, from the timeline's readings of /proc/net/udp.
struct QueueFigures {
    /// Datagrams the clients' sockets dropped; the sockets were created by this run, so this is their total.
    var clientSocketDrops: Int?
    /// Datagrams the server's media socket dropped between the first and the last reading.
    var serverSocketDrops: Int?
    var maxClientQueuedBytes = 0

    init(_ timeline: [TimelinePoint]) {
        clientSocketDrops = timeline.last { $0.clientSocketDrops != nil }?.clientSocketDrops
        let server = timeline.compactMap(\.serverSocketDrops)
        if let first = server.first, let last = server.last { serverSocketDrops = last - first }
        maxClientQueuedBytes = timeline.compactMap(\.clientQueuedBytes).max() ?? 0
    }
}
