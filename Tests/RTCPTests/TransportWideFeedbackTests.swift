import Testing

@testable import RTCP

@Suite struct TransportWideFeedbackTests {
    /// Five statuses in one two-bit vector, with a negative delta and RTCP padding.
    static let twoBitVector: [UInt8] = [
        0xAF, 0xCD, 0x00, 0x06,  // V=2, P=1, FMT=15, PT=205, length 6
        0x00, 0x00, 0x00, 0x01,  // sender SSRC
        0x12, 0x34, 0x56, 0x78,  // media SSRC
        0x00, 0x0A, 0x00, 0x05,  // base sequence 10, status count 5
        0x00, 0x00, 0x10, 0x07,  // reference time 16 (1.024 s), feedback count 7
        0xD2, 0x50,  // two-bit vector: small, lost, large, small, small, (lost, lost)
        0x04,  // 10: +1 ms
        0xFF, 0xFE,  // 12: -0.5 ms
        0x08,  // 13: +2 ms
        0x00,  // 14: +0 ms
        0x01,  // padding count 1
    ]

    /// A one-bit vector and a run length chunk, with sequence numbers across the wrap.
    static let oneBitVectorAndRun: [UInt8] = [
        0xAF, 0xCD, 0x00, 0x06,  // V=2, P=1, FMT=15, PT=205, length 6
        0x00, 0x00, 0x00, 0x01,  // sender SSRC
        0x12, 0x34, 0x56, 0x78,  // media SSRC
        0xFF, 0xFE, 0x00, 0x14,  // base sequence 65534, status count 20
        0xFF, 0xFF, 0xFF, 0x00,  // reference time 0xFFFFFF, feedback count 0
        0xB0, 0x01,  // one-bit vector: received 65534, 65535 and 11
        0x00, 0x06,  // run length: 6 not received
        0x01, 0x02, 0x03,  // deltas 0.25 ms, 0.5 ms, 0.75 ms
        0x01,  // padding count 1
    ]

    @Test func twoBitVectorPacket() throws {
        let feedback = try #require(Self.twoBitVector.withUnsafeBytes { TransportWideFeedback.parse($0) })
        #expect(feedback.senderSSRC == 1)
        #expect(feedback.mediaSSRC == 0x1234_5678)
        #expect(feedback.baseSequenceNumber == 10)
        #expect(feedback.packetStatusCount == 5)
        #expect(feedback.referenceTime == 16)
        #expect(feedback.feedbackPacketCount == 7)
        #expect(feedback.received.map(\.sequenceNumber) == [10, 12, 13, 14])
        #expect(feedback.received.map(\.receiveOffset) == [1000, 500, 2500, 2500])
    }

    @Test func oneBitVectorAndRunAcrossWrap() throws {
        let feedback = try #require(Self.oneBitVectorAndRun.withUnsafeBytes { TransportWideFeedback.parse($0) })
        #expect(feedback.referenceTime == 0xFF_FFFF)
        #expect(feedback.packetStatusCount == 20)
        #expect(feedback.received.map(\.sequenceNumber) == [65534, 65535, 11])
        #expect(feedback.received.map(\.receiveOffset) == [250, 750, 1500])
    }

    @Test func compoundDetectsAndParseAllDecodes() throws {
        let receiverReport: [UInt8] = [0x80, 0xC9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01]
        let bytes = receiverReport + Self.twoBitVector + Self.oneBitVectorAndRun
        let packets = try #require(parseCompound(bytes))
        #expect(packets.count == 3)
        #expect(packets.last == .transportWideFeedback(senderSSRC: 1, mediaSSRC: 0x1234_5678))

        let feedback = bytes.withUnsafeBytes { TransportWideFeedback.parseAll(inCompound: $0) }
        #expect(feedback.map(\.baseSequenceNumber) == [10, 65534])
    }

    @Test(
        arguments: [
            ("reserved run symbol", 20, [0x60, 0x05] as [UInt8]),
            ("reserved two-bit symbol", 20, [0xF0, 0x00]),
            ("status count 0", 14, [0x00, 0x00]),
            ("delta missing", 21, [0x00, 0x00]),
        ] as [(String, Int, [UInt8])])
    func invalidFeedbackIsRejected(_ name: String, _ offset: Int, _ patch: [UInt8]) {
        var bytes = Self.twoBitVector
        bytes.replaceSubrange(offset..<offset + patch.count, with: patch)
        if name == "delta missing" {
            // A run of 5 large deltas needs 10 delta bytes; the packet has 5.
            bytes.replaceSubrange(20..<22, with: [0x40, 0x05])
        }
        let parsed = bytes.withUnsafeBytes { TransportWideFeedback.parse($0) }
        #expect(parsed == nil, "\(name)")
    }

