/// The absolute send time header extension, URI
/// `http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time`, described at
/// https://webrtc.googlesource.com/src/+/refs/heads/main/docs/native-code/rtp-hdrext/abs-send-time/README.md.
///
/// The value is 24 bits: the send time in seconds as an unsigned 6.18 fixed-point number,
/// so it wraps every 64 seconds and has a resolution of about 3.8 microseconds.
public enum AbsSendTime {
    /// Number of fractional bits in the 6.18 fixed-point value.
    public static let fractionBits = 18

    /// Returns the 24-bit value, or nil when `element` has fewer than three bytes.
    public static func parse(_ element: UnsafeRawBufferPointer) -> UInt32? {
        guard element.count >= 3 else { return nil }
        return UInt32(element[0]) << 16 | UInt32(element[1]) << 8 | UInt32(element[2])
    }

    /// Converts a 24-bit value to microseconds within its 64-second cycle.
    public static func microseconds(_ value: UInt32) -> Int64 {
        (Int64(value & 0xFF_FFFF) * 1_000_000) >> fractionBits
    }

    /// Returns the 24-bit value for a time in microseconds; the seconds are taken modulo 64.
    public static func value(microseconds: Int64) -> UInt32 {
        let cycleMicroseconds: Int64 = 64_000_000
        let withinCycle = (microseconds % cycleMicroseconds + cycleMicroseconds) % cycleMicroseconds
        return UInt32(truncatingIfNeeded: (withinCycle << fractionBits) / 1_000_000)
    }

    /// Returns the three-byte element value for a 24-bit `value`.
    public static func bytes(_ value: UInt32) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ]
    }
}
