import Wire

/// A retransmission store for one incoming RTP stream (one SSRC), from which NACKs (RFC 4585
/// section 6.2.1) are served with packets already forwarded.
///
/// The ring has a fixed number of slots of fixed size, allocated once in `init`. A packet goes
/// to the slot of its sequence number modulo the slot count, so `store` and `lookup` copy at
/// most one packet and never allocate. Store unencrypted RTP (after SRTP unprotect) so that a
/// retransmission can be rewritten and protected for each subscriber.
///
/// Simulcast layers have separate sequence number spaces, so each layer needs its own ring.
public final class PacketRing {
    /// A slot count of 512 keeps about 1 s of a 4 Mbit/s stream of 1000-byte packets.
    public static let defaultSlotCount = 512
    /// The largest packet that fits a slot: the usual WebRTC maximum of 1200 bytes plus headroom.
    public static let defaultSlotSize = 1500
    public static let defaultMaxAgeMilliseconds: Int64 = 1000

    public let slotCount: Int
    public let slotSize: Int
    /// Packets stored longer ago than this are not returned, because a retransmission that late
    /// arrives after the receiver's jitter buffer gave up on it.
    public let maxAgeMicroseconds: Int64

    private let storage: UnsafeMutableRawBufferPointer
    private var lengths: [Int]
    private var sequenceNumbers: [UInt16]
    private var storedAt: [Int64]

    /// - Precondition: `slotCount` is a power of two and both sizes are positive.
    public init(
        slotCount: Int = PacketRing.defaultSlotCount,
        slotSize: Int = PacketRing.defaultSlotSize,
        maxAgeMilliseconds: Int64 = PacketRing.defaultMaxAgeMilliseconds
    ) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0, "the slot count is a power of two")
        precondition(slotSize > 0, "a slot holds at least one byte")
        self.slotCount = slotCount
        self.slotSize = slotSize
        maxAgeMicroseconds = maxAgeMilliseconds * 1000
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: slotCount * slotSize, alignment: 16)
        lengths = Array(repeating: 0, count: slotCount)
        sequenceNumbers = Array(repeating: 0, count: slotCount)
        storedAt = Array(repeating: 0, count: slotCount)
    }

    deinit {
        storage.deallocate()
    }

    /// Copies `packet` into the slot of `sequenceNumber` and returns whether it was stored.
    ///
    /// A packet longer than a slot is not stored. A late packet is not stored when its slot
    /// contains a newer packet that is still young enough to be requested.
    @discardableResult
    public func store(_ packet: UnsafeRawBufferPointer, sequenceNumber: UInt16, now: Instant) -> Bool {
        guard packet.count <= slotSize, let source = packet.baseAddress else { return false }

        let slot = Int(sequenceNumber) & (slotCount - 1)
        if lengths[slot] > 0, isNewer(sequenceNumbers[slot], than: sequenceNumber),
            now.microseconds - storedAt[slot] <= maxAgeMicroseconds
        {
            return false
        }

        let destination = storage.baseAddress! + slot * slotSize
        destination.copyMemory(from: source, byteCount: packet.count)
        lengths[slot] = packet.count
        sequenceNumbers[slot] = sequenceNumber
        storedAt[slot] = now.microseconds
        return true
    }

    /// Returns the stored packet with `sequenceNumber`, or nil when it was never stored, was
    /// overwritten, or is older than the maximum age.
    ///
    /// The view points into the ring and is valid until the next `store`.
    public func lookup(_ sequenceNumber: UInt16, now: Instant) -> UnsafeRawBufferPointer? {
        let slot = Int(sequenceNumber) & (slotCount - 1)
        let length = lengths[slot]
        guard length > 0, sequenceNumbers[slot] == sequenceNumber,
            now.microseconds - storedAt[slot] <= maxAgeMicroseconds
        else { return nil }

        return UnsafeRawBufferPointer(start: storage.baseAddress! + slot * slotSize, count: length)
    }

    /// Forgets every stored packet, for a stream that restarted with new sequence numbers.
    public func removeAll() {
        for slot in 0..<slotCount {
            lengths[slot] = 0
        }
    }
}
