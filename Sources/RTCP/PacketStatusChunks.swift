import Wire

/// Reading of the packet status chunks of transport-wide feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1.1 to 3.1.4).
///
/// A chunk is 16 bits. A run length chunk (T=0) repeats one 2-bit symbol S up to 8191 times:
///
///     |T| S |       Run Length        |
///
/// A status vector chunk (T=1) lists 14 one-bit symbols (S=0, where 1 means a small delta) or
/// seven two-bit symbols (S=1):
///
///     |T|S|       symbol list         |
enum PacketStatusChunks {
    enum Symbol: UInt8 {
        case notReceived = 0
        case smallDelta = 1
        case largeDelta = 2
    }

    static let maxRunLength = 0x1FFF
    static let oneBitCapacity = 14
    static let twoBitCapacity = 7

    /// Returns the bytes taken by the chunks that cover `count` statuses from `start`, or nil
    /// when the chunks run past `body` or use the reserved symbol 3.
    static func encodedLength(_ body: UnsafeRawBufferPointer, from start: Int, count: Int) -> Int? {
        var offset = start
        var covered = 0
        while covered < count {
            guard offset + 2 <= body.count else { return nil }
            let chunk = body.loadBigEndianUInt16(at: offset)
            guard let symbols = symbolCount(chunk) else { return nil }
            covered += symbols
            offset += 2
        }
        return offset - start
    }

    /// Calls `body` with the index and symbol of each status among the first `count` that is not
    /// `notReceived`, until `body` returns false. The caller checks the chunks with
    /// `encodedLength` first. A run length chunk of lost packets takes one step, not one per packet.
    static func forEachReceived(
        _ bytes: UnsafeRawBufferPointer,
        from start: Int,
        count: Int,
        _ body: (Int, Symbol) -> Bool
    ) {
        var offset = start
        var index = 0
        while index < count, offset + 2 <= bytes.count {
            let chunk = bytes.loadBigEndianUInt16(at: offset)
            offset += 2
            guard let symbols = symbolCount(chunk) else { return }

            let covered = min(symbols, count - index)
            if chunk & 0x8000 == 0, chunk >> 13 == Symbol.notReceived.rawValue {
                index += covered
                continue
            }
            for position in 0..<covered {
                guard let symbol = self.symbol(chunk, at: position) else { return }
                if symbol != .notReceived {
                    guard body(index, symbol) else { return }
                }
                index += 1
            }
        }
    }

    /// Returns how many statuses `chunk` covers, or nil when it contains the reserved symbol.
    private static func symbolCount(_ chunk: UInt16) -> Int? {
        if chunk & 0x8000 == 0 {
            guard chunk >> 13 != 3 else { return nil }
            return Int(chunk & 0x1FFF)
        }
        if chunk & 0x4000 == 0 { return oneBitCapacity }
        for position in 0..<twoBitCapacity where (chunk >> (12 - 2 * position)) & 0x3 == 3 {
            return nil
        }
        return twoBitCapacity
    }

    private static func symbol(_ chunk: UInt16, at position: Int) -> Symbol? {
        if chunk & 0x8000 == 0 {
            return Symbol(rawValue: UInt8(truncatingIfNeeded: chunk >> 13))
        }
        if chunk & 0x4000 == 0 {
            return (chunk >> (13 - position)) & 0x1 == 1 ? .smallDelta : .notReceived
        }
        return Symbol(rawValue: UInt8(truncatingIfNeeded: (chunk >> (12 - 2 * position)) & 0x3))
    }
}
