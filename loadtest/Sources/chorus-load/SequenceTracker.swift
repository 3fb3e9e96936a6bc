import Wire

/// Loss and duplicate accounting for one received RTP stream, by sequence number (RFC 3550 appendix A.3):
/// the expected count is the extended highest sequence number minus the first plus one, and what was not
/// received of that is lost. A packet that arrives late still counts, so reordering is not loss.
struct SequenceTracker {
    /// Recent sequence numbers remembered to spot duplicates, such as retransmissions of packets that arrived.
    private static let windowSize: Int64 = 1024

    private var unwrapper = SequenceUnwrapper()
    private(set) var first: Int64?
    private(set) var highest: Int64 = 0
    private(set) var received: UInt64 = 0
    private(set) var duplicates: UInt64 = 0
    /// Bit i of word i / 64 is set when extended sequence number `n` with `n % windowSize == i` arrived.
    private var window = [UInt64](repeating: 0, count: Int(windowSize / 64))

    enum Outcome: Equatable {
        /// A new packet; `gap` packets before it are missing so far (0 when it is the next one or fills a hole).
        case new(gap: Int64)
        case duplicate
        /// Older than the window, so it cannot be told apart from a duplicate and is ignored.
        case tooOld
    }

    var expected: Int64 {
        guard let first else { return 0 }
        return highest - first + 1
    }

    var lost: Int64 {
        max(0, expected - Int64(received))
    }

    var extendedHighest: Int64 { highest }

    mutating func record(_ sequenceNumber: UInt16) -> Outcome {
        let extended = unwrapper.unwrap(sequenceNumber)
        guard let start = first else {
            first = extended
            highest = extended
            mark(extended)
            received = 1
            return .new(gap: 0)
        }
        if extended > highest {
            for cleared in max(highest + 1, extended - Self.windowSize + 1)..<extended {
                clear(cleared)
            }
            let gap = extended - highest - 1
            highest = extended
            mark(extended)
            received += 1
            return .new(gap: gap)
        }
        guard extended > highest - Self.windowSize, extended >= start else { return .tooOld }
        if isMarked(extended) {
            duplicates += 1
            return .duplicate
        }
        mark(extended)
        received += 1
        return .new(gap: 0)
    }

    private func slot(_ extended: Int64) -> (word: Int, bit: UInt64) {
        let index = Int(((extended % Self.windowSize) + Self.windowSize) % Self.windowSize)
        return (index / 64, UInt64(1) << UInt64(index % 64))
    }

    private mutating func mark(_ extended: Int64) {
        let (word, bit) = slot(extended)
        window[word] |= bit
    }

    private mutating func clear(_ extended: Int64) {
        let (word, bit) = slot(extended)
        window[word] &= ~bit
    }

    private func isMarked(_ extended: Int64) -> Bool {
        let (word, bit) = slot(extended)
        return window[word] & bit != 0
    }
}
