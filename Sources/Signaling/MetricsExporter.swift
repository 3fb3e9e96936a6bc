import Foundation
import SFU

/// Renders `/metrics` in the Prometheus text exposition format (version 0.0.4).
public final class MetricsExporter {
    private let rooms: RoomManager
    private let workers: [MediaWorker]
    private let startTime = Date()
    private var lastSnapshots: [Int: MediaCounters] = [:]

    public init(rooms: RoomManager, workers: [MediaWorker]) {
        self.rooms = rooms
        self.workers = workers
    }

    public func render() -> String {
        var output = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples {
                output += labels.isEmpty ? "\(name) \(format(value))\n" : "\(name){\(labels)} \(format(value))\n"
            }
        }

        let roomList = Array(rooms.rooms.values)
        let participants = roomList.reduce(0) { $0 + $1.participants.count }
        let tracks = roomList.reduce(0) { total, room in
            total + room.participants.values.reduce(0) { $0 + $1.tracks.count }
        }
        metric("chorus_rooms", "gauge", "Rooms open on this node.", [("", Double(roomList.count))])
        metric("chorus_participants", "gauge", "Participants in all rooms.", [("", Double(participants))])
        metric("chorus_tracks", "gauge", "Published tracks.", [("", Double(tracks))])

        // A worker too busy to answer within a second reports its last snapshot, not zeros.
        for (index, worker) in workers.enumerated() {
            if let snapshot = worker.respondingSnapshot() { lastSnapshots[index] = snapshot }
        }
        let snapshots = workers.indices.map { lastSnapshots[$0] ?? MediaCounters() }
        func perWorker(_ value: (MediaCounters) -> UInt64) -> [(String, Double)] {
            snapshots.enumerated().map { ("worker=\"\($0.offset)\"", Double(value($0.element))) }
        }
        metric("chorus_worker_busy_seconds_total", "counter",
               "Time each media worker thread spent handling packets and timers rather than waiting; its rate is the worker's load from 0 to 1.",
               snapshots.enumerated().map { ("worker=\"\($0.offset)\"", Double($0.element.busyMicroseconds) / 1_000_000) })
        metric("chorus_worker_sessions", "gauge", "Peer connections placed on each media worker.",
               snapshots.enumerated().map { ("worker=\"\($0.offset)\"", Double($0.element.sessions)) })
        metric("chorus_packets_in_total", "counter", "Datagrams received on media sockets.", perWorker(\.packetsIn))
        metric("chorus_bytes_in_total", "counter", "Bytes received on media sockets.", perWorker(\.bytesIn))
        metric("chorus_packets_out_total", "counter", "Datagrams sent on media sockets.", perWorker(\.packetsOut))
        metric("chorus_bytes_out_total", "counter", "Bytes sent on media sockets.", perWorker(\.bytesOut))
        metric("chorus_rtcp_packets_in_total", "counter", "RTCP compound packets received.", perWorker(\.rtcpIn))
        metric("chorus_nacks_received_total", "counter", "Generic NACK packets received from subscribers.",
               perWorker(\.nacksReceived))
        metric("chorus_keyframe_requests_received_total", "counter", "PLI and FIR received from subscribers.",
               perWorker(\.keyframeRequestsReceived))
        metric("chorus_keyframe_requests_sent_total", "counter", "PLI sent to publishers.",
               perWorker(\.keyframeRequestsSent))
        metric("chorus_nacks_sent_total", "counter", "Generic NACK packets sent to publishers.",
               perWorker(\.nacksSent))
        metric("chorus_rtx_packets_received_total", "counter",
               "RTX packets received from publishers that carried a retransmission.", perWorker(\.rtxPacketsReceived))
        metric("chorus_retransmissions_sent_total", "counter",
               "Packets sent again to subscribers in answer to their NACKs.", perWorker(\.retransmissionsSent))
        metric("chorus_padding_packets_received_total", "counter",
               "Padding-only packets received from publishers, never forwarded.", perWorker(\.paddingPacketsReceived))
        renderDownTracks(snapshots.flatMap(\.downTracks), metric)

