import Wire

/// A full intra request, payload-specific feedback (PT 206) with FMT 4 (RFC 5104 section 4.3.1).
///
/// The media SSRC of the common feedback header is unused and zero. Each FCI entry names the
/// SSRC that should send a decoder refresh point, and a command sequence number that the
/// requester increments for each new request, so a retransmitted request is recognized.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                              SSRC                             |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     | Seq nr.       |    Reserved                                   |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public struct FullIntraRequest: Equatable, Hashable, Sendable {
    static let entryLength = 8

    public struct Entry: Equatable, Hashable, Sendable {
        public var ssrc: UInt32
        public var sequenceNumber: UInt8

        public init(ssrc: UInt32, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }
    }

    public var senderSSRC: UInt32
    public var entries: [Entry]

    public init(senderSSRC: UInt32, entries: [Entry]) {
        self.senderSSRC = senderSSRC
        self.entries = entries
    }

    /// Parses the FCI entries; bytes after the last whole entry are ignored.
    static func parse(senderSSRC: UInt32, fci: UnsafeRawBufferPointer) -> FullIntraRequest {
        var reader = ByteReader(fci)
        var entries: [Entry] = []
        while reader.remaining >= entryLength, let ssrc = reader.readUInt32(), let sequenceNumber = reader.readUInt8() {
            _ = reader.skip(3)
            entries.append(Entry(ssrc: ssrc, sequenceNumber: sequenceNumber))
        }
        return FullIntraRequest(senderSSRC: senderSSRC, entries: entries)
    }
}
