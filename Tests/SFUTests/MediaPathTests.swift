import Foundation
import RTCP
import RTP
import Testing
import Wire

@testable import SFU

/// Offers shaped like a browser's, with the test peer's ICE credentials and fingerprint.
func offer(peer: TestPeer, direction: String, audioPayloadType: UInt8, videoPayloadType: UInt8,
           ssrcs: (audio: UInt32, video: UInt32)?) -> String {
    var lines = ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1"]
    lines += ["m=audio 9 UDP/TLS/RTP/SAVPF \(audioPayloadType)", "c=IN IP4 0.0.0.0", "a=mid:0", "a=\(direction)"]
    lines += ["a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=rtpmap:\(audioPayloadType) opus/48000/2"]
    if let ssrcs { lines.append("a=ssrc:\(ssrcs.audio) cname:publisher") }
    lines += peer.transportLines
    lines += ["m=video 9 UDP/TLS/RTP/SAVPF \(videoPayloadType)", "c=IN IP4 0.0.0.0", "a=mid:1", "a=\(direction)"]
    lines += ["a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=rtpmap:\(videoPayloadType) VP8/90000"]
    lines += ["a=rtcp-fb:\(videoPayloadType) nack pli"]
    if let ssrcs { lines.append("a=ssrc:\(ssrcs.video) cname:publisher") }
    lines += peer.transportLines
    return lines.joined(separator: "\r\n") + "\r\n"
}

/// SSRC announced in the m-section of `kind` of an answer.
func answeredSSRC(_ answer: String, kind: String) -> UInt32? {
    var inSection = false
    for line in answer.split(whereSeparator: \.isNewline) {
        if line.hasPrefix("m=") { inSection = line.hasPrefix("m=\(kind)") }
        if inSection, line.hasPrefix("a=ssrc:"), let value = line.dropFirst(7).split(separator: " ").first {
            return UInt32(value)
        }
    }
    return nil
}

@Suite(.serialized)
struct MediaPathTests {
    let worker: MediaWorker
    let rooms: RoomManager

    init() throws {
        let configuration = SFUConfiguration(
            rtcBindAddress: .v4(address: 0x7F00_0001, port: 0), autoCreateRooms: true,
            keyframeRequestIntervalMilliseconds: 300)
        worker = try MediaWorker(configuration: configuration)
        rooms = RoomManager(configuration: configuration, worker: worker, certificate: try .generate())
        worker.start()
    }