        var drops: [(String, Double)] = []
        for (index, snapshot) in snapshots.enumerated() {
            for reason in DropReason.allCases {
                drops.append(("worker=\"\(index)\",reason=\"\(reason.label)\"", Double(snapshot.drops[reason.rawValue])))
            }
        }
        metric("chorus_packets_dropped_total", "counter", "Datagrams dropped, by reason.", drops)

        let process = ProcessStatistics.read()
        metric("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.",
               [("", process.cpuSeconds)])
        metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
               [("", Double(process.residentBytes))])
        metric("process_open_fds", "gauge", "Open file descriptors.", [("", Double(process.openFileDescriptors))])
        metric("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.",
               [("", startTime.timeIntervalSince1970.rounded())])
        return output
    }

    /// Renders the metrics of each subscriber leg, labelled by room, subscriber and track sid.
    private func renderDownTracks(
        _ legs: [DownTrackCounters],
        _ metric: (_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) -> Void
    ) {
        let sorted = legs.sorted { ($0.room, $0.participant, $0.track) < ($1.room, $1.participant, $1.track) }
        func samples(_ value: (DownTrackCounters) -> Double) -> [(String, Double)] {
            sorted.map { leg in
                let labels = "room=\"\(escape(leg.room))\",participant=\"\(escape(leg.participant))\","
                    + "track=\"\(escape(leg.track))\""
                return (labels, value(leg))
            }
        }
        metric("chorus_subscriber_selected_layer", "gauge",
               "Simulcast layer forwarded to the subscriber (0 is the lowest), -1 while none is.",
               samples { Double($0.selectedLayer ?? -1) })
        metric("chorus_subscriber_target_layer", "gauge", "Highest simulcast layer the subscriber asked for.",
               samples { Double($0.targetLayer) })
        metric("chorus_subscriber_layer_switches_total", "counter", "Changes of the forwarded simulcast layer.",
               samples { Double($0.layerSwitches) })
        metric("chorus_subscriber_keyframe_requests_sent_total", "counter",
               "Keyframe requests made toward the publisher for the subscriber, before merging.",
               samples { Double($0.keyframeRequestsSent) })
        metric("chorus_subscriber_keyframe_requests_received_total", "counter",
               "PLI and FIR messages received from the subscriber.", samples { Double($0.keyframeRequestsReceived) })
        metric("chorus_subscriber_retransmissions_total", "counter",
               "Packets sent again in answer to the subscriber's NACKs.", samples { Double($0.retransmissionsSent) })
        metric("chorus_subscriber_packets_sent_total", "counter", "RTP packets sent to the subscriber.",
               samples { Double($0.packetsSent) })
        metric("chorus_subscriber_packets_lost", "gauge",
               "Cumulative packets lost, from the subscriber's latest receiver report.",
               samples { Double($0.packetsLost) })
        metric("chorus_subscriber_fraction_lost", "gauge",
               "Fraction of packets lost, from the subscriber's latest receiver report.",
               samples { $0.fractionLost })
    }

    /// Escapes a label value for the text format: backslash, double quote and line feed.
    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// CPU time, resident memory and open descriptors of this process, from /proc.
struct ProcessStatistics {
    var cpuSeconds: Double = 0
    var residentBytes: Int = 0
    var openFileDescriptors: Int = 0

    static func read() -> ProcessStatistics {
        var statistics = ProcessStatistics()
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            // Fields after the command name; utime and stime are fields 14 and 15 of the whole line.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) {
                statistics.cpuSeconds = (user + system) / ticksPerSecond
            }
            if fields.count > 22, let pages = Int(fields[21]) {
                statistics.residentBytes = pages * Int(sysconf(Int32(_SC_PAGESIZE)))
            }
        }
        statistics.openFileDescriptors =
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 1) - 1
        return statistics
    }
}
