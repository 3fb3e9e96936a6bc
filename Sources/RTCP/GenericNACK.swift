import Wire

/// A generic negative acknowledgement, transport-layer feedback (PT 205) with FMT 1
/// (RFC 4585 section 6.2.1).
///
/// After the sender and media SSRCs, each FCI entry names a lost packet ID (PID) and a bitmask
/// of the 16 following packets (BLP), where bit i set means that PID + i + 1 is lost too.
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |            PID                |             BLP               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
public struct GenericNACK: Equatable, Hashable, Sendable {
    static let entryLength = 4

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    /// Lost sequence numbers, expanded from every PID and BLP in packet order.
    public var lostSequenceNumbers: [UInt16]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.lostSequenceNumbers = lostSequenceNumbers
    }

    /// Parses the FCI entries; bytes after the last whole entry are ignored.
    static func parse(senderSSRC: UInt32, mediaSSRC: UInt32, fci: UnsafeRawBufferPointer) -> GenericNACK {
        var lost: [UInt16] = []
        lost.reserveCapacity(lostCount(fci))
        forEachLostSequenceNumber(fci: fci) { lost.append($0) }
        return GenericNACK(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, lostSequenceNumbers: lost)
    }

    /// Calls `visit` with the PID and then each sequence number its BLP marks, for every whole
    /// entry of `fci`.
    static func forEachLostSequenceNumber(fci: UnsafeRawBufferPointer, _ visit: (UInt16) -> Void) {
        var reader = ByteReader(fci)
        while let pid = reader.readUInt16(), let bitmask = reader.readUInt16() {
            visit(pid)
            for bit in 0..<16 where bitmask & (1 << bit) != 0 {
                visit(pid &+ UInt16(bit + 1))
            }
        }
    }

    /// Returns how many sequence numbers the whole entries of `fci` name, so that parsing
    /// allocates the list once.
    private static func lostCount(_ fci: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var offset = 0
        while fci.count - offset >= entryLength {
            count += 1 + fci.loadBigEndianUInt16(at: offset + 2).nonzeroBitCount
            offset += entryLength
        }
        return count
    }

    /// Packs sequence numbers into PID and BLP pairs. Each number joins the first pair whose PID
    /// lies 0 to 16 below it, counting across the wrap, or else starts a new pair. So a list in
    /// ascending order packs into the fewest pairs.
    static func pack(_ lost: [UInt16]) -> [(pid: UInt16, bitmask: UInt16)] {
        var pairs: [(pid: UInt16, bitmask: UInt16)] = []
        for sequenceNumber in lost {
            if let index = pairs.firstIndex(where: { sequenceNumber &- $0.pid <= 16 }) {
                let distance = sequenceNumber &- pairs[index].pid
                if distance > 0 {
                    pairs[index].bitmask |= 1 << (distance - 1)
                }
            } else {
                pairs.append((pid: sequenceNumber, bitmask: 0))
            }
        }
        return pairs
    }
}
