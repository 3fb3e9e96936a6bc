import Testing
import Wire

@testable import Forwarding

@Suite struct TimestampJumpFilterTests {
    @Test func steadyTimestampsAreAccepted() {
        var filter = TimestampJumpFilter(clockRate: 90000)
        for frame in 0..<10 {
            #expect(filter.check(UInt32(frame * 3000), now: at(Int64(frame) * 33)) == .accepted)
        }
    }

    @Test func oneWildTimestampIsRejected() {
        var filter = TimestampJumpFilter(clockRate: 90000)
        #expect(filter.check(1000, now: at(0)) == .accepted)
        #expect(filter.check(1000 + 90000 * 100, now: at(33)) == .rejected)
        #expect(filter.check(4000, now: at(66)) == .accepted)
        #expect(filter.reference?.timestamp == 4000)
    }

    @Test func confirmedJumpMovesReference() {
        var filter = TimestampJumpFilter(clockRate: 90000)
        #expect(filter.check(1000, now: at(0)) == .accepted)
        #expect(filter.check(0x9000_0000, now: at(33)) == .rejected)
        #expect(filter.check(0x9000_0000 + 3000, now: at(66)) == .confirmedJump)
        #expect(filter.check(0x9000_0000 + 6000, now: at(99)) == .accepted)
    }

    @Test func resumeAfterLongMuteIsAccepted() {
        // A sender muted for a minute resumes with its timestamp advanced by that minute.
        var filter = TimestampJumpFilter(clockRate: 48000)
        #expect(filter.check(0, now: at(0)) == .accepted)
        #expect(filter.check(48000 * 60, now: at(60_000)) == .accepted)
    }

    @Test func backwardsBeyondToleranceIsRejected() {
        var filter = TimestampJumpFilter(clockRate: 90000)
        #expect(filter.check(500_000, now: at(0)) == .accepted)
        #expect(filter.check(500_000 - 3000, now: at(10)) == .accepted)
        #expect(filter.check(500_000 - 90000 * 2, now: at(20)) == .rejected)
    }

    @Test func acrossWrap() {
        var filter = TimestampJumpFilter(clockRate: 90000)
        #expect(filter.check(0xFFFF_F000, now: at(0)) == .accepted)
        #expect(filter.check(0x0000_0B00, now: at(33)) == .accepted)
        #expect(filter.reference?.timestamp == 0x0000_0B00)
    }
}
