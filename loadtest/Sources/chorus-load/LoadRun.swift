import Foundation
import HTTPServer
import Wire

/// A participant of either join mode, as the run drives it.
protocol RunParticipant: AnyObject {
    var plan: ParticipantPlan { get }
    func start()
    func leave()
}

extension ConferenceParticipant: RunParticipant {}
extension StreamingParticipant: RunParticipant {}

/// Everything a finished run measured, for the report.
struct RunData {
    var options: LoadOptions
    var runID: String
    var plans: [ParticipantPlan]
    var statuses: [StatusBoard.Entry]
    var transports: [TransportResult]
    var timeline: [TimelinePoint]
    var startedAt: Date
    var joinSeconds: Double
    var mediaSeconds: Double
    /// Totals when media time started and when it ended, for mean bitrates.
    var mediaStartTotals: LoopSample
    var mediaEndTotals: LoopSample
    var serverBefore: ServerMetrics?
    var serverAfter: ServerMetrics?
    var loadToolCPUSeconds: Double
}

/// Runs one load test: joins the participants at the join rate, keeps media flowing for the duration, then
/// quiesces, reads the server's metrics again and collects the results.
final class LoadRun {
    private let options: LoadOptions
    let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    init(options: LoadOptions) {
        self.options = options
    }

    func makePlans() -> [ParticipantPlan] {
        var plans: [ParticipantPlan] = []
        let tracksPerPublisher = (options.audio ? 1 : 0) + (options.video ? 1 : 0)
        for roomIndex in 0..<options.rooms {
            let room = "\(options.roomPrefix)-\(runID)-\(roomIndex + 1)"
            let publishers = (0..<options.publishers).map { "p\($0 + 1)" }
            let subscribers = (0..<options.subscribers).map { "s\($0 + 1)" }
            for identity in publishers + subscribers {
                let publishes = identity.hasPrefix("p")
                var receivesFrom: [String] = []
                if !publishes {
                    receivesFrom = publishers
                } else if options.publishersSubscribe, options.mode == .conference {
                    receivesFrom = publishers.filter { $0 != identity }
                }
                let expectedTracks = receivesFrom.count * tracksPerPublisher
                // A conference participant receives everything on one connection, a WHEP one per publisher.
                var transports = receivesFrom.count
                if options.mode == .conference {
                    transports = expectedTracks > 0 ? 1 : 0
                }
                plans.append(
                    ParticipantPlan(
                        index: plans.count, roomIndex: roomIndex, room: room, identity: identity,
                        publishes: publishes,
                        subscribes: !publishes || (options.publishersSubscribe && options.mode == .conference),
                        receivesFrom: receivesFrom, expectedTracks: expectedTracks,
                        expectedSubscriberTransports: transports))
            }
        }
        return plans
    }

