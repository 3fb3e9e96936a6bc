import Wire

/// The measurement header that chorus-load writes into the payload of every RTP packet it sends, so that
/// receivers can measure latency, loss and frame completeness without decoding media. All fields are big-endian:
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                      magic "CLD1"                             |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                        frame number                           |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |              send time, microseconds on CLOCK_MONOTONIC       |
///     |                                                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |         packet index          |         packet count          |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |     layer     |     flags     |           reserved            |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The send time is the monotonic clock of the sending process, so latency is only meaningful when sender and
/// receiver run on the same machine, as all participants of one chorus-load process do.
struct ProbeHeader: Equatable {
    static let length = 24
    static let magic: UInt32 = 0x434C_4431
    static let keyframeFlag: UInt8 = 0x01
    static let audioFlag: UInt8 = 0x02

    var frameNumber: UInt32
    var sendTimeMicroseconds: Int64
    /// Index of this packet within its frame, from 0.
    var packetIndex: UInt16
    var packetCount: UInt16
    /// Simulcast layer, 0 lowest; 0 for audio and single-layer video.
    var layer: UInt8
    var flags: UInt8

    var isKeyframe: Bool { flags & Self.keyframeFlag != 0 }

    /// Writes the header at `offset`; the caller has checked that `length` bytes fit.
    func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBigEndian(Self.magic, at: offset)
        buffer.storeBigEndian(frameNumber, at: offset + 4)
        buffer.storeBigEndian(
            UInt32(truncatingIfNeeded: UInt64(bitPattern: sendTimeMicroseconds) >> 32), at: offset + 8)
        buffer.storeBigEndian(UInt32(truncatingIfNeeded: sendTimeMicroseconds), at: offset + 12)
        buffer.storeBigEndian(packetIndex, at: offset + 16)
        buffer.storeBigEndian(packetCount, at: offset + 18)
        buffer[offset + 20] = layer
        buffer[offset + 21] = flags
        buffer[offset + 22] = 0
        buffer[offset + 23] = 0
    }

    /// Reads a header at `offset` of `payload`; nil when it does not fit or the magic differs.
    static func read(_ payload: UnsafeRawBufferPointer, at offset: Int) -> ProbeHeader? {
        guard offset >= 0, payload.count - offset >= length else { return nil }
        guard payload.loadBigEndianUInt32(at: offset) == magic else { return nil }
        let high = UInt64(payload.loadBigEndianUInt32(at: offset + 8))
        let low = UInt64(payload.loadBigEndianUInt32(at: offset + 12))
        let header = ProbeHeader(
            frameNumber: payload.loadBigEndianUInt32(at: offset + 4),
            sendTimeMicroseconds: Int64(bitPattern: high << 32 | low),
            packetIndex: payload.loadBigEndianUInt16(at: offset + 16),
            packetCount: payload.loadBigEndianUInt16(at: offset + 18),
            layer: payload[offset + 20],
            flags: payload[offset + 21])
        guard header.packetCount > 0, header.packetIndex < header.packetCount else { return nil }
        return header
    }

    /// Finds the header in the first bytes of `payload`: at `expectedOffset` when the payload layout is known,
    /// else by searching for the magic, which copes with a forwarder that rewrote a codec payload descriptor.
    static func find(in payload: UnsafeRawBufferPointer, expectedOffset: Int) -> ProbeHeader? {
        if let header = read(payload, at: expectedOffset) { return header }
        let limit = min(payload.count - length, 48)
        guard limit >= 0 else { return nil }
        for offset in 0...limit where offset != expectedOffset && payload[offset] == 0x43 {
            if let header = read(payload, at: offset) { return header }
        }
        return nil
    }
}
