import Foundation

/// Pending one-shot timers ordered by deadline. Timers with equal deadlines fire in the order they were added.
///
/// Deadlines are nanoseconds on CLOCK_MONOTONIC, so wall-clock changes do not move them.
struct TimerQueue {
    private struct Entry {
        var deadline: UInt64
        var sequence: UInt64
        var work: () -> Void
    }

    /// Entries sorted by (deadline, sequence). The control plane has few timers, so insertion is a linear scan.
    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }

    var earliestDeadline: UInt64? { entries.first?.deadline }

    mutating func insert(deadline: UInt64, _ work: @escaping () -> Void) {
        let entry = Entry(deadline: deadline, sequence: nextSequence, work: work)
        nextSequence += 1
        let index = entries.firstIndex { $0.deadline > deadline } ?? entries.endIndex
        entries.insert(entry, at: index)
    }

    /// Removes and returns the work of every timer whose deadline is at or before `now`, earliest first.
    mutating func removeDue(now: UInt64) -> [() -> Void] {
        let dueCount = entries.firstIndex { $0.deadline > now } ?? entries.endIndex
        let due = entries.prefix(dueCount).map(\.work)
        entries.removeFirst(dueCount)
        return due
    }

    mutating func removeAll() {
        entries.removeAll()
    }

    /// Reads CLOCK_MONOTONIC in nanoseconds.
    static func monotonicNow() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
