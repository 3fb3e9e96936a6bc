import Testing
import Wire

@testable import Forwarding

@Suite struct AudioLevelRankerTests {
    /// Feeds one packet every 20 ms per participant from `start` for `duration` ms, with the
    /// level in -dBov that `levels` gives (nil: no packet, as in DTX), and calls `update` after
    /// each step. Returns each ranking `update` returned.
    static func feed(
        _ ranker: inout AudioLevelRanker,
        from start: Int64,
        duration: Int64,
        levels: [UInt32: UInt8?]
    ) -> [[UInt32]] {
        var changes: [[UInt32]] = []
        var time = start
        while time < start + duration {
            for (participant, level) in levels.sorted(by: { $0.key < $1.key }) {
                if let level {
                    ranker.record(participant: participant, level: level, voice: level < 127, now: at(time))
                }
            }
            if let ranking = ranker.update(now: at(time)) { changes.append(ranking) }
            time += 20
        }
        return changes
    }

    @Test func loudestSpeakerIsFirst() {
        var ranker = AudioLevelRanker()
        let changes = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 30, 2: 127, 3: 50])
        // Participant 3 reaches the activation level one window after participant 1.
        #expect(changes == [[1], [1, 3]])
        #expect(ranker.ranking == [1, 3])
    }

    @Test func noChangeMeansNoOutput() {
        var ranker = AudioLevelRanker()
        _ = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 30])
        let changes = Self.feed(&ranker, from: 2000, duration: 2000, levels: [1: 30])
        #expect(changes.isEmpty)
    }

    @Test func smallDifferenceDoesNotReorder() {
        var ranker = AudioLevelRanker()
        _ = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 30, 2: 40])
        #expect(ranker.ranking == [1, 2])
        // Participant 2 becomes louder by 5 dB, less than the margin of 10.
        let changes = Self.feed(&ranker, from: 2000, duration: 3000, levels: [1: 30, 2: 25])
        #expect(changes.isEmpty)
        #expect(ranker.ranking == [1, 2])
    }

    @Test func clearlyLouderSpeakerPasses() {
        var ranker = AudioLevelRanker()
        _ = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 40, 2: 50])
        let changes = Self.feed(&ranker, from: 2000, duration: 3000, levels: [1: 40, 2: 20])
        #expect(changes == [[2, 1]])
    }

    @Test func dtxSilenceDecaysLevel() throws {
        var ranker = AudioLevelRanker()
        _ = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 30, 2: 30])
        let before = try #require(ranker.smoothedLevel(of: 1))
        // Participant 1 stops sending (DTX); participant 2 keeps talking.
        let changes = Self.feed(&ranker, from: 2000, duration: 600, levels: [1: nil, 2: 30])
        let after = try #require(ranker.smoothedLevel(of: 1))
        #expect(after < before)
        #expect(after > 0)
        // Still an active speaker after one silent window, now behind the one who talks.
        #expect(changes == [[2, 1]])

        let later = Self.feed(&ranker, from: 2600, duration: 2000, levels: [1: nil, 2: 30])
        #expect(later == [[2]])
    }

    @Test func unvoicedPacketsCountAsSilence() {
        var ranker = AudioLevelRanker()
        for step in 0..<100 {
            ranker.record(participant: 1, level: 20, voice: false, now: at(Int64(step) * 20))
        }
        #expect(ranker.update(now: at(2000)) == nil)
        #expect(ranker.smoothedLevel(of: 1) == 0)
    }

    @Test func voiceFlagCanBeIgnored() {
        var configuration = AudioLevelRanker.Configuration()
        configuration.usesVoiceFlag = false
        var ranker = AudioLevelRanker(configuration: configuration)
        for step in 0..<100 {
            ranker.record(participant: 1, level: 20, voice: false, now: at(Int64(step) * 20))
        }
        #expect(ranker.update(now: at(2000)) == [1])
    }

    @Test func rankingIsCapped() {
        var configuration = AudioLevelRanker.Configuration()
        configuration.maxSpeakers = 2
        var ranker = AudioLevelRanker(configuration: configuration)
        _ = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 20, 2: 30, 3: 10])
        #expect(ranker.ranking == [3, 1])
    }

    @Test func removedParticipantLeavesRanking() {
        var ranker = AudioLevelRanker()
        _ = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 20, 2: 30])
        ranker.removeParticipant(1)
        #expect(ranker.update(now: at(2000)) == [2])
        #expect(ranker.smoothedLevel(of: 1) == nil)
    }

    @Test func longGapClosesWindowsCheaply() {
        var ranker = AudioLevelRanker()
        _ = Self.feed(&ranker, from: 0, duration: 2000, levels: [1: 20])
        #expect(ranker.update(now: at(3_600_000)) == [])
        #expect((ranker.smoothedLevel(of: 1) ?? 1) < 0.001)
    }
}
