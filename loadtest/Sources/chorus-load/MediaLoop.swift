import Foundation
import Transport
import Wire

/// Measurements of one media loop that are not per track, reset by each progress sample.
final class LoopStatistics {
    var intervalLatency = LatencyHistogram()
}

/// Totals of one media loop at one moment, for the progress line, the timeline and the summary.
struct LoopSample {
    var datagramsSent: UInt64 = 0
    var bytesSent: UInt64 = 0
    var datagramsDropped: UInt64 = 0
    var datagramsReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0
    var rtpExpected: Int64 = 0
    var rtpReceived: UInt64 = 0
    /// Local ports of the loop's sockets, and the server ports they send to.
    var localPorts: Set<UInt16> = []
    var serverPorts: Set<UInt16> = []
    /// Latency samples since the previous sample.
    var latency = LatencyHistogram()

    mutating func add(_ other: LoopSample) {
        datagramsSent += other.datagramsSent
        bytesSent += other.bytesSent
        datagramsDropped += other.datagramsDropped
        datagramsReceived += other.datagramsReceived
        bytesReceived += other.bytesReceived
        rtpExpected += other.rtpExpected
        rtpReceived += other.rtpReceived
        localPorts.formUnion(other.localPorts)
        serverPorts.formUnion(other.serverPorts)
        latency.merge(other.latency)
    }
}

/// One media thread: an epoll loop (Transport.EventLoop) that owns many participants' transports, paces their
/// media and reads their sockets with one shared receive batch.
final class MediaLoop: @unchecked Sendable {
    /// Timers of every transport run this often.
    static let housekeepingIntervalMicroseconds: Int64 = 20_000

    let index: Int
    private let loop: EventLoop
    private let receiveBatch = ReceiveBatch(capacity: 32)
    let statistics = LoopStatistics()
    private var transports: [PeerTransport] = []
    private var publishers: [PeerTransport] = []
    private var nextMediaAt: Int64 = 0
    private var nextHousekeepingAt: Int64 = 0
    private var mediaStopped = false
    /// When media stopped, the end of every track's freeze accounting.
    private var mediaStoppedAt: Int64?

    init(index: Int) throws {
        self.index = index
        loop = try EventLoop(name: "load-media-\(index)")
        loop.onTick = { [unowned self] now in tick(now: now.microseconds) }
    }

    func start() {
        loop.start()
    }

    func stop() {
        loop.stop()
    }

    /// Hands `transport` to this loop's thread, which watches its socket from then on.
    func adopt(_ transport: PeerTransport) {
        loop.post { [self] in
            do {
                try loop.register(transport.socket.fileDescriptor) { [unowned self, unowned transport] _ in
                    transport.readable(using: receiveBatch)
                }
                transports.append(transport)
            } catch {
                transport.fail("cannot watch the transport's socket: \(error)")
            }
        }
    }

    /// Runs `work` on the loop thread, for state changes such as starting a transport or adding receivers.
    func run(_ work: @escaping () -> Void) {
        loop.post(work)
    }

    /// Runs `work` on the loop thread and waits for its result; nil when the loop did not run it within `timeout`
    /// seconds.
    func runAndWait<Result>(timeout: Double = 5, _ work: @escaping () -> Result) -> Result? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result?
        let posted = loop.post {
            result = work()
            done.signal()
        }
        guard posted, done.wait(timeout: .now() + timeout) == .success else { return nil }
        return result
    }

    /// Registers a connected publisher for media pacing.
    func startMedia(_ transport: PeerTransport) {
        run { [self] in
            guard !publishers.contains(where: { $0 === transport }) else { return }
            publishers.append(transport)
            nextMediaAt = 0
        }
    }

    /// Stops media and then all sending; receiving and counting go on.
    func quiesce() {
        _ = runAndWait { [self] in
            mediaStopped = true
            mediaStoppedAt = Instant.now().microseconds
            for transport in transports { transport.quiesce() }
        }
    }

    /// Returns the loop's totals and the latency samples since the previous call.
    func sample() -> LoopSample? {
        runAndWait { [self] in
            var sample = LoopSample()
            for transport in transports {
                sample.datagramsSent += transport.sendBatch.sentCount
                sample.bytesSent += transport.sendBatch.sentBytes
                sample.datagramsDropped += transport.sendBatch.droppedCount
                sample.datagramsReceived += transport.counters.datagramsReceived
                sample.bytesReceived += transport.counters.bytesReceived
                sample.localPorts.insert(transport.local.address.port)
                if let remote = transport.remote { sample.serverPorts.insert(remote.address.port) }
                for receiver in transport.receivers.values {
                    sample.rtpExpected += receiver.sequence.expected
                    sample.rtpReceived += receiver.sequence.received
                }
            }
            sample.latency = statistics.intervalLatency
            statistics.intervalLatency.reset()
            return sample
        }
    }

    /// Returns the final per-transport results for the report. A video track whose frames stopped before media
    /// did counts a freeze up to the time media stopped.
    func results() -> [TransportResult]? {
        runAndWait(timeout: 30) { [self] in
            let end = mediaStoppedAt ?? Instant.now().microseconds
            return transports.map { transport in
                for receiver in transport.receivers.values { receiver.finish(now: end) }
                return TransportResult(transport)
            }
        }
    }

    private func tick(now: Int64) -> Instant? {
        if !mediaStopped, now >= nextMediaAt {
            var next = now + Self.housekeepingIntervalMicroseconds
            for transport in publishers {
                next = min(next, transport.sendMediaDue(now: now))
            }
            nextMediaAt = next
        }
        if now >= nextHousekeepingAt {
            nextHousekeepingAt = now + Self.housekeepingIntervalMicroseconds
            for transport in transports {
                transport.housekeeping(now: now)
            }
        }
        return Instant(microseconds: min(nextMediaAt, nextHousekeepingAt))
    }
}