    @Test(arguments: [twoBitVector, oneBitVectorAndRun])
    func everyTruncationFailsCleanly(_ fixture: [UInt8]) {
        for length in 0..<fixture.count {
            let prefix = Array(fixture.prefix(length))
            let parsed = prefix.withUnsafeBytes { TransportWideFeedback.parse($0) }
            #expect(parsed == nil)
            _ = parseCompound(prefix)
        }
    }

    @Test func builderRoundTrip() throws {
        let start: Int64 = 5_000_000_123
        let arrivals: [TransportWideFeedbackBuilder.Arrival] = [
            .init(sequenceNumber: 65530, receiveTime: start),
            .init(sequenceNumber: 65531, receiveTime: start + 1_000),
            .init(sequenceNumber: 65533, receiveTime: start + 500),  // arrived before 65531
            .init(sequenceNumber: 65536, receiveTime: start + 90_000),  // more than 63.75 ms later
            .init(sequenceNumber: 65537, receiveTime: start + 90_100),
        ]
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2, feedbackPacketCount: 255)
        let packets = builder.build(arrivals)
        #expect(packets.count == 1)
        #expect(builder.feedbackPacketCount == 0)

        let bytes = try #require(packets.first)
        #expect(bytes.count % 4 == 0)
        let feedback = try #require(bytes.withUnsafeBytes { TransportWideFeedback.parse($0) })
        #expect(feedback.feedbackPacketCount == 255)
        #expect(feedback.baseSequenceNumber == 65530)
        #expect(feedback.packetStatusCount == 8)
        #expect(feedback.received.map(\.sequenceNumber) == [65530, 65531, 65533, 0, 1])

