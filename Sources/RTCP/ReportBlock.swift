import Wire

/// A reception report block of sender and receiver reports (RFC 3550 section 6.4.1).
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///     |                 SSRC_1 (SSRC of first source)                 |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     | fraction lost |       cumulative number of packets lost       |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |           extended highest sequence number received           |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                      interarrival jitter                      |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                         last SR (LSR)                         |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                   delay since last SR (DLSR)                  |
///     +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
public struct ReportBlock: Equatable, Hashable, Sendable {
    static let length = 24
    static let maxCumulativeLost: Int32 = 0x7F_FFFF
    static let minCumulativeLost: Int32 = -0x80_0000

    public var ssrc: UInt32
    /// Fraction of packets lost since the previous report, in units of 1/256.
    public var fractionLost: UInt8
    /// Packets lost since reception began, a 24-bit signed value; duplicates can make it negative.
    public var cumulativeLost: Int32
    /// Highest sequence number received, with the count of wraps in the high 16 bits.
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last sender report received.
    public var lastSR: UInt32
    /// Delay since that sender report, in units of 1/65536 seconds.
    public var delaySinceLastSR: UInt32

    public init(
        ssrc: UInt32,
        fractionLost: UInt8,
        cumulativeLost: Int32,
        extendedHighestSequence: UInt32,
        jitter: UInt32,
        lastSR: UInt32,
        delaySinceLastSR: UInt32
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSR = lastSR
        self.delaySinceLastSR = delaySinceLastSR
    }

    static func read(from reader: inout ByteReader) -> ReportBlock? {
        guard let ssrc = reader.readUInt32(),
            let fractionLost = reader.readUInt8(),
            let lost = reader.readUInt24(),
            let extendedHighestSequence = reader.readUInt32(),
            let jitter = reader.readUInt32(),
            let lastSR = reader.readUInt32(),
            let delaySinceLastSR = reader.readUInt32()
        else { return nil }

        // Shifting the 24-bit value to the top and back extends its sign.
        let cumulativeLost = Int32(bitPattern: lost << 8) >> 8
        return ReportBlock(
            ssrc: ssrc,
            fractionLost: fractionLost,
            cumulativeLost: cumulativeLost,
            extendedHighestSequence: extendedHighestSequence,
            jitter: jitter,
            lastSR: lastSR,
            delaySinceLastSR: delaySinceLastSR
        )
    }

    static func readAll(count: Int, from reader: inout ByteReader) -> [ReportBlock]? {
        guard reader.remaining >= count * length else { return nil }
        var blocks: [ReportBlock] = []
        blocks.reserveCapacity(count)
        for _ in 0..<count {
            guard let block = read(from: &reader) else { return nil }
            blocks.append(block)
        }
        return blocks
    }

    /// Appends the block; a cumulative loss outside the 24-bit signed range is clamped to it.
    func write(to writer: inout ByteWriter) {
        let lost = min(max(cumulativeLost, Self.minCumulativeLost), Self.maxCumulativeLost)
        writer.write(ssrc)
        writer.write(fractionLost)
        writer.writeUInt24(UInt32(bitPattern: lost) & 0xFF_FFFF)
        writer.write(extendedHighestSequence)
        writer.write(jitter)
        writer.write(lastSR)
        writer.write(delaySinceLastSR)
    }
}
