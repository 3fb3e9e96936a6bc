import RTCP
import Wire

/// The NTP and RTP timestamp pair of a publisher's latest sender report (RFC 3550 section
/// 6.4.1), carried over to a subscriber leg whose timestamps were rewritten.
///
/// A receiver synchronizes audio and video by the NTP time each stream's sender reports give
/// for an RTP timestamp. After the forwarder adds an offset to the timestamps, the leg's sender
/// report must add the same offset, or the subscriber's lip sync drifts by it. The translator
/// extrapolates the publisher's pair to `now` at the stream's clock rate, so the report reads
/// as sent at `now` and keeps the publisher's clock for both streams of a participant.
public struct SenderReportTranslator {
    public let clockRate: Int
    private var latest: (ntpTimestamp: UInt64, rtpTimestamp: UInt32, receivedAt: Instant)?

    /// - Precondition: `clockRate` is positive.
    public init(clockRate: Int) {
        precondition(clockRate > 0, "an RTP clock rate is positive")
        self.clockRate = clockRate
    }

    /// Whether a sender report arrived, so that `senderInfo` has a pair to translate.
    public var hasReport: Bool { latest != nil }

    /// Stores the NTP and RTP timestamps of a sender report from the publisher received at `now`.
    public mutating func receivedSenderReport(ntpTimestamp: UInt64, rtpTimestamp: UInt32, now: Instant) {
        latest = (ntpTimestamp, rtpTimestamp, now)
    }

    /// Returns the NTP timestamp and RTP timestamp for a subscriber leg's sender report at `now`,
    /// where the leg's outgoing timestamps are the incoming ones plus `timestampOffset`, or nil
    /// before the publisher sent a report.
    ///
    /// A `now` before the report arrived is taken as the arrival time.
    public func senderInfo(timestampOffset: UInt32, now: Instant) -> (ntpTimestamp: UInt64, rtpTimestamp: UInt32)? {
        guard let latest else { return nil }

        let elapsed = max(0, now.microseconds - latest.receivedAt.microseconds)
        let seconds = UInt64(elapsed / 1_000_000)
        let fraction = UInt64(elapsed % 1_000_000) << 32 / 1_000_000
        let ntpTimestamp = latest.ntpTimestamp &+ (seconds << 32 | fraction)

        let product = elapsed.multipliedFullWidth(by: Int64(clockRate))
        let ticks = Int64(1_000_000).dividingFullWidth(product).quotient
        let rtpTimestamp = latest.rtpTimestamp &+ UInt32(truncatingIfNeeded: ticks) &+ timestampOffset
        return (ntpTimestamp, rtpTimestamp)
    }

    /// Builds the subscriber leg's sender report, or returns nil before the publisher sent one.
    public func senderReport(
        ssrc: UInt32,
        timestampOffset: UInt32,
        counters: SendCounters,
        now: Instant
    ) -> SenderReport? {
        guard let info = senderInfo(timestampOffset: timestampOffset, now: now) else { return nil }
        return SenderReport(
            ssrc: ssrc,
            ntpTimestamp: info.ntpTimestamp,
            rtpTimestamp: info.rtpTimestamp,
            packetCount: counters.packetCount,
            octetCount: counters.octetCount
        )
    }
}

/// The sender's packet and octet counts of a sender report (RFC 3550 section 6.4.1) for one
/// subscriber leg: RTP packets sent, and payload octets sent without headers and padding. Both
/// wrap at 2^32 as the fields do.
public struct SendCounters: Equatable, Sendable {
    public private(set) var packetCount: UInt32 = 0
    public private(set) var octetCount: UInt32 = 0

    public init() {}

    /// Counts one RTP packet sent on the leg's SSRC with `payloadLength` bytes of payload.
    /// Retransmissions on an RTX stream (RFC 4588) belong to the RTX SSRC, not here.
    public mutating func record(payloadLength: Int) {
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: payloadLength)
    }
}
