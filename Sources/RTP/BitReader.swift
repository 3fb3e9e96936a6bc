/// A most-significant-bit-first reader over borrowed bytes, for bit-packed header extensions
/// and payload descriptors. Every read returns nil when too few bits remain.
struct BitReader {
    let bytes: UnsafeRawBufferPointer
    /// Position of the next bit to read, counted from the first bit of `bytes`.
    private(set) var bitOffset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remainingBits: Int { bytes.count * 8 - bitOffset }

    /// Reads `count` bits (0 to 32) as an unsigned number.
    mutating func read(_ count: Int) -> UInt32? {
        precondition(count >= 0 && count <= 32, "a bit field read has 0 to 32 bits")
        guard remainingBits >= count else { return nil }

        var value: UInt32 = 0
        for _ in 0..<count {
            let byte = bytes[bitOffset >> 3]
            let bit = (byte >> (7 - UInt8(bitOffset & 7))) & 1
            value = value << 1 | UInt32(bit)
            bitOffset += 1
        }
        return value
    }

    mutating func readFlag() -> Bool? {
        read(1).map { $0 == 1 }
    }

    /// Reads a non-symmetric unsigned value below `n` (AV1 specification section 4.10.7), which
    /// takes fewer bits for the smaller values.
    mutating func readNonSymmetric(_ n: UInt32) -> UInt32? {
        guard n > 1 else { return 0 }
        let width = 32 - n.leadingZeroBitCount
        let threshold = (UInt32(1) << width) - n
        guard let value = read(width - 1) else { return nil }
        if value < threshold { return value }
        guard let extra = read(1) else { return nil }
        return (value << 1) - threshold + extra
    }
}
