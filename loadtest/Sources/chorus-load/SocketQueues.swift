import Foundation

/// Receive-queue figures of UDP sockets from /proc/net/udp and /proc/net/udp6, which list every socket of the
/// network namespace with its queued bytes and the datagrams the kernel dropped because the queue was full.
///
/// Bytes waiting in the load tool's own receive queues mean it is not keeping up, so the latency it measures
/// includes its own backlog. Drops on a socket show where loss happened: at a client or at the server.
struct SocketQueues {
    var queuedBytes = 0
    var drops = 0
    var sockets = 0

    /// Sums the sockets bound to one of `ports`; nil when /proc/net/udp cannot be read.
    static func read(ports: Set<UInt16>) -> SocketQueues? {
        var total = SocketQueues()
        var readAny = false
        for path in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            readAny = true
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref
                // pointer drops
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 13, let colon = fields[1].lastIndex(of: ":"),
                    let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16), ports.contains(port)
                else { continue }
                let queues = fields[4].split(separator: ":")
                guard queues.count == 2, let received = Int(queues[1], radix: 16), let drops = Int(fields[12])
                else { continue }
                total.queuedBytes += received
                total.drops += drops
                total.sockets += 1
            }
        }
        return readAny ? total : nil
    }
}
