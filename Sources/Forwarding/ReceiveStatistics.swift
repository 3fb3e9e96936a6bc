import RTCP
import Wire

/// Reception statistics of one incoming RTP stream, for the report blocks Chorus sends to
/// publishers (RFC 3550 section 6.4.1).
///
/// Sequence numbers follow the validation of RFC 3550 appendix A.1: a new stream is on
/// probation until `minSequential` packets arrive in order, and a jump beyond `maxDropout` is
/// taken as the new position only when the next packet confirms it. Losses follow appendix
/// A.3 and interarrival jitter appendix A.8.
public struct ReceiveStatistics {
    /// Outcome of one sequence number in the update of RFC 3550 appendix A.1.
    public enum SequenceUpdate: Equatable, Sendable {
        /// The highest sequence number so far.
        case inOrder
        /// Older than the highest, within `maxMisorder`: a reordered packet or a duplicate.
        case reordered
        /// The stream is still on probation; the packet is not counted.
        case probation
        /// A jump that the next packet has to confirm; the packet is not counted.
        case jumpPending
        /// A jump confirmed by its successor: statistics restarted at this packet.
        case restarted
    }

    public static let minSequential = 2
    public static let maxDropout: UInt16 = 3000
    public static let maxMisorder: UInt16 = 100
    private static let sequenceModulus: UInt32 = 1 << 16

    public let ssrc: UInt32
    public let clockRate: Int

    private var maxSequence: UInt16 = 0
    /// Count of wraps of the sequence number, shifted into the high 16 bits.
    private var cycles: UInt32 = 0
    private var baseSequence: UInt32 = 0
    /// The sequence number that confirms a pending jump; above 0xFFFF when none is pending.
    private var badSequence: UInt32 = ReceiveStatistics.sequenceModulus + 1
    private let requiredInSequence: Int
    private var probation: Int
    private var hasSeenPacket = false
    private var started = false
    public private(set) var received: UInt64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: UInt64 = 0

    /// Interarrival jitter in RTP units, scaled by 16 for the integer form of appendix A.8.
    private var scaledJitter: Int64 = 0
    private var lastTransit: Int64?
    private var timestampFilter: TimestampJumpFilter
    private var firstArrival: Instant?

    private var lastSenderReport: (middle: UInt32, receivedAt: Instant)?

    /// - Parameter probation: packets in sequence needed before a new stream counts, as
    ///   MIN_SEQUENTIAL of appendix A.1. 1 counts the first packet at once.
    public init(ssrc: UInt32, clockRate: Int, probation: Int = ReceiveStatistics.minSequential) {
        precondition(probation >= 1, "probation counts at least the first packet")
        self.ssrc = ssrc
        self.clockRate = clockRate
        self.probation = probation
        requiredInSequence = probation
        timestampFilter = TimestampJumpFilter(clockRate: clockRate)
    }

    /// Highest sequence number received, with the wrap count in the high 16 bits.
    public var extendedHighestSequence: UInt32 { cycles + UInt32(maxSequence) }

    /// Packets expected minus packets received since the stream started (appendix A.3).
    /// Duplicates make it smaller, possibly negative.
    public var cumulativeLost: Int64 { expected - Int64(received) }

    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32 { UInt32(clamping: scaledJitter >> 4) }

    private var expected: Int64 {
        guard started else { return 0 }
        return Int64(extendedHighestSequence) - Int64(baseSequence) + 1
    }

    /// Counts one received packet that arrived at `now`.
    ///
    /// Jitter uses only in-order packets whose timestamp passes the wild-jump rule, and never
    /// retransmissions, because their arrival time does not measure the path of the original.
    @discardableResult
    public mutating func update(
        sequenceNumber: UInt16,
        timestamp: UInt32,
        now: Instant,
        isRetransmission: Bool = false
    ) -> SequenceUpdate {
        let outcome = updateSequence(sequenceNumber)
        switch outcome {
        case .inOrder:
            if !isRetransmission { updateJitter(timestamp: timestamp, now: now) }
        case .restarted:
            lastTransit = nil
            timestampFilter.reset()
            if !isRetransmission { updateJitter(timestamp: timestamp, now: now) }
        case .reordered, .probation, .jumpPending:
            break
        }
        return outcome
    }

    /// Stores the middle 32 bits of a sender report's NTP timestamp and when it arrived, for
    /// LSR and DLSR.
    public mutating func receivedSenderReport(ntpTimestamp: UInt64, now: Instant) {
        lastSenderReport = (UInt32(truncatingIfNeeded: ntpTimestamp >> 16), now)
    }

