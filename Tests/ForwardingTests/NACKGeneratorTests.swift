import Testing
import Wire

@testable import Forwarding

@Suite struct NACKGeneratorTests {
    static func poll(_ generator: inout NACKGenerator, at time: Int64) -> [UInt16] {
        var list: [UInt16] = []
        generator.poll(now: at(time), into: &list)
        return list
    }

    static func receive(_ generator: inout NACKGenerator, _ sequenceNumbers: [UInt16], at time: Int64) {
        for sequenceNumber in sequenceNumbers {
            generator.received(sequenceNumber: sequenceNumber, now: at(time))
        }
    }

    @Test func gapIsRequestedAfterInitialDelay() {
        var generator = NACKGenerator()
        Self.receive(&generator, [1, 2, 5], at: 0)
        #expect(generator.missingCount == 2)
        #expect(Self.poll(&generator, at: 10).isEmpty)
        #expect(Self.poll(&generator, at: 20) == [3, 4])
    }

    @Test func retriesFollowRetryInterval() {
        var generator = NACKGenerator()
        Self.receive(&generator, [1, 3], at: 0)
        #expect(Self.poll(&generator, at: 20) == [2])
        #expect(Self.poll(&generator, at: 50).isEmpty)
        #expect(Self.poll(&generator, at: 120) == [2])
        #expect(generator.nextDeadline == at(220))
    }

    @Test func roundTripTimeSetsRetryInterval() {
        var generator = NACKGenerator()
        generator.updateRoundTripTime(milliseconds: 40)
        Self.receive(&generator, [1, 3], at: 0)
        #expect(Self.poll(&generator, at: 20) == [2])
        #expect(Self.poll(&generator, at: 59).isEmpty)
        #expect(Self.poll(&generator, at: 60) == [2])

        generator.updateRoundTripTime(milliseconds: 5)
        #expect(generator.retryIntervalMilliseconds == 20)
        generator.updateRoundTripTime(milliseconds: 5000)
        #expect(generator.retryIntervalMilliseconds == 500)
    }

    @Test func arrivalStopsRequests() {
        var generator = NACKGenerator()
        Self.receive(&generator, [1, 4], at: 0)
        #expect(Self.poll(&generator, at: 20) == [2, 3])
        // The RTX-repaired packet 2 counts as received.
        Self.receive(&generator, [2], at: 30)
        #expect(Self.poll(&generator, at: 120) == [3])
        Self.receive(&generator, [3], at: 130)
        #expect(generator.missingCount == 0)
        #expect(generator.nextDeadline == nil)
    }

    @Test func reorderedPacketIsNeverRequested() {
        var generator = NACKGenerator()
        Self.receive(&generator, [1, 3], at: 0)
        Self.receive(&generator, [2], at: 5)
        #expect(Self.poll(&generator, at: 20).isEmpty)
    }

    @Test func paddingFillsGaps() {
        // Padding-only packets have sequence numbers, so they arrive like any other packet.
        var generator = NACKGenerator()
        Self.receive(&generator, [1, 2, 3, 4, 5], at: 0)
        #expect(generator.missingCount == 0)
    }

    @Test func packetIsGivenUpAfterMaxRetries() {
        var configuration = NACKGenerator.Configuration()
        configuration.maxRetries = 3
        configuration.maxAgeMilliseconds = 10_000
        var generator = NACKGenerator(configuration: configuration)
        Self.receive(&generator, [1, 3], at: 0)
        #expect(Self.poll(&generator, at: 20) == [2])
        #expect(Self.poll(&generator, at: 120) == [2])
        #expect(Self.poll(&generator, at: 220) == [2])
        #expect(Self.poll(&generator, at: 320).isEmpty)
        #expect(generator.missingCount == 0)
        #expect(generator.packetsGivenUp == 1)
    }

    @Test func packetIsGivenUpWhenTooOld() {
        var generator = NACKGenerator()
        Self.receive(&generator, [1, 3], at: 0)
        #expect(Self.poll(&generator, at: 1001).isEmpty)
        #expect(generator.missingCount == 0)
    }

    @Test func listSizeIsCapped() {
        var configuration = NACKGenerator.Configuration()
        configuration.maxListSize = 4
        var generator = NACKGenerator(configuration: configuration)
        Self.receive(&generator, [0, 11], at: 0)
        #expect(Self.poll(&generator, at: 20) == [1, 2, 3, 4])
        #expect(Self.poll(&generator, at: 21) == [5, 6, 7, 8])
    }

    @Test func fullMissingListGivesUpOldest() {
        var configuration = NACKGenerator.Configuration()
        configuration.maxMissing = 4
        var generator = NACKGenerator(configuration: configuration)
        Self.receive(&generator, [0, 4], at: 0)
        Self.receive(&generator, [7], at: 0)
        #expect(generator.missingCount == 4)
        #expect(generator.packetsGivenUp == 1)
        #expect(Self.poll(&generator, at: 20) == [2, 3, 5, 6])

        Self.receive(&generator, [20], at: 30)
        #expect(generator.missingCount == 4)
        #expect(Self.poll(&generator, at: 50) == [16, 17, 18, 19])
    }

    @Test func hugeGapIsResetNotLoss() {
        var generator = NACKGenerator()
        Self.receive(&generator, [100, 101], at: 0)
        Self.receive(&generator, [30000, 30001, 30003], at: 10)
        #expect(Self.poll(&generator, at: 100) == [30002])
    }

    @Test func oneWildPacketCausesNoRequests() {
        var generator = NACKGenerator()
        Self.receive(&generator, [100, 101, 9000, 102, 103], at: 0)
        #expect(generator.missingCount == 0)
        #expect(Self.poll(&generator, at: 100).isEmpty)
    }

    @Test func requestsAcrossWrap() {
        var generator = NACKGenerator()
        Self.receive(&generator, [65533, 65534, 1], at: 0)
        #expect(Self.poll(&generator, at: 20) == [65535, 0])
        Self.receive(&generator, [0], at: 25)
        #expect(Self.poll(&generator, at: 120) == [65535])
    }

    @Test func reusedListDoesNotGrow() {
        var generator = NACKGenerator()
        Self.receive(&generator, [0, 30], at: 0)
        var list: [UInt16] = []
        list.reserveCapacity(64)
        generator.poll(now: at(20), into: &list)
        #expect(list.count == 29)
        #expect(list.capacity >= 64)
    }
}
