import Foundation
import RTCP
import RTP
import Testing
import Wire

@testable import SFU

/// A worker and room manager on loopback, with helpers that connect test peers to them.
final class MediaBench {
    let worker: MediaWorker
    let rooms: RoomManager
    let room: String

    init(room: String) throws {
        let configuration = SFUConfiguration(
            rtcBindAddress: .v4(address: 0x7F00_0001, port: 0), autoCreateRooms: true,
            keyframeRequestIntervalMilliseconds: 300)
        worker = try MediaWorker(configuration: configuration)
        rooms = RoomManager(configuration: configuration, worker: worker, certificate: try .generate())
        self.room = room
        worker.start()
    }

    deinit {
        worker.stop()
    }

    /// Publishes `offer` as `identity` and connects `peer`; returns the session id.
    @discardableResult
    func publish(_ peer: TestPeer, identity: String, offer: String) throws -> String {
        let answer = try rooms.publish(room: room, identity: identity, name: nil, offer: offer)
        try peer.connect(answer: answer.sdp)
        return answer.sessionID
    }

    /// Subscribes `peer` to `publisher` and connects it; returns the session id and the video or
    /// audio SSRC Chorus sends with.
    func subscribe(_ peer: TestPeer, identity: String, to publisher: String, offer: String, kind: String = "video",
                   maxLayer: Int? = nil) throws -> (sessionID: String, ssrc: UInt32) {
        let answer = try rooms.subscribe(room: room, identity: identity, to: publisher, offer: offer)
        let ssrc = try #require(answeredSSRC(answer.sdp, kind: kind))
        if let maxLayer {
            worker.setLayerPreference(sessionID: answer.sessionID, ssrc: ssrc, maxLayer: maxLayer, paused: false)
        }
        try peer.connect(answer: answer.sdp)
        return (answer.sessionID, ssrc)
    }
}

@Suite(.serialized)
struct ForwardingPathTests {
    private static let midExtension = (id: FixtureExtensionID.mid, value: Array("0".utf8))

    private static func ridExtension(_ rid: String) -> (id: UInt8, value: [UInt8]) {
        (FixtureExtensionID.rid, Array(rid.utf8))
    }

