/// Packs per-packet statuses of transport-wide feedback into packet status chunks
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1.1 to 3.1.4), one status at
/// a time, so a builder can check the encoded size after each packet.
///
/// Pending statuses wait until no single chunk can take the next one. Then they become a run
/// length chunk when they are all the same, a one-bit status vector when there are 14 of them
/// without a large delta, or else a two-bit status vector of the first seven, and the rest
/// stays pending. Pending statuses always fit in one final chunk.
struct PacketStatusChunkEncoder {
    typealias Symbol = PacketStatusChunks.Symbol

    private(set) var chunks: [UInt16] = []
    private var pending: [Symbol] = []
    /// Number of pending statuses; only the first 14 are kept in `pending`, because a longer
    /// run contains a single symbol.
    private var pendingCount = 0
    private var pendingAllSame = true
    private var pendingHasLargeDelta = false

    /// Number of chunks the statuses so far encode to, the final chunk included.
    var chunkCount: Int { chunks.count + (pendingCount > 0 ? 1 : 0) }

    mutating func add(_ symbol: Symbol) {
        if !canAddToPending(symbol) {
            emitPending()
        }
        if pendingCount < PacketStatusChunks.oneBitCapacity {
            pending.append(symbol)
        }
        pendingAllSame = pendingAllSame && (pending.first == symbol)
        pendingHasLargeDelta = pendingHasLargeDelta || symbol == .largeDelta
        pendingCount += 1
    }

    /// Adds `count` copies of `symbol`, as many calls of `add(_:)` would, but a long run costs
    /// one step per run length chunk instead of one per status.
    mutating func add(_ symbol: Symbol, count: Int) {
        var remaining = count
        while remaining > 0 {
            // Past 14 equal statuses only a run length chunk can take them, so a run grows in bulk.
            let isRun = pendingAllSame && pending.first == symbol && pendingCount >= PacketStatusChunks.oneBitCapacity
            let room = isRun ? PacketStatusChunks.maxRunLength - pendingCount : 0
            if room > 0 {
                let added = min(room, remaining)
                pendingCount += added
                remaining -= added
            } else {
                add(symbol)
                remaining -= 1
            }
        }
    }

    /// Returns every chunk, the pending statuses encoded into the last one.
    func finish() -> [UInt16] {
        guard pendingCount > 0 else { return chunks }
        if pendingAllSame {
            return chunks + [Self.runLength(pending[0], count: pendingCount)]
        }
        if pendingCount <= PacketStatusChunks.twoBitCapacity {
            return chunks + [Self.twoBitVector(pending)]
        }
        return chunks + [Self.oneBitVector(pending)]
    }

    private func canAddToPending(_ symbol: Symbol) -> Bool {
        if pendingCount < PacketStatusChunks.twoBitCapacity { return true }
        if pendingCount < PacketStatusChunks.oneBitCapacity, !pendingHasLargeDelta, symbol != .largeDelta {
            return true
        }
        return pendingAllSame && pending.first == symbol && pendingCount < PacketStatusChunks.maxRunLength
    }

    private mutating func emitPending() {
        if pendingAllSame {
            chunks.append(Self.runLength(pending[0], count: pendingCount))
            resetPending([])
        } else if pendingCount == PacketStatusChunks.oneBitCapacity {
            chunks.append(Self.oneBitVector(pending))
            resetPending([])
        } else {
            chunks.append(Self.twoBitVector(Array(pending.prefix(PacketStatusChunks.twoBitCapacity))))
            resetPending(Array(pending.dropFirst(PacketStatusChunks.twoBitCapacity)))
        }
    }

    private mutating func resetPending(_ symbols: [Symbol]) {
        pending = symbols
        pendingCount = symbols.count
        pendingAllSame = symbols.allSatisfy { $0 == symbols.first }
        pendingHasLargeDelta = symbols.contains(.largeDelta)
    }

    private static func runLength(_ symbol: Symbol, count: Int) -> UInt16 {
        UInt16(symbol.rawValue) << 13 | UInt16(count)
    }

    /// Encodes up to 14 statuses without large deltas; missing positions read as not received.
    private static func oneBitVector(_ symbols: [Symbol]) -> UInt16 {
        var chunk: UInt16 = 0x8000
        for (position, symbol) in symbols.enumerated() where symbol == .smallDelta {
            chunk |= 1 << (13 - position)
        }
        return chunk
    }

    /// Encodes up to seven statuses; missing positions read as not received.
    private static func twoBitVector(_ symbols: [Symbol]) -> UInt16 {
        var chunk: UInt16 = 0xC000
        for (position, symbol) in symbols.enumerated() {
            chunk |= UInt16(symbol.rawValue) << (12 - 2 * position)
        }
        return chunk
    }
}
