#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the monotonic clock, in microseconds. Core logic takes `now` as a
/// parameter so tests control time; only the event loops read the clock.
public struct Instant: Comparable, Hashable, Sendable {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    public static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Instant(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    public func adding(milliseconds: Int64) -> Instant {
        Instant(microseconds: microseconds + milliseconds * 1000)
    }

    public func milliseconds(since earlier: Instant) -> Int64 {
        (microseconds - earlier.microseconds) / 1000
    }
}

/// Wall-clock time as a 64-bit NTP timestamp (RFC 3550 section 4), for sender reports.
public func ntpTimestampNow() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    let seconds = UInt64(spec.tv_sec) + 2_208_988_800
    let fraction = (UInt64(spec.tv_nsec) << 32) / 1_000_000_000
    return seconds << 32 | fraction
}
