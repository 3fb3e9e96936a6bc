import Testing
import Wire

@testable import Forwarding

/// Drives a `SimulcastForwarder` with packets of up to three layers and records what it forwards.
struct ForwarderHarness {
    struct Output: Equatable {
        var layer: Int
        var incomingSequenceNumber: UInt16
        var sequenceNumber: UInt16
        var timestamp: UInt32
    }

    static let initialSequenceNumber: UInt16 = 1000
    static let initialTimestamp: UInt32 = 50_000

    var forwarder: SimulcastForwarder
    var forwarded: [Output] = []
    var drops: [ForwardingDropReason] = []
    var keyframeRequests: [(time: Int64, layer: Int)] = []

    init(
        requiresKeyframe: Bool = true,
        initialSequenceNumber: UInt16 = ForwarderHarness.initialSequenceNumber,
        mappingCapacity: Int = 512
    ) {
        var configuration = SimulcastForwarder.Configuration(clockRate: 90000, requiresKeyframe: requiresKeyframe)
        configuration.mappingCapacity = mappingCapacity
        forwarder = SimulcastForwarder(
            configuration: configuration, initialSequenceNumber: initialSequenceNumber,
            initialTimestamp: Self.initialTimestamp)
    }

    @discardableResult
    mutating func send(_ packet: ForwardingPacket, at time: Int64) -> ForwardingAction {
        let result = forwarder.forward(packet, now: at(time))
        if let layer = result.keyframeRequestLayer {
            keyframeRequests.append((time, layer))
        }
        switch result.action {
        case .forward(let sequenceNumber, let timestamp, _):
            forwarded.append(
                Output(
                    layer: packet.layer, incomingSequenceNumber: packet.sequenceNumber, sequenceNumber: sequenceNumber,
                    timestamp: timestamp))
        case .drop(let reason):
            drops.append(reason)
        }
        return result.action
    }

    /// The outgoing sequence numbers must be contiguous, and the timestamps must not go back.
    func expectContinuous(sourceLocation: SourceLocation = #_sourceLocation) {
        for (previous, next) in zip(forwarded, forwarded.dropFirst()) {
            #expect(next.sequenceNumber == previous.sequenceNumber &+ 1, sourceLocation: sourceLocation)
            #expect(!isNewer(previous.timestamp, than: next.timestamp), sourceLocation: sourceLocation)
        }
    }
}

/// One simulcast layer as a publisher sends it: 30 frames per second, `packetsPerFrame` packets
/// per frame, sequence numbers and timestamps from their own random bases.
struct LayerSource {
    let layer: Int
    var sequenceNumber: UInt16
    var timestamp: UInt32
    var packetsPerFrame = 2

    /// Returns the packets of the next frame, the first one a keyframe start when `keyframe` is set.
    mutating func frame(keyframe: Bool = false) -> [ForwardingPacket] {
        var packets: [ForwardingPacket] = []
        for index in 0..<packetsPerFrame {
            packets.append(
                ForwardingPacket(
                    layer: layer, sequenceNumber: sequenceNumber, timestamp: timestamp,
                    marker: index == packetsPerFrame - 1, isKeyframeStart: keyframe && index == 0, payloadLength: 1000))
            sequenceNumber &+= 1
        }
        timestamp &+= 3000
        return packets
    }

    mutating func padding() -> ForwardingPacket {
        defer { sequenceNumber &+= 1 }
        return ForwardingPacket(layer: layer, sequenceNumber: sequenceNumber, timestamp: timestamp, isPadding: true)
    }
}

@Suite struct SimulcastForwarderTests {
    static func sources() -> [LayerSource] {
        [
            LayerSource(layer: 0, sequenceNumber: 100, timestamp: 1_000_000),
            LayerSource(layer: 1, sequenceNumber: 20000, timestamp: 7_000_000),
            LayerSource(layer: 2, sequenceNumber: 65500, timestamp: 0xFFFF_0000),
        ]
    }

