import RTCP
import Testing
import Wire

@testable import Forwarding

@Suite struct ReceiveStatisticsTests {
    /// Feeds `sequenceNumbers` 20 ms apart with timestamps that advance 20 ms at 90 kHz.
    static func feed(_ statistics: inout ReceiveStatistics, _ sequenceNumbers: [UInt16], from start: Int64 = 0)
        -> [ReceiveStatistics.SequenceUpdate]
    {
        var outcomes: [ReceiveStatistics.SequenceUpdate] = []
        for (index, sequenceNumber) in sequenceNumbers.enumerated() {
            let time = start + Int64(index) * 20
            outcomes.append(
                statistics.update(sequenceNumber: sequenceNumber, timestamp: UInt32(time * 90), now: at(time)))
        }
        return outcomes
    }

    @Test func probationNeedsTwoPacketsInSequence() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        #expect(Self.feed(&statistics, [100, 101, 102]) == [.probation, .inOrder, .inOrder])
        #expect(statistics.received == 2)
        #expect(statistics.extendedHighestSequence == 102)
    }

    @Test func probationRestartsOnGap() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        #expect(Self.feed(&statistics, [100, 105, 106]) == [.probation, .probation, .inOrder])
        let report = statistics.makeReportBlock(now: at(100))
        #expect(report?.cumulativeLost == 0)
    }

    @Test func probationOfOneCountsFirstPacket() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000, probation: 1)
        #expect(Self.feed(&statistics, [100, 102]) == [.inOrder, .inOrder])
        #expect(statistics.received == 2)
        #expect(statistics.cumulativeLost == 1)
    }

    @Test func noReportBeforeProbationEnds() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        let before = statistics.makeReportBlock(now: at(0))
        #expect(before == nil)
        _ = Self.feed(&statistics, [5])
        let onProbation = statistics.makeReportBlock(now: at(0))
        #expect(onProbation == nil)
    }

    @Test func lossIsCountedAndFractionIsPerInterval() throws {
        var statistics = ReceiveStatistics(ssrc: 0xABCD, clockRate: 90000)
        // 10 expected (1...10) with 3 and 4 missing.
        _ = Self.feed(&statistics, [0, 1, 2, 5, 6, 7, 8, 9, 10])
        let firstReport = statistics.makeReportBlock(now: at(500))
        let first = try #require(firstReport)
        #expect(first.ssrc == 0xABCD)
        #expect(first.cumulativeLost == 2)
        #expect(first.extendedHighestSequence == 10)
        #expect(first.fractionLost == UInt8(2 * 256 / 10))

        _ = Self.feed(&statistics, [11, 12, 13, 14], from: 600)
        let secondReport = statistics.makeReportBlock(now: at(1000))
        let second = try #require(secondReport)
        #expect(second.cumulativeLost == 2)
        #expect(second.fractionLost == 0)
    }

    @Test func lateArrivalReducesLoss() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        #expect(Self.feed(&statistics, [0, 1, 3, 2]) == [.probation, .inOrder, .inOrder, .reordered])
        let report = statistics.makeReportBlock(now: at(100))
        #expect(report?.cumulativeLost == 0)
    }

    @Test func duplicatesMakeLossNegative() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        #expect(Self.feed(&statistics, [0, 1, 2, 2, 2]) == [.probation, .inOrder, .inOrder, .reordered, .reordered])
        let report = statistics.makeReportBlock(now: at(100))
        #expect(report?.cumulativeLost == -2)
    }

    @Test func wrapIncrementsCycles() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        _ = Self.feed(&statistics, [65533, 65534, 65535, 0, 1])
        #expect(statistics.extendedHighestSequence == 0x1_0001)
        #expect(statistics.cumulativeLost == 0)
    }

    @Test func oneWildPacketDoesNotMoveTheStream() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        let outcomes = Self.feed(&statistics, [10, 11, 12, 40000, 13, 14])
        #expect(outcomes == [.probation, .inOrder, .inOrder, .jumpPending, .inOrder, .inOrder])
        #expect(statistics.extendedHighestSequence == 14)
        #expect(statistics.cumulativeLost == 0)
    }

    @Test func confirmedJumpRestartsTheStream() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        let outcomes = Self.feed(&statistics, [10, 11, 12, 40000, 40001, 40002])
        #expect(outcomes == [.probation, .inOrder, .inOrder, .jumpPending, .restarted, .inOrder])
        #expect(statistics.extendedHighestSequence == 40002)
        #expect(statistics.cumulativeLost == 0)
    }

    @Test func jumpBackwardsKeepsExtendedSequenceRising() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        _ = Self.feed(&statistics, [30000, 30001, 5000, 5001])
        #expect(statistics.extendedHighestSequence == 0x1_0000 + 5001)
    }

    @Test func steadyArrivalHasNoJitter() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        _ = Self.feed(&statistics, Array(0..<50))
        let report = statistics.makeReportBlock(now: at(1000))
        #expect(report?.jitter == 0)
    }

    @Test func alternatingDelayConvergesToItsSize() {
        // Every other packet arrives 10 ms late, so each transit difference is 900 units.
        // J converges to the mean absolute difference (RFC 3550 appendix A.8).
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        for index in 0..<400 {
            let sent = Int64(index) * 20
            let arrival = sent + (index % 2 == 0 ? 0 : 10)
            statistics.update(sequenceNumber: UInt16(index), timestamp: UInt32(sent * 90), now: at(arrival))
        }
        #expect(statistics.jitter >= 880)
        #expect(statistics.jitter <= 900)
    }

    @Test func retransmissionsAndWildTimestampsSkipJitter() {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        _ = Self.feed(&statistics, Array(0..<10))
        statistics.update(sequenceNumber: 10, timestamp: 200 * 90, now: at(900), isRetransmission: true)
        statistics.update(sequenceNumber: 11, timestamp: 0x8000_0000, now: at(220))
        statistics.update(sequenceNumber: 12, timestamp: 240 * 90, now: at(240))
        #expect(statistics.jitter == 0)
        #expect(statistics.received == 12)
    }

    @Test func reportCarriesLastSenderReport() throws {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        _ = Self.feed(&statistics, [0, 1])
        statistics.receivedSenderReport(ntpTimestamp: 0x1234_5678_9ABC_DEF0, now: at(1000))
        let blockReport = statistics.makeReportBlock(now: at(1500))
        let block = try #require(blockReport)
        #expect(block.lastSR == 0x5678_9ABC)
        #expect(block.delaySinceLastSR == 32768)
    }

    @Test func reportWithoutSenderReportHasZeroLSR() throws {
        var statistics = ReceiveStatistics(ssrc: 1, clockRate: 90000)
        _ = Self.feed(&statistics, [0, 1])
        let blockReport = statistics.makeReportBlock(now: at(1500))
        let block = try #require(blockReport)
        #expect(block.lastSR == 0)
        #expect(block.delaySinceLastSR == 0)
    }
}
