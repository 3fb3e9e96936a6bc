import Foundation
import Wire

/// One point of the run's timeline, one per second.
struct TimelinePoint {
    var seconds: Double
    var phase: String
    var connected: Int
    var bitrateOutKbps: Double
    var bitrateInKbps: Double
    var datagramsOutPerSecond: Double
    var datagramsInPerSecond: Double
    /// RTP loss among packets expected during this interval, in percent.
    var lossPercent: Double
    var latencyP50Milliseconds: Double?
    var latencyP99Milliseconds: Double?
    /// Bytes waiting in the load tool's socket receive queues: its own backlog.
    var clientQueuedBytes: Int?
    /// Datagrams dropped so far because a receive queue was full, at the clients and at the server.
    var clientSocketDrops: Int?
    var serverSocketDrops: Int?
}

/// Samples the media loops once a second, keeps the timeline and refreshes the progress line.
final class RunMonitor {
    private let loops: [MediaLoop]
    private let status: StatusBoard
    private let plans: [ParticipantPlan]
    private let startedAt: Int64
    private let showProgress: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var previous = LoopSample()
    private var previousAt: Int64
    private(set) var timeline: [TimelinePoint] = []
    /// Totals at the latest sample.
    private(set) var totals = LoopSample()
    private var linesPrinted = 0

    init(loops: [MediaLoop], status: StatusBoard, plans: [ParticipantPlan], startedAt: Int64, showProgress: Bool) {
        self.loops = loops
        self.status = status
        self.plans = plans
        self.startedAt = startedAt
        self.showProgress = showProgress
        previousAt = startedAt
    }

    /// Samples every loop and updates `totals`. It adds a timeline point unless the previous point is under half a
    /// second old, because rates over a shorter interval are mostly noise.
    func sample(phase: String) {
        let now = Instant.now().microseconds
        var current = LoopSample()
        for loop in loops {
            // A loop too busy to answer within its timeout leaves this sample out, so counters never go back.
            guard let sample = loop.sample() else { return }
            current.add(sample)
        }

        guard now - previousAt >= 500_000 else {
            // The latency samples carry over into the next point.
            totals = current
            previous.latency.merge(current.latency)
            return
        }
        current.latency.merge(previous.latency)

        let seconds = Double(now - previousAt) / 1e6
        let expected = current.rtpExpected - previous.rtpExpected
        let received = Int64(current.rtpReceived) - Int64(previous.rtpReceived)
        let lost = max(0, expected - received)
        let clientQueues = SocketQueues.read(ports: current.localPorts)
        let serverQueues = SocketQueues.read(ports: current.serverPorts)
        let point = TimelinePoint(
            seconds: Double(now - startedAt) / 1e6, phase: phase,
            connected: connectedCount(),
            bitrateOutKbps: Double(current.bytesSent - previous.bytesSent) * 8 / 1000 / seconds,
            bitrateInKbps: Double(current.bytesReceived - previous.bytesReceived) * 8 / 1000 / seconds,
            datagramsOutPerSecond: Double(current.datagramsSent - previous.datagramsSent) / seconds,
            datagramsInPerSecond: Double(current.datagramsReceived - previous.datagramsReceived) / seconds,
            lossPercent: expected > 0 ? Double(lost) * 100 / Double(expected) : 0,
            latencyP50Milliseconds: current.latency.percentile(0.5).map { Double($0) / 1000 },
            latencyP99Milliseconds: current.latency.percentile(0.99).map { Double($0) / 1000 },
            clientQueuedBytes: clientQueues?.queuedBytes, clientSocketDrops: clientQueues?.drops,
            serverSocketDrops: serverQueues.flatMap { $0.sockets > 0 ? $0.drops : nil })

        current.latency = LatencyHistogram()
        previous = current
        previousAt = now
        totals = current
        timeline.append(point)
        printProgress(point)
    }

    func connectedCount() -> Int {
        let entries = status.snapshot()
        return plans.indices.filter { ParticipantState.isConnected(plans[$0], entries[$0]) }.count
    }

    private func printProgress(_ point: TimelinePoint) {
        guard showProgress else { return }
        let latency =
            point.latencyP50Milliseconds.map { p50 in
                String(format: "latency p50 %.1f ms p99 %.1f ms", p50, point.latencyP99Milliseconds ?? p50)
            } ?? "latency -"
        var line = String(
            format: "[%5.0fs] %@  connected %d/%d  out %.1f Mbit/s  in %.1f Mbit/s  loss %.2f%%  %@",
            point.seconds, point.phase.padding(toLength: 7, withPad: " ", startingAt: 0), point.connected,
            plans.count, point.bitrateOutKbps / 1000, point.bitrateInKbps / 1000, point.lossPercent, latency)
        // A backlog in the tool's own receive queues inflates the latency it measures, so it is shown.
        if let queued = point.clientQueuedBytes, queued > 256 << 10 {
            line += String(format: "  client backlog %.1f MiB", Double(queued) / 1_048_576)
        }
        if isTerminal {
            // Carriage return and erase-line redraw the one progress line in place.
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
        } else if linesPrinted % 5 == 0 {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        linesPrinted += 1
    }

    /// Ends the progress line so that later output starts on a fresh line.
    func finishProgress() {
        guard showProgress, isTerminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// When a participant counts as connected.
enum ParticipantState {
    /// Signaling succeeded and every peer connection it needs completed DTLS: its publisher connection when it
    /// publishes, and its receiving connections when it has anything to receive.
    static func isConnected(_ plan: ParticipantPlan, _ entry: StatusBoard.Entry) -> Bool {
        guard entry.joinedAt != nil else { return false }
        if plan.publishes, entry.publisherConnectedAt == nil { return false }
        return entry.subscriberTransportsConnected >= plan.expectedSubscriberTransports
    }

    /// When the last needed connection completed, nil while not connected.
    static func connectedAt(_ plan: ParticipantPlan, _ entry: StatusBoard.Entry) -> Int64? {
        guard isConnected(plan, entry), let joined = entry.joinedAt else { return nil }
        var latest = joined
        if plan.publishes, let publisher = entry.publisherConnectedAt { latest = max(latest, publisher) }
        if plan.expectedSubscriberTransports > 0, let subscriber = entry.lastSubscriberConnectedAt {
            latest = max(latest, subscriber)
        }
        return latest
    }
}