    @Test func simulcastSwitchesAtKeyframeOnly() throws {
        let bench = try MediaBench(room: "simulcast")
        let publisher = try TestPeer()
        try bench.publish(
            publisher, identity: "alice",
            offer: videoOffer(peer: publisher, direction: "sendonly", rtxPayloadType: nil, rids: ["q", "h", "f"]))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil),
            maxLayer: 0)
        _ = publisher.receiveMedia(timeout: 0.1)

        let rids = ["q", "h", "f"]
        let ssrcs: [UInt32] = [1001, 1002, 1003]
        let sequenceBases: [UInt16] = [100, 30_000, 65_530]
        let timestampBases: [UInt32] = [10_000, 500_000, 4_294_960_000]
        func send(layer: Int, frame: Int, keyframe: Bool, sequenceOffset: Int = 0) throws {
            let start = keyframe ? vp8KeyframeStart : vp8InterframeStart
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: sequenceBases[layer] &+ UInt16(frame + sequenceOffset),
                timestamp: timestampBases[layer] &+ UInt32(3000 * frame), ssrc: ssrcs[layer], marker: true,
                extensions: [Self.midExtension, Self.ridExtension(rids[layer])],
                payload: start + [UInt8(layer), UInt8(frame)]))
        }

        // Frames 0 to 3 on every layer, starting with a keyframe: the subscriber gets layer 0.
        for frame in 0..<4 {
            for layer in 0..<3 { try send(layer: layer, frame: frame, keyframe: frame == 0) }
        }
        var received = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp

        // Asking for layer 2 requests a keyframe of its SSRC, and layer 0 flows until one arrives.
        bench.worker.setLayerPreference(sessionID: leg.sessionID, ssrc: leg.ssrc, maxLayer: 2, paused: false)
        Thread.sleep(forTimeInterval: 0.05)
        for frame in 4..<7 {
            for layer in 0..<3 { try send(layer: layer, frame: frame, keyframe: false) }
        }
        let requests = pictureLossSSRCs(publisher.receive(ssrc: 0, timeout: 0.3).rtcp)
        #expect(requests.contains(1003))

        // Frame 7 is a keyframe on layer 2 only; a layer 2 packet older than it comes late.
        try send(layer: 0, frame: 7, keyframe: false)
        try send(layer: 2, frame: 7, keyframe: true)
        try send(layer: 2, frame: 6, keyframe: false, sequenceOffset: -1)
        for frame in 8..<10 {
            for layer in 0..<3 { try send(layer: layer, frame: frame, keyframe: false) }
        }
        received += subscriber.receive(ssrc: leg.ssrc, timeout: 0.4).rtp

        let origins = received.map { Array($0.payload.suffix(2)) }
        let expected: [[UInt8]] = (0..<8).map { [0, UInt8($0)] } + (7..<10).map { [2, UInt8($0)] }
        #expect(origins == expected)
        #expect(received.allSatisfy { $0.view.payloadType == 120 })
        for (previous, next) in zip(received, received.dropFirst()) {
            #expect(next.view.sequenceNumber == previous.view.sequenceNumber &+ 1)
            #expect(isNewer(next.view.timestamp, than: previous.view.timestamp))
        }

        let counters = bench.worker.snapshotCounters().downTracks
        let legCounters = try #require(counters.first { $0.participant == "bob" })
        #expect(legCounters.selectedLayer == 2)
        #expect(legCounters.targetLayer == 2)
        #expect(legCounters.layerSwitches == 1)
    }

    @Test func simulcastBySSRCSelectsLayer() throws {
        let bench = try MediaBench(room: "simulcast-ssrc")
        let publisher = try TestPeer()
        let ssrcs: [UInt32] = [2001, 2002, 2003]
        try bench.publish(
            publisher, identity: "alice",
            offer: videoOffer(peer: publisher, direction: "sendonly", rtxPayloadType: nil, simulcastSSRCs: ssrcs))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil),
            maxLayer: 1)

        // No rid extension: the SSRC's place in the SIM group is the layer.
        for frame in 0..<3 {
            for (layer, ssrc) in ssrcs.enumerated() {
                try publisher.sendRTP(rtpPacket(
                    payloadType: 96, sequenceNumber: UInt16(1000 * layer + frame), timestamp: UInt32(3000 * frame),
                    ssrc: ssrc, extensions: [], payload: (frame == 0 ? vp8KeyframeStart : [0x00]) + [UInt8(layer)]))
            }
        }
        // Layer 0's keyframe arrives while it is the only active layer, so it starts the leg. Layer 1's
        // keyframe follows a moment later and takes over. Layer 2 is above the cap.
        let received = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp
        #expect(received.map { $0.payload.last } == [0, 1, 1, 1])
        for (previous, next) in zip(received, received.dropFirst()) {
            #expect(next.view.sequenceNumber == previous.view.sequenceNumber &+ 1)
        }
        let counters = try #require(bench.worker.snapshotCounters().downTracks.first)
        #expect(counters.selectedLayer == 1)
        #expect(counters.layerSwitches == 1)
    }

    @Test func rtxFromPublisherRestoresSequenceNumber() throws {
        let bench = try MediaBench(room: "rtx")
        let publisher = try TestPeer()
        try bench.publish(
            publisher, identity: "alice",
            offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 3000, rtxSSRC: 3001))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil))
        _ = publisher.receiveMedia(timeout: 0.1)

        // Packet 102 is lost on the way in.
        for sequenceNumber: UInt16 in [100, 101, 103, 104] {
            let start = sequenceNumber == 100 ? vp8KeyframeStart : [0x00]
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: sequenceNumber, timestamp: 9000, ssrc: 3000, extensions: [],
                payload: start + [UInt8(sequenceNumber)]))
        }
        let nacked = publisher.receive(ssrc: 0, timeout: 0.2).rtcp.compactMap { packet -> GenericNACK? in
            if case .nack(let nack) = packet { return nack }
            return nil
        }
        let nackedForMedia = nacked.filter { $0.mediaSSRC == 3000 }
        #expect(!nackedForMedia.isEmpty)
        #expect(nackedForMedia.contains { $0.lostSequenceNumbers.contains(102) })

        // The RTX packet carries the original sequence number before the original payload.
        try publisher.sendRTP(rtpPacket(
            payloadType: 97, sequenceNumber: 7, timestamp: 9000, ssrc: 3001, extensions: [],
            payload: [0x00, 102, 0x00, 102]))
        let received = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp
        let first = try #require(received.first)
        let repaired = try #require(received.first { $0.payload == [0x00, 102] })
        #expect(repaired.view.sequenceNumber == first.view.sequenceNumber &+ 2)
        #expect(repaired.view.payloadType == 120)
        #expect(repaired.view.timestamp == first.view.timestamp)
        #expect(received.count == 5)

        let counters = bench.worker.snapshotCounters()
        #expect(counters.rtxPacketsReceived == 1)
        #expect(counters.nacksSent >= 1)
    }

    @Test func subscriberNACKGetsRetransmission() throws {
        let bench = try MediaBench(room: "nack")
        let publisher = try TestPeer()
        try bench.publish(publisher, identity: "alice", offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 4000))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil))

        for index in 0..<5 {
            let start = index == 0 ? vp8KeyframeStart : [0x00]
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: UInt16(200 + index), timestamp: UInt32(90_000 + index * 3000),
                ssrc: 4000, extensions: [], payload: start + [0xC0, UInt8(index)]))
        }
        // The third packet is lost on the way to the subscriber.
        subscriber.lostRTPIndices = [2]
        let delivered = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp
        #expect(delivered.count == 4)
        let before = try #require(delivered.dropFirst().first)
        let lostSequenceNumber = before.view.sequenceNumber &+ 1

        try subscriber.sendRTCP(RTCPWriter.nack(senderSSRC: 99, mediaSSRC: leg.ssrc, lost: [lostSequenceNumber]))
        let resent = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp
        #expect(resent.count == 1)
        let copy = try #require(resent.first)
        #expect(copy.view.sequenceNumber == lostSequenceNumber)
        #expect(copy.view.timestamp == before.view.timestamp &+ 3000)
        #expect(copy.view.payloadType == 120)
        #expect(copy.payload == [0x00, 0xC0, 2])

        let counters = bench.worker.snapshotCounters()
        #expect(counters.retransmissionsSent == 1)
        #expect(counters.downTracks.first?.retransmissionsSent == 1)
    }

    @Test func manyPLIsCauseOneUpstreamRequestPerInterval() throws {
        let bench = try MediaBench(room: "pli-storm")
        let publisher = try TestPeer()
        try bench.publish(publisher, identity: "alice", offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 5000))
        var subscribers: [(peer: TestPeer, ssrc: UInt32)] = []
        for index in 0..<20 {
            let peer = try TestPeer()
            let leg = try bench.subscribe(
                peer, identity: "viewer-\(index)", to: "alice",
                offer: videoOffer(peer: peer, direction: "recvonly", payloadType: 120, rtxPayloadType: nil))
            subscribers.append((peer, leg.ssrc))
        }
        try publisher.sendRTP(rtpPacket(
            payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 5000, extensions: [], payload: vp8KeyframeStart))
        // Let the requests of the joins go out, then start counting.
        _ = publisher.receiveMedia(timeout: 0.7)

        for subscriber in subscribers {
            try subscriber.peer.sendRTCP(RTCPWriter.pictureLossIndication(senderSSRC: 7, mediaSSRC: subscriber.ssrc))
        }
        let firstInterval = pictureLossSSRCs(publisher.receive(ssrc: 0, timeout: 0.25).rtcp)
        let secondInterval = pictureLossSSRCs(publisher.receive(ssrc: 0, timeout: 0.3).rtcp)
        let afterwards = pictureLossSSRCs(publisher.receive(ssrc: 0, timeout: 0.4).rtcp)
        #expect(firstInterval == [5000])
        #expect(secondInterval == [5000])
        #expect(afterwards.isEmpty)
        #expect(bench.worker.snapshotCounters().keyframeRequestsReceived == 20)
    }

    @Test func receiverReportSentToPublisher() throws {
        let bench = try MediaBench(room: "receiver-report")
        let publisher = try TestPeer()
        try bench.publish(publisher, identity: "alice", offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 6000))

        // Packet 5 never arrives.
        for sequenceNumber: UInt16 in [0, 1, 2, 3, 4, 6, 7, 8, 9] {
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: 40_000 + sequenceNumber, timestamp: UInt32(sequenceNumber) * 3000,
                ssrc: 6000, extensions: [], payload: [0x00, 0x01]))
        }
        let ntpTimestamp: UInt64 = 0xE000_0000_8000_0000
        try publisher.sendRTCP(RTCPWriter.senderReport(
            ssrc: 6000, ntpTimestamp: ntpTimestamp, rtpTimestamp: 27_000, packetCount: 9, octetCount: 18, reports: []))

        let reports = publisher.receive(ssrc: 0, timeout: 1.3).rtcp.flatMap { packet -> [ReportBlock] in
            if case .receiverReport(let report) = packet { return report.reports }
            return []
        }
        let block = try #require(reports.last { $0.ssrc == 6000 })
        #expect(block.extendedHighestSequence & 0xFFFF == 40_009)
        #expect(block.cumulativeLost == 1)
        #expect(block.lastSR == UInt32(truncatingIfNeeded: ntpTimestamp >> 16))
        #expect(bench.worker.snapshotCounters().receiverReportsSent >= 1)
    }

    @Test func senderReportKeepsNTPToRTPMapping() throws {
        let bench = try MediaBench(room: "sender-report")
        let publisher = try TestPeer()
        try bench.publish(publisher, identity: "alice", offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 7000))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil))

        let rtpBase: UInt32 = 4_294_000_000
        for index in 0..<3 {
            let start = index == 0 ? vp8KeyframeStart : [0x00]
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: UInt16(10 + index), timestamp: rtpBase &+ UInt32(index * 3000),
                ssrc: 7000, extensions: [], payload: start + [0x55]))
        }
        let ntpTimestamp: UInt64 = 0xE100_0000_0000_0000
        try publisher.sendRTCP(RTCPWriter.senderReport(
            ssrc: 7000, ntpTimestamp: ntpTimestamp, rtpTimestamp: rtpBase, packetCount: 3, octetCount: 30,
            reports: []))

        let received = subscriber.receive(ssrc: leg.ssrc, timeout: 1.4)
        let first = try #require(received.rtp.first)
        let offset = first.view.timestamp &- rtpBase
        let report = try #require(received.rtcp.compactMap { packet -> SenderReport? in
            if case .senderReport(let report) = packet, report.ssrc == leg.ssrc { return report }
            return nil
        }.last)
        // The report's RTP time minus the publisher's, less the leg's offset, is the NTP time between them.
        let elapsedNTP = Double(report.ntpTimestamp &- ntpTimestamp) / 4_294_967_296
        let elapsedRTP = Double(Int32(bitPattern: report.rtpTimestamp &- rtpBase &- offset)) / 90_000
        #expect(elapsedNTP > 0)
        #expect(abs(elapsedNTP - elapsedRTP) < 0.001)
        #expect(report.packetCount == 3)
        #expect(report.octetCount == UInt32(vp8KeyframeStart.count + 1 + 2 * 2))
    }

    @Test func paddingIsNotForwarded() throws {
        let bench = try MediaBench(room: "padding")
        let publisher = try TestPeer()
        try bench.publish(publisher, identity: "alice", offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 8000))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil))

        // Media at 300, 302 and 304; padding-only probes at 301 and 303.
        for index in 0..<5 {
            let isPadding = index % 2 == 1
            let payload: [UInt8] = isPadding ? [] : (index == 0 ? vp8KeyframeStart : [0x00]) + [UInt8(index)]
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: UInt16(300 + index), timestamp: 3000 * UInt32(index / 2),
                ssrc: 8000, extensions: [], payload: payload, paddingLength: isPadding ? 200 : 0))
        }
        let received = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp
        #expect(received.map { $0.payload.last } == [0, 2, 4])
        for (previous, next) in zip(received, received.dropFirst()) {
            #expect(next.view.sequenceNumber == previous.view.sequenceNumber &+ 1)
        }
        #expect(bench.worker.snapshotCounters().paddingPacketsReceived == 2)
    }

    @Test func audioLevelsRankActiveSpeakers() throws {
        let bench = try MediaBench(room: "speakers")
        let updates = SpeakerUpdates()
        bench.worker.onActiveSpeakers = { room, speakers in updates.append(room, speakers.map(\.identity)) }
        let publisher = try TestPeer()
        try bench.publish(publisher, identity: "alice", offer: audioOffer(peer: publisher, direction: "sendonly", ssrc: 9000))

        // 20 ms Opus packets at -10 dBov with voice for 1.2 s.
        for index in 0..<60 {
            try publisher.sendRTP(rtpPacket(
                payloadType: 111, sequenceNumber: UInt16(index), timestamp: UInt32(index * 960), ssrc: 9000,
                extensions: [(FixtureExtensionID.audioLevel, AudioLevel.value(voice: true, level: 10))],
                payload: [0xF8, 0xFF, 0xFE]))
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: 0.3)
        let roomUpdates = updates.all.filter { $0.room == "speakers" }
        #expect(!roomUpdates.isEmpty)
        #expect(roomUpdates.contains { $0.identities == ["alice"] })
    }
}

/// Active speaker callbacks collected across threads.
final class SpeakerUpdates: @unchecked Sendable {
    private let lock = NSLock()
    private var updates: [(room: String, identities: [String])] = []

    func append(_ room: String, _ identities: [String]) {
        lock.lock()
        updates.append((room, identities))
        lock.unlock()
    }

    var all: [(room: String, identities: [String])] {
        lock.lock()
        defer { lock.unlock() }
        return updates
    }
}
