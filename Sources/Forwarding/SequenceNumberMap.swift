/// The mapping between incoming sequence numbers of the forwarded layer and the outgoing
/// sequence numbers of one subscriber leg (RFC 3550 section 5.1 numbering, rewritten).
///
/// Outgoing numbers are contiguous. A packet that is newest on its layer takes the next outgoing
/// number, after numbers reserved for the incoming packets missing before it, so a late packet
/// later takes the number it would have had. A skipped packet (padding, or a packet dropped for
/// a wild timestamp) takes no number when it is the newest, which closes its gap in the outgoing
/// numbering. Each segment starts at a switch point and continues the outgoing numbering.
///
/// Two rings of `capacity` slots, allocated once, hold the mapping in each direction: incoming to
/// outgoing for late packets of the current segment, and outgoing to (layer, incoming) for
/// translating a subscriber's NACK across segments.
struct SequenceNumberMap {
    enum SlotState: UInt8 {
        case empty
        /// An outgoing number held for an incoming packet that has not arrived.
        case reserved
        case forwarded
        /// A packet that arrived but was not forwarded, such as padding.
        case skipped
    }

    /// The position of an incoming sequence number relative to the current segment.
    enum Position: Equatable {
        case newest(extended: Int64)
        case late(extended: Int64)
        /// Older than the packet the segment started at.
        case beforeSegment
        /// Further than `maxDropout` ahead or `maxMisorder` behind.
        case jump
    }

    enum LateAssignment: Equatable {
        case forward(UInt16)
        case duplicate
        case tooLate
        case skipped
    }

    private struct IncomingSlot {
        var incoming: Int64 = -1
        var outgoing: Int64 = 0
        var state = SlotState.empty
    }

    private struct OutgoingSlot {
        var outgoing: Int64 = -1
        var layer = 0
        var incoming: UInt16 = 0
        var state = SlotState.empty
    }

    /// The forward jump of RFC 3550 appendix A.1 (MAX_DROPOUT) beyond which a number is a jump.
    static let maxDropout: Int64 = 3000
    /// Distance behind the highest number up to which a packet is late rather than a jump.
    /// Appendix A.1 uses 100. The wider window separates packets older than the mapping (too
    /// late) from a restart.
    static let maxMisorder: Int64 = 1000

    let capacity: Int
    private var incomingSlots: [IncomingSlot]
    private var outgoingSlots: [OutgoingSlot]
    /// Highest outgoing number assigned or reserved, extended past 16 bits.
    private(set) var highestOutgoing: Int64
    private(set) var layer = 0
    /// Extended incoming number of the segment's first packet.
    private(set) var segmentStart: Int64 = 0
    private var highestIncoming: Int64 = 0

    /// - Precondition: `capacity` is a power of two.
    init(capacity: Int, initialSequenceNumber: UInt16) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "the capacity is a power of two")
        self.capacity = capacity
        incomingSlots = Array(repeating: IncomingSlot(), count: capacity)
        outgoingSlots = Array(repeating: OutgoingSlot(), count: capacity)
        // Extended numbers start one wrap up so that a number one wrap back stays positive.
        highestOutgoing = Int64(initialSequenceNumber) + 0xFFFF
    }

    /// Starts a segment on `layer` whose first packet has `sequenceNumber`.
    mutating func startSegment(layer: Int, sequenceNumber: UInt16) {
        self.layer = layer
        segmentStart = Int64(sequenceNumber) + 0x10000
        highestIncoming = segmentStart - 1
        for index in incomingSlots.indices {
            incomingSlots[index] = IncomingSlot()
        }
    }

    func position(of sequenceNumber: UInt16) -> Position {
        let delta = Int64(Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: highestIncoming)))
        if delta > 0, delta <= Self.maxDropout {
            return .newest(extended: highestIncoming + delta)
        }
        if delta <= 0, delta > -Self.maxMisorder {
            let extended = highestIncoming + delta
            return extended < segmentStart ? .beforeSegment : .late(extended: extended)
        }
        return .jump
    }

    /// Assigns outgoing numbers for a newest packet: reserved ones for the gap before it, and
    /// one for the packet itself unless `skip` is set. Returns the packet's outgoing number.
    mutating func assignNewest(_ extended: Int64, skip: Bool) -> UInt16? {
        precondition(extended > highestIncoming, "a newest packet is above the highest incoming number")
        let gap = extended - highestIncoming - 1
        // Only the last `capacity` reservations fit in the rings; older ones are written and overwritten.
        let firstRecorded = max(highestIncoming + 1, extended - Int64(capacity))
        let firstOutgoing = highestOutgoing + 1 + (firstRecorded - highestIncoming - 1)
        for offset in 0..<(extended - firstRecorded) {
            record(incoming: firstRecorded + offset, outgoing: firstOutgoing + offset, state: .reserved)
        }
        highestOutgoing += gap
        highestIncoming = extended

        if skip {
            incomingSlots[slot(extended)] = IncomingSlot(incoming: extended, outgoing: -1, state: .skipped)
            return nil
        }
        highestOutgoing += 1
        record(incoming: extended, outgoing: highestOutgoing, state: .forwarded)
        return UInt16(truncatingIfNeeded: highestOutgoing)
    }

    /// Uses the number reserved for a late packet, or marks it skipped when `skip` is set.
    mutating func assignLate(_ extended: Int64, skip: Bool) -> LateAssignment {
        let index = slot(extended)
        let entry = incomingSlots[index]
        guard entry.incoming == extended else { return .tooLate }

        switch entry.state {
        case .reserved:
            let state: SlotState = skip ? .skipped : .forwarded
            record(incoming: extended, outgoing: entry.outgoing, state: state)
            return skip ? .skipped : .forward(UInt16(truncatingIfNeeded: entry.outgoing))
        case .forwarded:
            return .duplicate
        case .skipped:
            return .skipped
        case .empty:
            return .tooLate
        }
    }

    /// Returns the layer and incoming sequence number behind outgoing `sequenceNumber`, or nil when
    /// it is unknown, too old, or was never media.
    func incoming(forOutgoing sequenceNumber: UInt16) -> (layer: Int, sequenceNumber: UInt16)? {
        let delta = Int64(Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: highestOutgoing)))
        guard delta <= 0 else { return nil }
        let extended = highestOutgoing + delta
        let entry = outgoingSlots[slot(extended)]
        guard entry.outgoing == extended, entry.state == .reserved || entry.state == .forwarded else { return nil }
        return (entry.layer, entry.incoming)
    }

    private func slot(_ extended: Int64) -> Int {
        Int(truncatingIfNeeded: extended) & (capacity - 1)
    }

    private mutating func record(incoming: Int64, outgoing: Int64, state: SlotState) {
        incomingSlots[slot(incoming)] = IncomingSlot(incoming: incoming, outgoing: outgoing, state: state)
        outgoingSlots[slot(outgoing)] = OutgoingSlot(
            outgoing: outgoing, layer: layer, incoming: UInt16(truncatingIfNeeded: incoming), state: state)
    }
}
