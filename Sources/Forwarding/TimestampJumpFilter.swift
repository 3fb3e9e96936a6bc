import Wire

/// The "bad_seq" rule of RFC 3550 appendix A.1 applied to RTP timestamps. A timestamp far from
/// the expected position of the stream's clock becomes the reference only when the next packet
/// confirms it, so one wild timestamp never shifts the stream.
///
/// The expected position advances with wall time, so a sender that resumes after a long mute
/// (with a timestamp advanced by the muted time) passes at once.
public struct TimestampJumpFilter {
    public enum Verdict: Equatable, Sendable {
        /// Near the expected position.
        case accepted
        /// Far from the expected position; the reference did not move.
        case rejected
        /// Near the wild timestamp before it, so the stream jumped and this is the new reference.
        case confirmedJump
    }

    public let clockRate: Int64
    /// Allowed distance, in RTP units, between a timestamp and its expected position.
    public let tolerance: Int64

    /// The latest accepted timestamp and its arrival time.
    public private(set) var reference: (timestamp: UInt32, at: Instant)?
    /// A wild timestamp and its arrival time, waiting for a packet that confirms it.
    private var candidate: (timestamp: UInt32, at: Instant)?

    /// - Parameter toleranceMilliseconds: how far a timestamp may be from the expected position.
    ///   One second accepts frame reordering, encoder pauses and sender clock drift.
    /// - Precondition: `clockRate` is positive.
    public init(clockRate: Int, toleranceMilliseconds: Int64 = 1000) {
        precondition(clockRate > 0, "an RTP clock rate is positive")
        self.clockRate = Int64(clockRate)
        tolerance = Int64(clockRate) * toleranceMilliseconds / 1000
    }

    /// Checks `timestamp` against the expected position at `now`, and moves the reference when
    /// the timestamp is accepted and newer.
    ///
    /// A wild timestamp is rejected. When the next packet is near it, that packet confirms the jump.
    public mutating func check(_ timestamp: UInt32, now: Instant) -> Verdict {
        guard let reference else {
            self.reference = (timestamp, now)
            return .accepted
        }

        if isNear(timestamp, to: reference, now: now) {
            candidate = nil
            if isNewer(timestamp, than: reference.timestamp) {
                self.reference = (timestamp, now)
            }
            return .accepted
        }

        if let candidate, isNear(timestamp, to: candidate, now: now) {
            self.candidate = nil
            self.reference = (timestamp, now)
            return .confirmedJump
        }
        candidate = (timestamp, now)
        return .rejected
    }

    /// Forgets the reference, so the next timestamp is taken as is.
    public mutating func reset() {
        reference = nil
        candidate = nil
    }

    /// Returns whether `timestamp` lies within the tolerance of `earlier` advanced by the elapsed time.
    /// The window is asymmetric: it reaches `tolerance` behind `earlier` itself, for reordered
    /// packets, and `tolerance` beyond the elapsed time ahead.
    private func isNear(_ timestamp: UInt32, to earlier: (timestamp: UInt32, at: Instant), now: Instant) -> Bool {
        let elapsedMicroseconds = max(0, now.microseconds - earlier.at.microseconds)
        // Capped at one hour so the product stays far inside Int64 for any clock rate.
        let elapsed = min(elapsedMicroseconds, 3_600_000_000) * clockRate / 1_000_000
        let delta = Int64(Int32(bitPattern: timestamp &- earlier.timestamp))
        return delta >= -tolerance && delta <= elapsed + tolerance
    }
}
