/// A histogram of non-negative durations in microseconds with log-linear buckets: 16 buckets per power of
/// two, so a percentile read from it is within about 6% of the true value. Recording never allocates.
struct LatencyHistogram {
    private static let subBucketBits = 4
    private static let subBucketCount = 1 << subBucketBits
    /// Enough buckets for every positive Int64.
    static let bucketCount = (64 - subBucketBits + 1) * subBucketCount

    private(set) var counts: [UInt32]
    private(set) var count: UInt64 = 0
    private(set) var maximum: Int64 = 0
    private(set) var sum: Int64 = 0

    init() {
        counts = [UInt32](repeating: 0, count: Self.bucketCount)
    }

    mutating func record(_ microseconds: Int64) {
        let value = max(0, microseconds)
        counts[Self.bucketIndex(value)] &+= 1
        count += 1
        sum &+= value
        if value > maximum { maximum = value }
    }

    mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in 0..<Self.bucketCount where other.counts[index] != 0 {
            counts[index] &+= other.counts[index]
        }
        count += other.count
        sum &+= other.sum
        maximum = max(maximum, other.maximum)
    }

    mutating func reset() {
        guard count > 0 else { return }
        for index in 0..<Self.bucketCount { counts[index] = 0 }
        count = 0
        sum = 0
        maximum = 0
    }

    /// Returns the value below which `fraction` (0 to 1) of the samples fall, as the middle of the bucket that
    /// holds it; nil without samples.
    func percentile(_ fraction: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = max(1, UInt64((Double(count) * min(max(fraction, 0), 1)).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount where counts[index] != 0 {
            seen += UInt64(counts[index])
            if seen >= rank { return min(Self.middle(ofBucket: index), maximum) }
        }
        return maximum
    }

    var mean: Double? {
        count > 0 ? Double(sum) / Double(count) : nil
    }

    static func bucketIndex(_ value: Int64) -> Int {
        guard value >= Int64(subBucketCount) else { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        let shift = exponent - subBucketBits
        let subBucket = Int(value >> Int64(shift)) & (subBucketCount - 1)
        return (shift + 1) * subBucketCount + subBucket
    }

    static func middle(ofBucket index: Int) -> Int64 {
        guard index >= subBucketCount else { return Int64(index) }
        let shift = index / subBucketCount - 1
        let lower = Int64(subBucketCount + index % subBucketCount) << Int64(shift)
        return lower + (Int64(1) << Int64(shift)) / 2
    }
}
