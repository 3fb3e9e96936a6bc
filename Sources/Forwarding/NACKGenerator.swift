import Wire

/// Tracks the packets missing from one publisher stream and decides when to request them
/// again with generic NACKs (RFC 4585 section 6.2.1).
///
/// Every packet with a sequence number counts as received, padding-only packets and packets
/// repaired by RTX (RFC 4588) included, so feed them all to `received`. A missing packet is
/// first requested after `initialDelay`, which lets reordered packets arrive, and then again
/// every round-trip time until it arrives, `maxRetries` requests went out, or it is older than
/// `maxAge`. A gap larger than `maxGap` is a stream reset, not loss, so it causes no requests.
/// A jump beyond `maxGap` forward or `maxMisorder` back moves the stream only when the next
/// packet confirms it, as in RFC 3550 appendix A.1.
///
/// The missing list has a fixed capacity allocated once; when it is full the oldest entries
/// are given up.
public struct NACKGenerator {
    public struct Configuration: Sendable {
        /// Wait before the first request for a packet, so that reordering is not taken as loss.
        public var initialDelayMilliseconds: Int64 = 20
        /// Interval between requests for the same packet until a round-trip time is known.
        public var retryIntervalMilliseconds: Int64 = 100
        /// Bounds of the retry interval taken from the round-trip time.
        public var minRetryIntervalMilliseconds: Int64 = 20
        public var maxRetryIntervalMilliseconds: Int64 = 500
        public var maxRetries = 10
        /// A missing packet older than this is given up, because its frame is no longer decodable in time.
        public var maxAgeMilliseconds: Int64 = 1000
        /// Capacity of the missing list.
        public var maxMissing = 256
        /// Most sequence numbers in one request.
        public var maxListSize = 64
        /// A forward jump larger than this is a reset, not loss.
        public var maxGap = 500
        /// A packet further behind the highest than this is a jump, not a late packet.
        public var maxMisorder = 1000

        public init() {}
    }

    private struct MissingPacket {
        var sequenceNumber: Int64
        var missingSince: Instant
        var lastRequestAt: Instant?
        var requests: Int
    }

    public let configuration: Configuration
    private var missing: [MissingPacket]
    private var highest: Int64?
    /// The sequence number that would confirm a pending jump.
    private var jumpConfirmation: UInt16?
    private var roundTripMilliseconds: Int64?

    /// Missing packets given up after `maxRetries` requests or `maxAge`, or evicted from a full list.
    public private(set) var packetsGivenUp: UInt64 = 0

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.maxMissing > 0 && configuration.maxListSize > 0, "the lists hold at least one entry")
        self.configuration = configuration
        missing = []
        missing.reserveCapacity(configuration.maxMissing)
    }

    /// Number of packets currently missing.
    public var missingCount: Int { missing.count }

    /// The interval between requests for the same packet.
    public var retryIntervalMilliseconds: Int64 {
        guard let roundTripMilliseconds else { return configuration.retryIntervalMilliseconds }
        return min(
            max(roundTripMilliseconds, configuration.minRetryIntervalMilliseconds),
            configuration.maxRetryIntervalMilliseconds)
    }

    /// Sets the round-trip time to the publisher, from its receiver reports' LSR and DLSR.
    public mutating func updateRoundTripTime(milliseconds: Int64) {
        roundTripMilliseconds = max(0, milliseconds)
    }

    /// Records the arrival of `sequenceNumber` at `now`.
    public mutating func received(sequenceNumber: UInt16, now: Instant) {
        guard let highest else {
            highest = Int64(sequenceNumber)
            return
        }

        let delta = Int64(Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: highest)))
        if delta > 0, delta <= Int64(configuration.maxGap) {
            jumpConfirmation = nil
            addMissing(from: highest + 1, to: highest + delta, now: now)
            self.highest = highest + delta
        } else if delta <= 0, delta >= -Int64(configuration.maxMisorder) {
            jumpConfirmation = nil
            removeMissing(highest + delta)
        } else if sequenceNumber == jumpConfirmation {
            // Two packets in sequence after a jump: the stream restarted, and nothing before it is requested.
            packetsGivenUp += UInt64(missing.count)
            missing.removeAll(keepingCapacity: true)
            jumpConfirmation = nil
            self.highest = highest + delta
        } else {
            jumpConfirmation = sequenceNumber &+ 1
        }
    }

    /// Writes into `list` the sequence numbers to request at `now`, oldest first, and gives up
    /// packets that are too old or were requested `maxRetries` times. `list` keeps its capacity,
    /// so a caller that reuses it does not allocate.
    public mutating func poll(now: Instant, into list: inout [UInt16]) {
        list.removeAll(keepingCapacity: true)
        let retryInterval = retryIntervalMilliseconds
        var kept = 0
        for index in missing.indices {
            var entry = missing[index]
            let age = now.milliseconds(since: entry.missingSince)
            if age > configuration.maxAgeMilliseconds || entry.requests >= configuration.maxRetries {
                packetsGivenUp += 1
                continue
            }

            let due: Bool
            if let last = entry.lastRequestAt {
                due = now.milliseconds(since: last) >= retryInterval
            } else {
                due = age >= configuration.initialDelayMilliseconds
            }
            if due, list.count < configuration.maxListSize {
                list.append(UInt16(truncatingIfNeeded: entry.sequenceNumber))
                entry.requests += 1
                entry.lastRequestAt = now
            }
            missing[kept] = entry
            kept += 1
        }
        missing.removeLast(missing.count - kept)
    }

    /// The earliest time at which `poll` has something to do, or nil when nothing is missing.
    public var nextDeadline: Instant? {
        var earliest: Instant?
        let retryInterval = retryIntervalMilliseconds
        for entry in missing {
            let due =
                entry.lastRequestAt.map { $0.adding(milliseconds: retryInterval) }
                ?? entry.missingSince.adding(milliseconds: configuration.initialDelayMilliseconds)
            if let current = earliest, current <= due { continue }
            earliest = due
        }
        return earliest
    }

    private mutating func addMissing(from first: Int64, to newest: Int64, now: Instant) {
        // The newest packet arrived, so the missing ones are those strictly before it.
        var start = first
        let gap = Int(newest - first)
        if gap > configuration.maxMissing {
            start = newest - Int64(configuration.maxMissing)
            packetsGivenUp += UInt64(gap - configuration.maxMissing)
        }
        let overflow = missing.count + Int(newest - start) - configuration.maxMissing
        if overflow > 0 {
            missing.removeFirst(overflow)
            packetsGivenUp += UInt64(overflow)
        }
        for sequenceNumber in start..<newest {
            missing.append(
                MissingPacket(sequenceNumber: sequenceNumber, missingSince: now, lastRequestAt: nil, requests: 0))
        }
    }

    private mutating func removeMissing(_ sequenceNumber: Int64) {
        // The list is in ascending order, so a binary search finds the entry.
        var low = 0
        var high = missing.count
        while low < high {
            let middle = (low + high) / 2
            if missing[middle].sequenceNumber < sequenceNumber {
                low = middle + 1
            } else {
                high = middle
            }
        }
        if low < missing.count, missing[low].sequenceNumber == sequenceNumber {
            missing.remove(at: low)
        }
    }
}