    @Test func publishedMediaReachesSubscriberRewritten() throws {
        defer { worker.stop() }
        let publisher = try TestPeer()
        let published = try rooms.publish(
            room: "media", identity: "alice", name: "Alice",
            offer: offer(peer: publisher, direction: "sendonly", audioPayloadType: 111, videoPayloadType: 96,
                         ssrcs: (audio: 1111, video: 2222)))
        try publisher.connect(answer: published.sdp)

        let subscriber = try TestPeer()
        let subscribed = try rooms.subscribe(
            room: "media", identity: "bob", to: "alice",
            offer: offer(peer: subscriber, direction: "recvonly", audioPayloadType: 109, videoPayloadType: 120,
                         ssrcs: nil))
        let videoSSRC = try #require(answeredSSRC(subscribed.sdp, kind: "video"))
        let audioSSRC = try #require(answeredSSRC(subscribed.sdp, kind: "audio"))
        try subscriber.connect(answer: subscribed.sdp)

        // The subscriber's connection asks the publisher for a keyframe at once.
        let firstRequests = publisher.receiveMedia(timeout: 0.5).rtcp
        #expect(containsPLI(firstRequests, mediaSSRC: 2222))

        // Ten video packets across the sequence-number wrap, the first a VP8 keyframe start because
        // the subscriber receives video from a keyframe on, then two audio packets.
        for index in 0..<10 {
            let sequenceNumber = UInt16(truncatingIfNeeded: 65_530 + index)
            let descriptor = index == 0 ? vp8KeyframeStart : [0x00]
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: sequenceNumber, timestamp: 3000 * UInt32(index), ssrc: 2222,
                marker: index == 9, payload: descriptor + [UInt8(index), 0xAA, 0xBB]))
        }
        for index in 0..<2 {
            try publisher.sendRTP(rtpPacket(
                payloadType: 111, sequenceNumber: UInt16(100 + index), timestamp: 960 * UInt32(index), ssrc: 1111,
                payload: [0xF0, UInt8(index)]))
        }
        let received = subscriber.receiveMedia(timeout: 1).rtp
        let views = received.compactMap { packet in packet.withUnsafeBytes { RTPPacketView.parse($0) } }
        let video = views.filter { $0.ssrc == videoSSRC }
        let audio = views.filter { $0.ssrc == audioSSRC }
        #expect(video.count == 10)
        #expect(audio.count == 2)
        #expect(video.allSatisfy { $0.payloadType == 120 })
        #expect(audio.allSatisfy { $0.payloadType == 109 })
        let first = try #require(video.first)
        #expect(first.sequenceNumber < 0x8000)
        for (index, view) in video.enumerated() {
            #expect(view.sequenceNumber == first.sequenceNumber &+ UInt16(index))
            #expect(view.timestamp == first.timestamp &+ 3000 * UInt32(index))
        }
        #expect(video.last?.marker == true)
        let payloads = received.filter { packet in packet.withUnsafeBytes { RTPPacketView.parse($0)?.ssrc } == videoSSRC }
            .map { Array($0.suffix(3)) }
        #expect(payloads.first == [0, 0xAA, 0xBB])
        #expect(payloads.last == [9, 0xAA, 0xBB])

        // A PLI from the subscriber, after the throttle interval, reaches the publisher for the right SSRC.
        Thread.sleep(forTimeInterval: 0.35)
        try subscriber.sendRTCP(RTCPWriter.pictureLossIndication(senderSSRC: 77, mediaSSRC: videoSSRC))
        let requests = publisher.receiveMedia(timeout: 1).rtcp
        #expect(containsPLI(requests, mediaSSRC: 2222))

        // Ending the subscriber's session stops its media; the publisher keeps publishing.
        try rooms.endSession(subscribed.sessionID)
        Thread.sleep(forTimeInterval: 0.1)
        try publisher.sendRTP(rtpPacket(payloadType: 96, sequenceNumber: 10, timestamp: 40_000, ssrc: 2222,
                                         payload: [1, 2, 3]))
        #expect(subscriber.receiveMedia(timeout: 0.3).rtp.isEmpty)
        #expect(try rooms.room(named: "media").participants["alice"]?.publisherSessionID != nil)
    }

    @Test func garbageDatagramsAreCountedNotFatal() throws {
        defer { worker.stop() }
        let peer = try TestPeer()
        peer.server = worker.localAddress
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 19, 20, 64, 200, 1500] {
            for firstByte: UInt8 in [0, 1, 22, 64, 128, 200, 255] {
                var datagram = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if !datagram.isEmpty { datagram[0] = firstByte }
                peer.send(datagram)
            }
        }
        Thread.sleep(forTimeInterval: 0.2)
        let counters = worker.snapshotCounters()
        let dropped = counters.drops.reduce(0, +)
        #expect(dropped >= 40)
        // The worker still answers: a real publisher connects afterwards.
        let publisher = try TestPeer()
        let answer = try rooms.publish(
            room: "after-garbage", identity: "carol", name: nil,
            offer: offer(peer: publisher, direction: "sendonly", audioPayloadType: 111, videoPayloadType: 96,
                         ssrcs: (audio: 5, video: 6)))
        try publisher.connect(answer: answer.sdp)
    }

    private func containsPLI(_ compounds: [[UInt8]], mediaSSRC: UInt32) -> Bool {
        for compound in compounds {
            let packets = compound.withUnsafeBytes { RTCPCompound.parse($0) } ?? []
            for packet in packets {
                if case .pictureLossIndication(_, let ssrc) = packet, ssrc == mediaSSRC { return true }
            }
        }
        return false
    }
}
