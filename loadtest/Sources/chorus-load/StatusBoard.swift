import Foundation

/// Connection progress of every participant, written on the signaling and media threads when something changes
/// and read by the main thread for progress and the report. Nothing on the media path touches it per packet.
final class StatusBoard: @unchecked Sendable {
    struct Entry {
        var startedAt: Int64?
        /// When signaling succeeded: `joined` over WebSocket, or the first WHIP or WHEP answer.
        var joinedAt: Int64?
        var publisherConnectedAt: Int64?
        var subscriberTransports = 0
        var subscriberTransportsConnected = 0
        var firstSubscriberConnectedAt: Int64?
        var lastSubscriberConnectedAt: Int64?
        /// Tracks the server offered to this participant so far.
        var tracksOffered = 0
        var errors: [String] = []
        var leftAt: Int64?
    }

    private let lock = NSLock()
    private var entries: [Entry]

    init(count: Int) {
        entries = [Entry](repeating: Entry(), count: count)
    }

    func update(_ index: Int, _ body: (inout Entry) -> Void) {
        lock.withLock { body(&entries[index]) }
    }

    func snapshot() -> [Entry] {
        lock.withLock { entries }
    }

    func recordError(_ index: Int, _ message: String) {
        update(index) { entry in
            // A participant that keeps failing the same way should not grow the report without bound.
            if entry.errors.count < 10 { entry.errors.append(message) }
        }
    }

    func transportConnected(_ index: Int, role: PeerTransport.Role, at time: Int64) {
        update(index) { entry in
            switch role {
            case .publisher:
                entry.publisherConnectedAt = time
            case .subscriber:
                entry.subscriberTransportsConnected += 1
                if entry.firstSubscriberConnectedAt == nil { entry.firstSubscriberConnectedAt = time }
                entry.lastSubscriberConnectedAt = time
            }
        }
    }

    func transportFailed(_ index: Int, role: PeerTransport.Role, reason: String) {
        recordError(index, "\(role.rawValue) connection: \(reason)")
    }
}
