import Testing

@testable import chorus_load

@Suite struct SequenceTrackerTests {
    @Test func inOrderStreamHasNoLoss() {
        var tracker = SequenceTracker()
        for sequence in UInt16(100)..<200 {
            #expect(tracker.record(sequence) == .new(gap: 0))
        }
        #expect(tracker.expected == 100)
        #expect(tracker.received == 100)
        #expect(tracker.lost == 0)
    }

    @Test func gapCountsAsLossUntilFilled() {
        var tracker = SequenceTracker()
        _ = tracker.record(10)
        #expect(tracker.record(14) == .new(gap: 3))
        #expect(tracker.lost == 3)
        #expect(tracker.record(12) == .new(gap: 0))
        #expect(tracker.lost == 2)
        #expect(tracker.expected == 5)
    }

    @Test func duplicateIsCountedOnce() {
        var tracker = SequenceTracker()
        _ = tracker.record(7)
        _ = tracker.record(8)
        #expect(tracker.record(7) == .duplicate)
        #expect(tracker.record(8) == .duplicate)
        #expect(tracker.received == 2)
        #expect(tracker.duplicates == 2)
    }

    @Test func wrapAroundContinuesSequence() {
        var tracker = SequenceTracker()
        for sequence in [UInt16(65533), 65534, 65535, 0, 1, 2] {
            #expect(tracker.record(sequence) == .new(gap: 0), "sequence \(sequence)")
        }
        #expect(tracker.expected == 6)
        #expect(tracker.lost == 0)
        #expect(tracker.extendedHighest == 65536 + 2)
    }

    @Test func gapAcrossWrap() {
        var tracker = SequenceTracker()
        _ = tracker.record(65534)
        #expect(tracker.record(1) == .new(gap: 2))
        #expect(tracker.lost == 2)
        #expect(tracker.record(65535) == .new(gap: 0))
        #expect(tracker.record(0) == .new(gap: 0))
        #expect(tracker.lost == 0)
    }

    @Test func packetOlderThanWindowIsIgnored() {
        var tracker = SequenceTracker()
        _ = tracker.record(0)
        _ = tracker.record(2000)
        #expect(tracker.record(1) == .tooOld)
        #expect(tracker.received == 2)
    }

    @Test func packetBeforeFirstIsIgnored() {
        var tracker = SequenceTracker()
        _ = tracker.record(500)
        #expect(tracker.record(499) == .tooOld)
        #expect(tracker.expected == 1)
    }

    /// A slot reused after the window moved on must not make a new packet look like a duplicate.
    @Test func windowSlotsAreClearedAsSequenceAdvances() {
        var tracker = SequenceTracker()
        _ = tracker.record(0)
        _ = tracker.record(1024)
        #expect(tracker.record(1023) == .new(gap: 0))
        _ = tracker.record(2048 + 5)
        #expect(tracker.record(2048 + 4) == .new(gap: 0))
    }
}
