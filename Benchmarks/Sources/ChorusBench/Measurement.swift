import CMallocCounter

#if canImport(Glibc)
    import Glibc
#endif

/// The result of running one benchmark body many times.
struct Measurement {
    var name: String
    var iterations: Int
    var allocationsPerIteration: Double
    var nanosecondsPerIteration: Double
}

/// Values the benchmark bodies return are folded in here and printed at the end, so the
/// optimizer cannot drop the work that produced them.
var resultSink = 0

/// Runs `body` `iterations` times after a warm-up, and counts the heap allocations and the
/// wall-clock time per call. The warm-up takes one-time allocations, such as type metadata,
/// out of the count.
func measure(_ name: String, iterations: Int, _ body: () -> Int) -> Measurement {
    for _ in 0..<min(iterations, 1000) {
        resultSink &+= body()
    }

    let allocationsBefore = chorus_allocation_count()
    let start = monotonicNanoseconds()
    for _ in 0..<iterations {
        resultSink &+= body()
    }
    let elapsed = monotonicNanoseconds() - start
    let allocations = chorus_allocation_count() - allocationsBefore

    return Measurement(
        name: name,
        iterations: iterations,
        allocationsPerIteration: Double(allocations) / Double(iterations),
        nanosecondsPerIteration: Double(elapsed) / Double(iterations)
    )
}

func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Copies `bytes` into memory that lives until the process exits, so the benchmark bodies read a
/// plain buffer, as the SFU reads its receive slots.
func packetBuffer(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
    buffer.copyBytes(from: bytes)
    return UnsafeRawBufferPointer(buffer)
}

/// Formats a non-negative `value` with a fixed number of decimals, rounding to nearest.
func formatted(_ value: Double, decimals: Int) -> String {
    var scale = 1
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int((value * Double(scale)).rounded())
    let fraction = String(scaled % scale)
    let zeros = String(repeating: "0", count: decimals - fraction.count)
    return decimals == 0 ? String(scaled) : "\(scaled / scale).\(zeros)\(fraction)"
}

func padded(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

func leftPadded(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