        let referenceTime = Int64(feedback.referenceTime) * TransportWideFeedback.referenceTimeUnitMicroseconds
        for (packet, arrival) in zip(feedback.received, arrivals) {
            let error = referenceTime + packet.receiveOffset - arrival.receiveTime
            #expect(abs(error) <= 125, "sequence number \(packet.sequenceNumber)")
        }
    }

    @Test func builderReproducesFixture() {
        let reference: Int64 = 16 * 64_000
        let arrivals: [TransportWideFeedbackBuilder.Arrival] = [
            .init(sequenceNumber: 10, receiveTime: reference + 1_000),
            .init(sequenceNumber: 12, receiveTime: reference + 500),
            .init(sequenceNumber: 13, receiveTime: reference + 2_500),
            .init(sequenceNumber: 14, receiveTime: reference + 2_500),
        ]
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 0x1234_5678, feedbackPacketCount: 7)
        #expect(builder.build(arrivals) == [Self.twoBitVector])
    }

    @Test func builderSplitsOnDeltaOverflow() throws {
        // 10 s between arrivals exceeds the 8.19 s range of a two-byte delta.
        let arrivals: [TransportWideFeedbackBuilder.Arrival] = [
            .init(sequenceNumber: 1, receiveTime: 1_000_000),
            .init(sequenceNumber: 3, receiveTime: 11_000_000),
        ]
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2)
        let packets = builder.build(arrivals)
        let feedback = packets.compactMap { bytes in bytes.withUnsafeBytes { TransportWideFeedback.parse($0) } }
        #expect(feedback.count == 2)
        #expect(feedback.map(\.baseSequenceNumber) == [1, 2])
        #expect(feedback.map(\.packetStatusCount) == [1, 2])
        #expect(feedback.map(\.feedbackPacketCount) == [0, 1])
        #expect(feedback.last?.received.map(\.sequenceNumber) == [3])
    }

    @Test func sparseGapsStayUnderMaxSize() throws {
        // 2000 arrivals, each after a gap of 30 lost packets, with a large delta every tenth.
        var arrivals: [TransportWideFeedbackBuilder.Arrival] = []
        for index in 0..<2000 {
            let time = Int64(index) * 2_000 + (index % 10 == 0 ? 70_000 : 0)
            arrivals.append(.init(sequenceNumber: Int64(index) * 31, receiveTime: 1_000_000 + time))
        }
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2)
        let packets = builder.build(arrivals)
        #expect(packets.count > 1)
        for bytes in packets {
            #expect(bytes.count <= 1200)
        }

        let feedback = packets.compactMap { bytes in bytes.withUnsafeBytes { TransportWideFeedback.parse($0) } }
        #expect(feedback.count == packets.count)
        let received = feedback.flatMap { $0.received.map(\.sequenceNumber) }
        #expect(received == arrivals.map { UInt16(truncatingIfNeeded: $0.sequenceNumber) })

        // Consecutive packets cover consecutive sequence numbers, so every loss is reported once.
        let statuses = feedback.reduce(0) { $0 + Int($1.packetStatusCount) }
        #expect(statuses == 1999 * 31 + 1)
        for (previous, next) in zip(feedback, feedback.dropFirst()) {
            #expect(previous.baseSequenceNumber &+ previous.packetStatusCount == next.baseSequenceNumber)
        }
    }

    @Test func denseArrivalsFillPacketsNearMaxSize() throws {
        let arrivals = (0..<3000).map {
            TransportWideFeedbackBuilder.Arrival(sequenceNumber: Int64($0), receiveTime: Int64($0) * 300)
        }
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2, maxPacketSize: 200)
        let packets = builder.build(arrivals)
        for bytes in packets.dropLast() {
            #expect(bytes.count <= 200)
            #expect(bytes.count > 180)
        }
        let feedback = packets.compactMap { bytes in bytes.withUnsafeBytes { TransportWideFeedback.parse($0) } }
        #expect(feedback.flatMap(\.received).count == 3000)
    }

    @Test func referenceTimeWrapsAtTwentyFourBits() throws {
        // The reference time unit is 64 ms, so the 24-bit value wraps after 2^24 * 64 ms.
        let wrap = TransportWideFeedback.referenceTimeModulus * TransportWideFeedback.referenceTimeUnitMicroseconds
        let arrivals: [TransportWideFeedbackBuilder.Arrival] = [
            .init(sequenceNumber: 1, receiveTime: wrap - 64_000),
            .init(sequenceNumber: 2, receiveTime: wrap + 9_000_000),  // a new packet after the wrap
        ]
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2)
        let feedback = builder.build(arrivals).compactMap { bytes in
            bytes.withUnsafeBytes { TransportWideFeedback.parse($0) }
        }
        #expect(feedback.map(\.referenceTime) == [0xFF_FFFF, 140])

        var unwrapper = TransportWideFeedback.ReferenceTimeUnwrapper()
        let first = unwrapper.unwrap(feedback[0].referenceTime)
        let second = unwrapper.unwrap(feedback[1].referenceTime)
        #expect(second - first == 141 * 64_000)
    }

    @Test func referenceTimeUnwrapperGoesBothWays() {
        var unwrapper = TransportWideFeedback.ReferenceTimeUnwrapper()
        let unit = TransportWideFeedback.referenceTimeUnitMicroseconds
        #expect(unwrapper.unwrap(0xFF_FFFE) == 0xFF_FFFE * unit)
        #expect(unwrapper.unwrap(0x00_0001) == 0x100_0001 * unit)
        #expect(unwrapper.unwrap(0xFF_FFFF) == 0xFF_FFFF * unit)  // reordered feedback
        #expect(unwrapper.unwrap(0x80_0000) == 0x180_0000 * unit - 0x100_0000 * unit)
    }

    @Test func arrivalTimesIncreaseAcrossReferenceTimeWrap() throws {
        // Two feedback packets whose reference times are 0xFFFFFE and 0x000001: 3 units of 64 ms apart.
        let unit = TransportWideFeedback.referenceTimeUnitMicroseconds
        let start = 0xFF_FFFE * unit
        let arrivals: [[TransportWideFeedbackBuilder.Arrival]] = [
            [.init(sequenceNumber: 1, receiveTime: start + 1_000), .init(sequenceNumber: 2, receiveTime: start + 60_000)],
            [.init(sequenceNumber: 3, receiveTime: start + 3 * unit + 250), .init(sequenceNumber: 5, receiveTime: start + 4 * unit)],
        ]
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2)
        let feedback = try arrivals.map { batch in
            let packets = builder.build(batch)
            #expect(packets.count == 1)
            return try #require(packets.first.flatMap { bytes in bytes.withUnsafeBytes { TransportWideFeedback.parse($0) } })
        }
        #expect(feedback.map(\.referenceTime) == [0xFF_FFFE, 0x00_0001])

        var unwrapper = TransportWideFeedback.ReferenceTimeUnwrapper()
        var arrivalTimes: [Int64] = []
        for packet in feedback {
            let reference = unwrapper.unwrap(packet.referenceTime)
            arrivalTimes += packet.received.map { reference + $0.receiveOffset }
        }
        #expect(arrivalTimes == arrivals.joined().map(\.receiveTime))
        for (earlier, later) in zip(arrivalTimes, arrivalTimes.dropFirst()) {
            #expect(earlier < later)
        }
    }

    @Test func sparseVeryLargeGapsGiveValidPackets() throws {
        // 3000 arrivals after gaps from 0 to a million lost packets, some at the 16-bit and
        // run length limits, with arrival times that jump forward and back.
        let gaps: [Int64] = [0, 1, 13, 14, 300, 8190, 8191, 8192, 20_000, 65_533, 65_534, 65_535, 65_536, 1_000_000]
        let timeSteps: [Int64] = [250, 0, 64_000, -3_000, 9_000_000, 1_000, 70_000]
        var arrivals: [TransportWideFeedbackBuilder.Arrival] = []
        var sequenceNumber: Int64 = 70_000
        var time: Int64 = 5_000_000
        for index in 0..<3000 {
            sequenceNumber += 1 + gaps[index * 7 % gaps.count]
            time += timeSteps[index % timeSteps.count]
            arrivals.append(.init(sequenceNumber: sequenceNumber, receiveTime: time))
        }

        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2)
        let packets = builder.build(arrivals)
        var received: [TransportWideFeedback.ReceivedPacket] = []
        for bytes in packets {
            #expect(bytes.count < 1200)
            #expect(bytes.count % 4 == 0)
            let feedback = try #require(bytes.withUnsafeBytes { TransportWideFeedback.parse($0) })
            #expect(feedback.received.count >= 1)
            let reference = Int64(feedback.referenceTime) * TransportWideFeedback.referenceTimeUnitMicroseconds
            received += feedback.received.map { .init(sequenceNumber: $0.sequenceNumber, receiveOffset: reference + $0.receiveOffset) }
        }
        #expect(received.map(\.sequenceNumber) == arrivals.map { UInt16(truncatingIfNeeded: $0.sequenceNumber) })
        for (packet, arrival) in zip(received, arrivals) {
            #expect(abs(packet.receiveOffset - arrival.receiveTime) <= 125, "sequence number \(arrival.sequenceNumber)")
        }
    }

    @Test func largeGapInSmallestPacketDoesNotTrap() throws {
        // 65000 lost packets take 8 run length chunks, which do not fit in 32 bytes beside an arrival.
        let arrivals: [TransportWideFeedbackBuilder.Arrival] = [
            .init(sequenceNumber: 1, receiveTime: 1_000), .init(sequenceNumber: 2, receiveTime: 20_000_000),
            .init(sequenceNumber: 65_003, receiveTime: 20_000_250),
        ]
        var builder = TransportWideFeedbackBuilder(senderSSRC: 1, mediaSSRC: 2, maxPacketSize: 32)
        let packets = builder.build(arrivals)
        let feedback = packets.compactMap { bytes in bytes.withUnsafeBytes { TransportWideFeedback.parse($0) } }
        #expect(feedback.count == packets.count)
        #expect(packets.allSatisfy { $0.count <= 32 })
        #expect(feedback.flatMap(\.received).map(\.sequenceNumber) == [1, 2, 65_003])
    }

    @Test(arguments: [0, 1, 7, 13, 14, 15, 100, 8191, 8192, 8205, 20_000, 65_534])
    func bulkRunEncodesLikeSingleStatuses(_ count: Int) {
        for prefix in [[], [.smallDelta], [.notReceived, .notReceived], [.largeDelta]] as [[PacketStatusChunks.Symbol]] {
            var single = PacketStatusChunkEncoder()
            var bulk = PacketStatusChunkEncoder()
            for symbol in prefix {
                single.add(symbol)
                bulk.add(symbol)
            }
            for _ in 0..<count { single.add(.notReceived) }
            bulk.add(.notReceived, count: count)
            single.add(.smallDelta)
            bulk.add(.smallDelta)
            #expect(bulk.finish() == single.finish(), "prefix \(prefix), \(count) lost")
        }
    }
}
