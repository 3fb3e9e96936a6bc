/// The last packets of one outgoing RTP stream, unprotected, in fixed slots indexed by sequence number, so
/// that a NACK (RFC 4585 section 6.2.1) can be answered by sending the packet again. Packets are built in their
/// slot, so keeping them costs no copy.
final class PacketHistory {
    static let slotSize = 1280
    let slotCount: Int
    private let storage: UnsafeMutableRawPointer
    private var lengths: [Int]
    private var sequenceNumbers: [UInt16]

    init(slotCount: Int, seed: UInt64) {
        self.slotCount = slotCount
        storage = UnsafeMutableRawPointer.allocate(byteCount: slotCount * Self.slotSize, alignment: 16)
        lengths = [Int](repeating: 0, count: slotCount)
        sequenceNumbers = [UInt16](repeating: 0, count: slotCount)
        // Payload bytes that no field overwrites keep this noise, so payloads do not compress to nothing.
        var generator = SplitMix64(seed: seed)
        let words = storage.bindMemory(to: UInt64.self, capacity: slotCount * Self.slotSize / 8)
        for index in 0..<(slotCount * Self.slotSize / 8) {
            words[index] = generator.next()
        }
    }

    deinit {
        storage.deallocate()
    }

    /// The slot for `sequenceNumber`, to build a packet in; call `commit` once it is complete.
    func slot(for sequenceNumber: UInt16) -> UnsafeMutableRawBufferPointer {
        let index = Int(sequenceNumber) % slotCount
        return UnsafeMutableRawBufferPointer(start: storage + index * Self.slotSize, count: Self.slotSize)
    }

    func commit(_ sequenceNumber: UInt16, length: Int) {
        let index = Int(sequenceNumber) % slotCount
        lengths[index] = length
        sequenceNumbers[index] = sequenceNumber
    }

    /// Returns the stored packet with `sequenceNumber`, or nil once its slot was reused.
    func packet(_ sequenceNumber: UInt16) -> UnsafeRawBufferPointer? {
        let index = Int(sequenceNumber) % slotCount
        guard lengths[index] > 0, sequenceNumbers[index] == sequenceNumber else { return nil }
        return UnsafeRawBufferPointer(start: storage + index * Self.slotSize, count: lengths[index])
    }
}

/// A small, fast pseudo-random generator (SplitMix64) for frame sizes and filler; not for anything secret.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Returns a value in `range`, uniformly enough for load shaping.
    mutating func next(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound + 1)
        return range.lowerBound + Int(next() % width)
    }

    /// Returns a value in 0..<1.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }
}
