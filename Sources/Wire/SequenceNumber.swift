/// Serial-number arithmetic for 16-bit RTP sequence numbers and 32-bit RTP
/// timestamps (RFC 1982): `a` is newer than `b` when the forward distance from
/// `b` to `a` is less than half the number space.
@inlinable
public func isNewer(_ a: UInt16, than b: UInt16) -> Bool {
    a != b && (a &- b) < 0x8000
}

@inlinable
public func isNewer(_ a: UInt32, than b: UInt32) -> Bool {
    a != b && (a &- b) < 0x8000_0000
}

/// Extends 16-bit sequence numbers to 64 bits across wrap-around, taking each
/// value as the one nearest to the highest seen so far.
public struct SequenceUnwrapper {
    public private(set) var highest: Int64?

    public init() {}

    /// Returns the extended value of `sequenceNumber` and advances `highest` when it is newer.
    public mutating func unwrap(_ sequenceNumber: UInt16) -> Int64 {
        guard let highest else {
            self.highest = Int64(sequenceNumber)
            return Int64(sequenceNumber)
        }
        let last = UInt16(truncatingIfNeeded: highest)
        let delta = Int64(Int16(bitPattern: sequenceNumber &- last))
        let extended = highest + delta
        if delta > 0 { self.highest = extended }
        return extended
    }
}

/// Extends 32-bit RTP timestamps to 64 bits across wrap-around.
public struct TimestampUnwrapper {
    public private(set) var highest: Int64?

    public init() {}

    public mutating func unwrap(_ timestamp: UInt32) -> Int64 {
        guard let highest else {
            self.highest = Int64(timestamp)
            return Int64(timestamp)
        }
        let last = UInt32(truncatingIfNeeded: highest)
        let delta = Int64(Int32(bitPattern: timestamp &- last))
        let extended = highest + delta
        if delta > 0 { self.highest = extended }
        return extended
    }
}