    @Test func firstForwardedPacketIsKeyframe() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        for packet in source.frame() { harness.send(packet, at: 0) }
        #expect(harness.forwarded.isEmpty)
        #expect(harness.drops == [.waitingForKeyframe, .waitingForKeyframe])
        #expect(harness.keyframeRequests.map(\.layer) == [0])

        let keyframe = source.frame(keyframe: true)
        for packet in keyframe { harness.send(packet, at: 33) }
        #expect(harness.forwarded.first?.incomingSequenceNumber == keyframe[0].sequenceNumber)
        #expect(harness.forwarded.first?.sequenceNumber == ForwarderHarness.initialSequenceNumber)
        #expect(harness.forwarded.first?.timestamp == ForwarderHarness.initialTimestamp)
        #expect(harness.forwarder.currentLayer == 0)
    }

    @Test func layerIsRewrittenByConstantOffsets() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        for frame in 0..<10 {
            for packet in source.frame(keyframe: frame == 0) { harness.send(packet, at: Int64(frame) * 33) }
        }
        #expect(harness.forwarded.count == 20)
        harness.expectContinuous()
        for output in harness.forwarded {
            #expect(output.sequenceNumber == output.incomingSequenceNumber &- 100 &+ 1000)
        }
        #expect(harness.forwarded.last?.timestamp == ForwarderHarness.initialTimestamp + 9 * 3000)
        #expect(harness.forwarder.timestampOffset == ForwarderHarness.initialTimestamp &- 1_000_000)
    }

    /// Sends frames of every layer each 33 ms from `start`, with keyframes where `keyframeAt`
    /// returns true, and returns the time after the last frame.
    static func run(
        _ harness: inout ForwarderHarness,
        _ sources: inout [LayerSource],
        frames: Int,
        from start: Int64,
        layers: [Int] = [0, 1, 2],
        keyframeAt: (_ frame: Int, _ layer: Int) -> Bool = { _, _ in false }
    ) -> Int64 {
        var time = start
        for frame in 0..<frames {
            for layer in layers {
                for packet in sources[layer].frame(keyframe: keyframeAt(frame, layer)) {
                    harness.send(packet, at: time)
                }
            }
            time += 33
        }
        return time
    }

    @Test func switchUpWaitsForKeyframeOfTarget() {
        var harness = ForwarderHarness()
        var sources = Self.sources()
        harness.forwarder.setTargetLayer(0)
        var time = Self.run(&harness, &sources, frames: 5, from: 0) { frame, layer in frame == 0 && layer == 0 }
        #expect(harness.forwarder.currentLayer == 0)

        harness.forwarder.setTargetLayer(2)
        time = Self.run(&harness, &sources, frames: 5, from: time)
        #expect(harness.forwarder.currentLayer == 0)
        #expect(harness.keyframeRequests.last?.layer == 2)
        let beforeSwitch = harness.forwarded.count
        #expect(beforeSwitch == 20)

        // Layer 2 comes first in each round, so its keyframe arrives 33 ms after the last layer 0 frame.
        _ = Self.run(&harness, &sources, frames: 5, from: time, layers: [2, 1, 0]) { frame, layer in
            frame == 1 && layer == 2
        }
        #expect(harness.forwarder.currentLayer == 2)
        harness.expectContinuous()

        // Layer 0 flows during frame 0 and stops at the keyframe of layer 2 in frame 1.
        let switchIndex = beforeSwitch + 2
        let last = harness.forwarded[switchIndex - 1]
        let first = harness.forwarded[switchIndex]
        #expect(last.layer == 0)
        #expect(first.layer == 2)
        #expect(first.sequenceNumber == last.sequenceNumber &+ 1)
        // 33 ms at 90 kHz.
        #expect(first.timestamp == last.timestamp &+ 2970)
        #expect(harness.forwarded[switchIndex...].allSatisfy { $0.layer == 2 })
    }

    @Test func switchDownKeepsContinuity() {
        var harness = ForwarderHarness()
        var sources = Self.sources()
        var time = Self.run(&harness, &sources, frames: 5, from: 0) { frame, layer in frame == 0 && layer == 2 }
        #expect(harness.forwarder.currentLayer == 2)

        harness.forwarder.setTargetLayer(1)
        time = Self.run(&harness, &sources, frames: 3, from: time)
        #expect(harness.forwarder.currentLayer == 2)
        _ = Self.run(&harness, &sources, frames: 3, from: time) { frame, layer in frame == 0 && layer == 1 }
        #expect(harness.forwarder.currentLayer == 1)
        harness.expectContinuous()
        #expect(harness.forwarded.count == 22)
        #expect(harness.forwarded.filter { $0.layer == 1 }.count == 6)
    }

    @Test func timestampStepIsAtLeastOne() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var sources = Self.sources()
        harness.send(sources[0].frame(keyframe: true)[0], at: 0)
        harness.send(sources[1].frame()[0], at: 0)
        harness.forwarder.setTargetLayer(1)
        // The keyframe of layer 1 arrives in the same millisecond as the last layer 0 packet.
        harness.send(sources[1].frame(keyframe: true)[0], at: 0)
        #expect(harness.forwarded.map(\.layer) == [0, 1])
        #expect(harness.forwarded[1].timestamp == harness.forwarded[0].timestamp &+ 1)
    }

    @Test func reorderedPacketsKeepTheirNumbers() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        let packets = (0..<6).map {
            ForwardingPacket(
                layer: 0, sequenceNumber: UInt16(500 + $0), timestamp: 9000, isKeyframeStart: $0 == 0,
                payloadLength: 100)
        }
        for index in [0, 1, 3, 4, 2, 5] { harness.send(packets[index], at: Int64(index)) }
        #expect(harness.forwarded.map(\.incomingSequenceNumber) == [500, 501, 503, 504, 502, 505])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001, 1003, 1004, 1002, 1005])
    }

    @Test func duplicateAndTooLatePacketsAreDropped() {
        var harness = ForwarderHarness(mappingCapacity: 16)
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        source.packetsPerFrame = 1
        harness.send(source.frame(keyframe: true)[0], at: 0)
        // 101 is lost; 102 onwards arrive.
        _ = source.frame()
        for index in 0..<30 { harness.send(source.frame()[0], at: Int64(33 * (index + 2))) }
        harness.send(ForwardingPacket(layer: 0, sequenceNumber: 131, timestamp: 0, payloadLength: 10), at: 1100)
        #expect(harness.drops == [.duplicate])
        harness.send(ForwardingPacket(layer: 0, sequenceNumber: 101, timestamp: 1_003_000, payloadLength: 10), at: 1100)
        #expect(harness.drops == [.duplicate, .tooLate])
    }

    @Test func latePacketsAroundSwitch() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var sources = Self.sources()
        let old = sources[0].frame(keyframe: true) + sources[0].frame()
        let lowerFrame = sources[1].frame()
        let keyframe = sources[1].frame(keyframe: true)
        for packet in old.prefix(3) { harness.send(packet, at: 0) }
        harness.send(lowerFrame[0], at: 10)
        harness.forwarder.setTargetLayer(1)
        for packet in keyframe { harness.send(packet, at: 20) }
        #expect(harness.forwarder.currentLayer == 1)

        // The last packet of the old layer and the first of the frame before the keyframe arrive late.
        harness.send(old[3], at: 25)
        harness.send(lowerFrame[1], at: 26)
        #expect(harness.drops == [.notSelectedLayer, .notSelectedLayer, .beforeSwitchPoint])
        harness.expectContinuous()
        #expect(harness.forwarded.map(\.layer) == [0, 0, 0, 1, 1])
    }

    @Test func reorderingAfterSwitchKeepsNumbers() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var sources = Self.sources()
        sources[1].packetsPerFrame = 4
        harness.send(sources[0].frame(keyframe: true)[0], at: 0)
        harness.send(sources[1].frame()[0], at: 1)
        harness.forwarder.setTargetLayer(1)
        let keyframe = sources[1].frame(keyframe: true)
        for index in [0, 2, 1, 3] { harness.send(keyframe[index], at: 10 + Int64(index)) }
        #expect(harness.forwarded.map(\.incomingSequenceNumber) == [100, 20004, 20006, 20005, 20007])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001, 1003, 1002, 1004])
    }

    @Test func nackTranslationAcrossWrap() throws {
        var harness = ForwarderHarness(initialSequenceNumber: 65534)
        harness.forwarder.setTargetLayer(2)
        var source = Self.sources()[2]
        source.packetsPerFrame = 1
        for frame in 0..<4 { harness.send(source.frame(keyframe: frame == 0)[0], at: Int64(frame) * 33) }
        #expect(harness.forwarded.map(\.sequenceNumber) == [65534, 65535, 0, 1])
        let mapped = try #require(harness.forwarder.incomingPacket(forOutgoing: 0))
        #expect(mapped.layer == 2)
        #expect(mapped.sequenceNumber == 65502)
    }

    @Test func lateOldLayerPacketIsRequestableThroughNACK() throws {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var sources = Self.sources()
        let old = sources[0].frame(keyframe: true) + sources[0].frame()
        harness.send(old[0], at: 0)
        harness.send(old[1], at: 1)
        harness.send(old[3], at: 2)
        harness.send(sources[1].frame()[0], at: 3)
        harness.forwarder.setTargetLayer(1)
        let keyframe = sources[1].frame(keyframe: true)
        harness.send(keyframe[0], at: 10)

        // Outgoing 1002 was reserved for the missing layer 0 packet, and 1004 is the keyframe.
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001, 1003, 1004])
        let reserved = try #require(harness.forwarder.incomingPacket(forOutgoing: 1002))
        #expect(reserved.layer == 0)
        #expect(reserved.sequenceNumber == old[2].sequenceNumber)
        let switched = try #require(harness.forwarder.incomingPacket(forOutgoing: 1004))
        #expect(switched.layer == 1)
        #expect(switched.sequenceNumber == keyframe[0].sequenceNumber)
        #expect(harness.forwarder.incomingPacket(forOutgoing: 1005) == nil)
        #expect(harness.forwarder.incomingPacket(forOutgoing: 900) == nil)
    }

    @Test func paddingClosesItsGap() throws {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        source.packetsPerFrame = 1
        harness.send(source.frame(keyframe: true)[0], at: 0)
        harness.send(source.padding(), at: 5)
        harness.send(source.padding(), at: 6)
        harness.send(source.frame()[0], at: 33)
        #expect(harness.drops == [.padding, .padding])
        #expect(harness.forwarded.map(\.incomingSequenceNumber) == [100, 103])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001])
        let mapped = try #require(harness.forwarder.incomingPacket(forOutgoing: 1001))
        #expect(mapped.sequenceNumber == 103)
    }

    @Test func latePaddingIntoGapIsDropped() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        source.packetsPerFrame = 1
        harness.send(source.frame(keyframe: true)[0], at: 0)
        let padding = source.padding()
        harness.send(source.frame()[0], at: 33)
        harness.send(padding, at: 34)
        #expect(harness.drops == [.padding])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1002])
        // The number stays a hole that a NACK cannot fill with media.
        #expect(harness.forwarder.incomingPacket(forOutgoing: 1001) == nil)
    }

    @Test func paddingIsNoLayerActivity() {
        var harness = ForwarderHarness()
        var sources = Self.sources()
        // Layer 2 sends only padding, so layer 1 is the best active layer.
        harness.send(sources[2].padding(), at: 0)
        harness.send(sources[1].frame(keyframe: true)[0], at: 1)
        #expect(harness.forwarder.selectedLayer(now: at(1)) == 1)
        #expect(harness.forwarder.currentLayer == 1)
        #expect(harness.drops == [.padding])
    }

    @Test func paddingAcrossSwitch() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var sources = Self.sources()
        sources[0].packetsPerFrame = 1
        sources[1].packetsPerFrame = 1
        harness.send(sources[0].frame(keyframe: true)[0], at: 0)
        harness.send(sources[0].padding(), at: 1)
        harness.send(sources[1].frame()[0], at: 2)
        harness.send(sources[1].padding(), at: 3)
        harness.forwarder.setTargetLayer(1)
        harness.send(sources[1].padding(), at: 4)
        harness.send(sources[1].frame(keyframe: true)[0], at: 5)
        harness.send(sources[1].padding(), at: 6)
        harness.send(sources[0].padding(), at: 7)
        harness.send(sources[1].frame()[0], at: 40)
        #expect(harness.forwarded.map(\.layer) == [0, 1, 1])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001, 1002])
        harness.expectContinuous()
    }

    @Test func stoppedLayerFallsBackAtLowerKeyframe() {
        var harness = ForwarderHarness()
        var sources = Self.sources()
        var time = Self.run(&harness, &sources, frames: 10, from: 0) { frame, layer in frame == 0 && layer == 2 }
        #expect(harness.forwarder.currentLayer == 2)
        let requestsBefore = harness.keyframeRequests.count

        // Layer 2 stops; layers 0 and 1 go on without keyframes for a second and a half.
        time = Self.run(&harness, &sources, frames: 45, from: time, layers: [0, 1])
        #expect(harness.forwarder.currentLayer == 2)
        #expect(harness.forwarder.selectedLayer(now: at(time)) == 1)
        #expect(harness.keyframeRequests.count > requestsBefore)
        #expect(harness.keyframeRequests.last?.layer == 1)

        _ = Self.run(&harness, &sources, frames: 3, from: time, layers: [0, 1]) { frame, layer in
            frame == 0 && layer == 1
        }
        #expect(harness.forwarder.currentLayer == 1)
        harness.expectContinuous()
    }

    @Test func stoppedLayerThatResumesIsSelectedAgain() {
        var harness = ForwarderHarness()
        var sources = Self.sources()
        var time = Self.run(&harness, &sources, frames: 3, from: 0, layers: [0, 1]) { frame, layer in
            frame == 0 && layer == 1
        }
        #expect(harness.forwarder.currentLayer == 1)
        time = Self.run(&harness, &sources, frames: 3, from: time) { frame, layer in frame == 2 && layer == 2 }
        #expect(harness.forwarder.currentLayer == 2)
        harness.expectContinuous()
    }

    @Test func keyframeRequestsAreRateLimited() {
        var harness = ForwarderHarness()
        var sources = Self.sources()
        _ = Self.run(&harness, &sources, frames: 33, from: 0)
        // Nothing is forwarded without a keyframe. Each layer is selected in turn as its first
        // packet arrives, then requests for layer 2 repeat every 500 ms, at frame boundaries.
        #expect(harness.forwarded.isEmpty)
        #expect(harness.keyframeRequests.map(\.time) == [0, 0, 0, 528, 1056])
        #expect(harness.keyframeRequests.map(\.layer) == [0, 1, 2, 2, 2])
    }

    @Test func pauseAndResumeNeedsKeyframe() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var sources = Self.sources()
        var time = Self.run(&harness, &sources, frames: 3, from: 0, layers: [0]) { frame, _ in frame == 0 }
        let beforePause = harness.forwarded.count
        harness.forwarder.pause()
        time = Self.run(&harness, &sources, frames: 30, from: time, layers: [0]) { frame, _ in frame == 5 }
        #expect(harness.forwarded.count == beforePause)
        #expect(harness.drops.allSatisfy { $0 == .paused })
        let requestsWhilePaused = harness.keyframeRequests.count

        harness.forwarder.resume()
        #expect(harness.forwarder.currentLayer == nil)
        time = Self.run(&harness, &sources, frames: 2, from: time, layers: [0])
        #expect(harness.forwarded.count == beforePause)
        #expect(harness.keyframeRequests.count == requestsWhilePaused + 1)
        _ = Self.run(&harness, &sources, frames: 2, from: time, layers: [0]) { frame, _ in frame == 0 }
        #expect(harness.forwarded.count == beforePause + 4)
        harness.expectContinuous()

        let last = harness.forwarded[beforePause - 1]
        let first = harness.forwarded[beforePause]
        #expect(first.sequenceNumber == last.sequenceNumber &+ 1)
        // 33 frames of 33 ms passed since the last frame before the pause was first sent.
        #expect(first.timestamp == last.timestamp &+ 33 * 33 * 90)
    }

    @Test func audioNeedsNoKeyframe() {
        var harness = ForwarderHarness(requiresKeyframe: false)
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        for packet in source.frame() { harness.send(packet, at: 0) }
        #expect(harness.forwarded.count == 2)
        #expect(harness.keyframeRequests.isEmpty)
    }

    @Test func sequenceNumbersWrapOnBothSides() {
        var harness = ForwarderHarness(initialSequenceNumber: 65530)
        harness.forwarder.setTargetLayer(2)
        var source = Self.sources()[2]
        for frame in 0..<40 {
            for packet in source.frame(keyframe: frame == 0) { harness.send(packet, at: Int64(frame) * 33) }
        }
        #expect(harness.forwarded.count == 80)
        #expect(harness.drops.isEmpty)
        harness.expectContinuous()
    }

    @Test func wildSequenceNumberIsDroppedOnce() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        source.packetsPerFrame = 1
        harness.send(source.frame(keyframe: true)[0], at: 0)
        harness.send(ForwardingPacket(layer: 0, sequenceNumber: 40000, timestamp: 1_003_000, payloadLength: 5), at: 10)
        harness.send(source.frame()[0], at: 33)
        harness.send(source.frame()[0], at: 66)
        #expect(harness.drops == [.sequenceJump])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001, 1002])
    }

    @Test func confirmedSequenceJumpContinuesNumbering() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        source.packetsPerFrame = 1
        harness.send(source.frame(keyframe: true)[0], at: 0)
        source.sequenceNumber = 40000
        for frame in 1...3 { harness.send(source.frame()[0], at: Int64(frame) * 33) }
        #expect(harness.drops == [.sequenceJump])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001, 1002])
        harness.expectContinuous()
        #expect(harness.keyframeRequests.last?.time == 66)
    }

    @Test func wildTimestampIsDroppedAndClosesItsGap() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        source.packetsPerFrame = 1
        harness.send(source.frame(keyframe: true)[0], at: 0)
        var wild = source.frame()[0]
        wild.timestamp &+= 0x4000_0000
        harness.send(wild, at: 33)
        harness.send(source.frame()[0], at: 66)
        #expect(harness.drops == [.timestampJump])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001])
        #expect(harness.forwarded.map(\.timestamp) == [50_000, 56_000])
    }

    @Test func confirmedTimestampJumpKeepsTimestampsRising() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(0)
        var source = Self.sources()[0]
        source.packetsPerFrame = 1
        harness.send(source.frame(keyframe: true)[0], at: 0)
        source.timestamp &+= 0x4000_0000
        for frame in 1...3 { harness.send(source.frame()[0], at: Int64(frame) * 33) }
        #expect(harness.drops == [.timestampJump])
        #expect(harness.forwarded.map(\.sequenceNumber) == [1000, 1001, 1002])
        let afterJump: UInt32 = 50_000 + 66 * 90
        #expect(harness.forwarded.map(\.timestamp) == [50_000, afterJump, afterJump + 3000])
    }

    @Test func invalidLayerIsDropped() {
        var harness = ForwarderHarness()
        harness.send(ForwardingPacket(layer: 3, sequenceNumber: 1, timestamp: 1, isKeyframeStart: true), at: 0)
        harness.send(ForwardingPacket(layer: -1, sequenceNumber: 1, timestamp: 1, isKeyframeStart: true), at: 0)
        #expect(harness.drops == [.invalidLayer, .invalidLayer])
    }

    @Test func targetLayerIsClamped() {
        var harness = ForwarderHarness()
        harness.forwarder.setTargetLayer(9)
        #expect(harness.forwarder.targetLayer == 2)
        harness.forwarder.setTargetLayer(-4)
        #expect(harness.forwarder.targetLayer == 0)
    }
}