    /// Builds the report block for this stream at `now` and starts a new interval for the
    /// fraction lost.
    ///
    /// Returns nil before the stream has passed probation, since there is nothing to report.
    public mutating func makeReportBlock(now: Instant) -> ReportBlock? {
        guard started else { return nil }

        let expected = self.expected
        let expectedInterval = expected - expectedPrior
        expectedPrior = expected
        let receivedInterval = Int64(received) - Int64(receivedPrior)
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        var fractionLost: UInt8 = 0
        if expectedInterval > 0, lostInterval > 0 {
            fractionLost = UInt8(clamping: (lostInterval << 8) / expectedInterval)
        }

        var lastSR: UInt32 = 0
        var delaySinceLastSR: UInt32 = 0
        if let report = lastSenderReport {
            lastSR = report.middle
            let delay = max(0, now.microseconds - report.receivedAt.microseconds)
            delaySinceLastSR = UInt32(clamping: delay * 65536 / 1_000_000)
        }

        return ReportBlock(
            ssrc: ssrc,
            fractionLost: fractionLost,
            cumulativeLost: Int32(clamping: cumulativeLost),
            extendedHighestSequence: extendedHighestSequence,
            jitter: jitter,
            lastSR: lastSR,
            delaySinceLastSR: delaySinceLastSR
        )
    }

    /// `update_seq` of RFC 3550 appendix A.1.
    private mutating func updateSequence(_ sequenceNumber: UInt16) -> SequenceUpdate {
        if !hasSeenPacket {
            // max_seq = seq - 1, so the first packet itself counts toward probation.
            hasSeenPacket = true
            maxSequence = sequenceNumber &- 1
        }

        let delta = sequenceNumber &- maxSequence
        if !started {
            if sequenceNumber == maxSequence &+ 1 {
                probation -= 1
                maxSequence = sequenceNumber
                if probation == 0 {
                    restart(at: sequenceNumber)
                    received += 1
                    return .inOrder
                }
            } else {
                // This packet is the first of a new run.
                probation = requiredInSequence - 1
                maxSequence = sequenceNumber
                if probation == 0 {
                    restart(at: sequenceNumber)
                    received += 1
                    return .inOrder
                }
            }
            return .probation
        }

        if delta == 0 {
            received += 1
            return .reordered
        }
        if delta < Self.maxDropout {
            if sequenceNumber < maxSequence {
                cycles &+= Self.sequenceModulus
            }
            maxSequence = sequenceNumber
            received += 1
            return .inOrder
        }

        if UInt32(delta) <= Self.sequenceModulus - UInt32(Self.maxMisorder) {
            guard UInt32(sequenceNumber) == badSequence else {
                badSequence = (UInt32(sequenceNumber) + 1) & (Self.sequenceModulus - 1)
                return .jumpPending
            }
            restart(at: sequenceNumber)
            received += 1
            return .restarted
        }

        received += 1
        return .reordered
    }

    /// `init_seq` of RFC 3550 appendix A.1. Unlike the appendix it keeps the wrap count, and
    /// adds one when the stream restarts lower, so the extended highest sequence number in
    /// reports never goes backwards.
    private mutating func restart(at sequenceNumber: UInt16) {
        if started, sequenceNumber < maxSequence {
            cycles &+= Self.sequenceModulus
        }
        started = true
        baseSequence = cycles + UInt32(sequenceNumber)
        maxSequence = sequenceNumber
        badSequence = Self.sequenceModulus + 1
        received = 0
        receivedPrior = 0
        expectedPrior = 0
    }

    /// Updates the jitter estimate of RFC 3550 appendix A.8, in its integer form scaled by 16.
    private mutating func updateJitter(timestamp: UInt32, now: Instant) {
        let verdict = timestampFilter.check(timestamp, now: now)
        guard verdict != .rejected else { return }
        if verdict == .confirmedJump {
            // The sender's clock moved, so the transit time before the jump is no reference.
            lastTransit = nil
        }

        let arrival = arrivalInRTPUnits(now)
        let transit = arrival &- Int64(timestamp)
        defer { lastTransit = transit }
        guard let lastTransit else { return }

        // Transit times are taken modulo 2^32, the RTP timestamp space.
        let difference = Int64(Int32(truncatingIfNeeded: transit &- lastTransit)).magnitude
        scaledJitter += Int64(difference) - ((scaledJitter + 8) >> 4)
    }

    /// Arrival time in RTP units since the first packet, so the product stays small.
    private mutating func arrivalInRTPUnits(_ now: Instant) -> Int64 {
        let origin = firstArrival ?? now
        firstArrival = origin
        let elapsed = now.microseconds - origin.microseconds
        let product = elapsed.multipliedFullWidth(by: Int64(clockRate))
        return Int64(1_000_000).dividingFullWidth(product).quotient
    }
}
