/// The client-to-mixer audio level header extension (RFC 6464 section 3),
/// URI `urn:ietf:params:rtp-hdrext:ssrc-audio-level`.
///
///      0 1 2 3 4 5 6 7
///     +-+-+-+-+-+-+-+-+
///     |V|   level     |
///     +-+-+-+-+-+-+-+-+
///
/// V is the voice activity flag. The level is in -dBov, from 0 (loudest) to 127 (silence).
public enum AudioLevel {
    /// Parses the first byte of `element`; returns nil when the element is empty.
    ///
    /// RFC 6464 allows the two-byte form to carry padding after the byte, so a longer value
    /// is accepted.
    public static func parse(_ element: UnsafeRawBufferPointer) -> (voice: Bool, level: UInt8)? {
        guard let byte = element.first else { return nil }
        return (voice: byte & 0x80 != 0, level: byte & 0x7F)
    }

    /// Returns the one-byte value for `level` in -dBov, clamped to 127.
    public static func value(voice: Bool, level: UInt8) -> [UInt8] {
        [(voice ? 0x80 : 0) | min(level, 127)]
    }
}
