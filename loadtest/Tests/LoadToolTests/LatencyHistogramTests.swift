import Testing

@testable import chorus_load

@Suite struct LatencyHistogramTests {
    @Test func emptyHistogramHasNoPercentile() {
        let histogram = LatencyHistogram()
        #expect(histogram.percentile(0.5) == nil)
        #expect(histogram.mean == nil)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 1000, 12_345, 999_999, 60_000_000])
    func singleValueIsReadBackWithinBucketError(value: Int64) throws {
        var histogram = LatencyHistogram()
        histogram.record(value)
        let read = try #require(histogram.percentile(0.99))
        #expect(abs(Double(read - value)) <= Double(value) / 16 + 1)
        #expect(histogram.maximum == value)
    }

    @Test func percentilesOfUniformValues() throws {
        var histogram = LatencyHistogram()
        for value in Int64(1)...10_000 { histogram.record(value) }
        let median = try #require(histogram.percentile(0.5))
        let p99 = try #require(histogram.percentile(0.99))
        #expect(abs(Double(median) - 5000) <= 5000 / 16)
        #expect(abs(Double(p99) - 9900) <= 9900 / 16)
        #expect(histogram.count == 10_000)
    }

    @Test func bucketIndexGrowsWithValue() {
        var values: [Int64] = []
        for exponent in 0..<62 {
            let power = Int64(1) << Int64(exponent)
            values += [power, power + 1, power + power / 3]
        }
        var previous = -1
        for value in values.sorted() {
            let index = LatencyHistogram.bucketIndex(value)
            #expect(index >= previous, "value \(value)")
            #expect(index < LatencyHistogram.bucketCount)
            previous = index
        }
        #expect(LatencyHistogram.bucketIndex(Int64.max) < LatencyHistogram.bucketCount)
    }

    @Test func negativeDurationsCountAsZero() {
        var histogram = LatencyHistogram()
        histogram.record(-50)
        #expect(histogram.percentile(0.5) == 0)
    }

    @Test func mergeAndReset() throws {
        var first = LatencyHistogram()
        var second = LatencyHistogram()
        for _ in 0..<99 { first.record(1000) }
        second.record(500_000)
        first.merge(second)
        #expect(first.count == 100)
        #expect(first.maximum == 500_000)
        let p99 = try #require(first.percentile(0.99))
        #expect(p99 < 1100)
        let p100 = try #require(first.percentile(1))
        #expect(p100 > 450_000)
        first.reset()
        #expect(first.count == 0)
        #expect(first.percentile(0.5) == nil)
    }
}
