/// The playout delay header extension, URI
/// `http://www.webrtc.org/experiments/rtp-hdrext/playout-delay`, described at
/// https://webrtc.googlesource.com/src/+/refs/heads/main/docs/native-code/rtp-hdrext/playout-delay/README.md.
///
///      0                   1                   2
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |       MIN delay       |       MAX delay       |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Both delays are 12-bit counts of 10 ms. They bound the delay that the sender requests the
/// receiver's jitter buffer to apply.
public struct PlayoutDelay: Equatable, Sendable {
    /// Size of one delay unit.
    public static let unitMilliseconds = 10

    public var minimumMilliseconds: Int
    public var maximumMilliseconds: Int

    public init(minimumMilliseconds: Int, maximumMilliseconds: Int) {
        self.minimumMilliseconds = minimumMilliseconds
        self.maximumMilliseconds = maximumMilliseconds
    }

    /// Parses the three bytes of `element`; returns nil when it is shorter or the minimum
    /// exceeds the maximum.
    public static func parse(_ element: UnsafeRawBufferPointer) -> PlayoutDelay? {
        guard element.count >= 3 else { return nil }
        let packed = Int(element[0]) << 16 | Int(element[1]) << 8 | Int(element[2])
        let minimum = packed >> 12
        let maximum = packed & 0xFFF
        guard minimum <= maximum else { return nil }
        return PlayoutDelay(
            minimumMilliseconds: minimum * unitMilliseconds,
            maximumMilliseconds: maximum * unitMilliseconds
        )
    }
}