    func run() throws -> RunData {
        let startedAt = Date()
        let cpuBefore = ProcessCPU.seconds()
        guard let baseURL = ClientURL(options.url) else { throw OptionError("invalid --url \(options.url)") }
        // Signaling waits as long as joining may take, since a loaded server queues upgrades.
        let client = try HTTPClient(timeoutSeconds: max(20, Int(options.connectTimeoutSeconds)))
        client.start()
        defer { client.stop() }

        let serverBefore = ServerMetrics.read(client: client, base: baseURL)
        if serverBefore == nil {
            Log.warning("cannot read \(baseURL.replacingPath("/metrics")); the summary will lack server figures")
        }
        let loops = try (0..<options.threads).map { try MediaLoop(index: $0) }
        for loop in loops { loop.start() }
        defer { for loop in loops { loop.stop() } }

        let plans = makePlans()
        let status = StatusBoard(count: plans.count)
        let context = try RunContext(options: options, client: client, baseURL: baseURL, loops: loops, status: status)
        let participants: [RunParticipant] = plans.map { plan in
            switch options.mode {
            case .conference: ConferenceParticipant(plan: plan, context: context)
            case .whip: StreamingParticipant(plan: plan, context: context)
            }
        }
        let monitor = RunMonitor(
            loops: loops, status: status, plans: plans, startedAt: Instant.now().microseconds,
            showProgress: options.showProgress)

        let joinStart = Date()
        join(participants, monitor: monitor, status: status)
        let joinSeconds = Date().timeIntervalSince(joinStart)

        monitor.sample(phase: "media")
        let mediaStartTotals = monitor.totals
        let mediaStart = Date()
        var nextSample = mediaStart.addingTimeInterval(1)
        let mediaEnd = mediaStart.addingTimeInterval(options.durationSeconds)
        while Date() < mediaEnd {
            Thread.sleep(until: min(nextSample, mediaEnd))
            if Date() >= nextSample {
                monitor.sample(phase: "media")
                nextSample = nextSample.addingTimeInterval(1)
            }
        }
        monitor.sample(phase: "media")
        let mediaEndTotals = monitor.totals
        let mediaSeconds = Date().timeIntervalSince(mediaStart)

        // Quiet first, so that no datagram is sent between the server's counters and the client's.
        for loop in loops { loop.quiesce() }
        Thread.sleep(forTimeInterval: 0.5)
        let serverAfter = ServerMetrics.read(client: client, base: baseURL)
        monitor.sample(phase: "drain")
        monitor.finishProgress()
        var transports: [TransportResult] = []
        for loop in loops {
            guard let results = loop.results() else {
                Log.warning(
                    "media thread \(loop.index) returned no results within 30 s, so its participants lack media")
                continue
            }
            transports += results
        }
        let statuses = status.snapshot()

        for participant in participants { participant.leave() }
        Thread.sleep(forTimeInterval: 0.5)

        return RunData(
            options: options, runID: runID, plans: plans, statuses: statuses, transports: transports,
            timeline: monitor.timeline, startedAt: startedAt, joinSeconds: joinSeconds, mediaSeconds: mediaSeconds,
            mediaStartTotals: mediaStartTotals, mediaEndTotals: mediaEndTotals, serverBefore: serverBefore,
            serverAfter: serverAfter, loadToolCPUSeconds: ProcessCPU.seconds() - cpuBefore)
    }

    /// Starts participants at the join rate, publishers first in WHIP mode so that WHEP has something to
    /// receive, then waits until all are connected or the connect timeout passes.
    private func join(_ participants: [RunParticipant], monitor: RunMonitor, status: StatusBoard) {
        let interval = 1 / options.joinRate
        var nextSample = Date().addingTimeInterval(1)
        func sampleIfDue() {
            if Date() >= nextSample {
                monitor.sample(phase: "joining")
                nextSample = nextSample.addingTimeInterval(1)
            }
        }
        func wait(until deadline: Date, while condition: () -> Bool) {
            while Date() < deadline, condition() {
                Thread.sleep(forTimeInterval: 0.05)
                sampleIfDue()
            }
        }

        let ordered: [[RunParticipant]] =
            options.mode == .whip
            ? [participants.filter { $0.plan.publishes }, participants.filter { !$0.plan.publishes }]
            : [participants]
        var nextStart = Date()
        for (groupIndex, group) in ordered.enumerated() {
            if groupIndex > 0 {
                // WHEP needs the publisher's WHIP session to exist, which the WHIP answer confirms.
                let deadline = Date().addingTimeInterval(options.connectTimeoutSeconds)
                wait(until: deadline) {
                    let entries = status.snapshot()
                    return ordered[0].contains {
                        entries[$0.plan.index].joinedAt == nil && entries[$0.plan.index].errors.isEmpty
                    }
                }
                nextStart = Date()
            }
            for participant in group {
                Thread.sleep(until: nextStart)
                participant.start()
                nextStart = nextStart.addingTimeInterval(interval)
                sampleIfDue()
            }
        }
        let deadline = Date().addingTimeInterval(options.connectTimeoutSeconds)
        wait(until: deadline) { monitor.connectedCount() < participants.count }
    }
}

/// CPU time of this process from /proc/self/stat (utime and stime, fields 14 and 15, in clock ticks).
enum ProcessCPU {
    static func seconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Messages about the run itself, on standard error, one line each.
enum Log {
    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("chorus-load: warning: \(message)\n".utf8))
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("chorus-load: error: \(message)\n".utf8))
    }
}
