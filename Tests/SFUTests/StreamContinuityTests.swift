import Foundation
import RTCP
import RTP
import Testing
import Wire

@testable import SFU

/// What a subscriber receives across pauses and irregular publisher streams: mute, Opus DTX, and
/// sequence numbers that jump.
@Suite(.serialized)
struct StreamContinuityTests {
    @Test func unmuteResumesAtKeyframeWithoutGap() throws {
        let bench = try MediaBench(room: "mute")
        let publisher = try TestPeer()
        let publisherSession = try bench.publish(
            publisher, identity: "alice", offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 11_000))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil))
        func send(_ sequenceNumber: UInt16, keyframe: Bool) throws {
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: sequenceNumber, timestamp: UInt32(sequenceNumber) * 3000,
                ssrc: 11_000, extensions: [], payload: (keyframe ? vp8KeyframeStart : vp8InterframeStart)
                    + [UInt8(sequenceNumber)]))
        }

        for sequenceNumber: UInt16 in 1...3 { try send(sequenceNumber, keyframe: sequenceNumber == 1) }
        var received = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp
        #expect(received.count == 3)

        bench.worker.setMuted(sessionID: publisherSession, mid: "0", muted: true)
        Thread.sleep(forTimeInterval: 0.05)
        for sequenceNumber: UInt16 in 4...6 { try send(sequenceNumber, keyframe: false) }
        #expect(subscriber.receive(ssrc: leg.ssrc, timeout: 0.2).rtp.isEmpty)
        _ = publisher.receiveMedia(timeout: 0.2)

        // Unmuting requests a keyframe, and forwarding resumes at it.
        bench.worker.setMuted(sessionID: publisherSession, mid: "0", muted: false)
        #expect(pictureLossSSRCs(publisher.receive(ssrc: 0, timeout: 0.5).rtcp).contains(11_000))
        try send(7, keyframe: false)
        try send(8, keyframe: true)
        try send(9, keyframe: false)
        received += subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp

        #expect(received.map { $0.payload.last } == [1, 2, 3, 8, 9])
        for (previous, next) in zip(received, received.dropFirst()) {
            #expect(next.view.sequenceNumber == previous.view.sequenceNumber &+ 1)
            #expect(isNewer(next.view.timestamp, than: previous.view.timestamp))
        }
    }

    @Test func opusDTXPassesWithoutNACKs() throws {
        let bench = try MediaBench(room: "dtx")
        let publisher = try TestPeer()
        try bench.publish(publisher, identity: "alice", offer: audioOffer(peer: publisher, direction: "sendonly", ssrc: 12_000))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice", offer: audioOffer(peer: subscriber, direction: "recvonly", ssrc: nil),
            kind: "audio")

        // Ten 20 ms packets of speech, then silence: DTX sends a packet every 400 ms, with the
        // sequence numbers still contiguous and the timestamps 400 ms apart.
        var timestamps: [UInt32] = []
        for index in 0..<14 {
            let timestamp = index < 10 ? UInt32(index * 960) : UInt32(9 * 960 + (index - 9) * 19_200)
            timestamps.append(timestamp)
            try publisher.sendRTP(rtpPacket(
                payloadType: 111, sequenceNumber: UInt16(500 + index), timestamp: timestamp, ssrc: 12_000,
                extensions: [], payload: [0xF8, UInt8(index)]))
            if index >= 10 { Thread.sleep(forTimeInterval: 0.1) }
        }
        let received = subscriber.receive(ssrc: leg.ssrc, timeout: 0.4).rtp
        #expect(received.count == 14)
        let first = try #require(received.first)
        for (index, packet) in received.enumerated() {
            #expect(packet.view.sequenceNumber == first.view.sequenceNumber &+ UInt16(index))
            #expect(packet.view.timestamp &- first.view.timestamp == timestamps[index])
        }
        #expect(bench.worker.snapshotCounters().nacksSent == 0)
    }

    @Test func sequenceJumpNeedsConfirmation() throws {
        let bench = try MediaBench(room: "jump")
        let publisher = try TestPeer()
        try bench.publish(
            publisher, identity: "alice",
            offer: videoOffer(peer: publisher, direction: "sendonly", ssrc: 13_000, rtxSSRC: 13_001))
        let subscriber = try TestPeer()
        let leg = try bench.subscribe(
            subscriber, identity: "bob", to: "alice",
            offer: videoOffer(peer: subscriber, direction: "recvonly", payloadType: 120, rtxPayloadType: nil))

        // SRTP's replay window rejects most wild numbers on the media SSRC itself, but an RTX packet
        // carries its original sequence number inside the encrypted payload. 40000 is a lone wild
        // number there; 20023 and 20024 are a restart that the second packet confirms.
        func sendMedia(_ sequenceNumber: UInt16, marker: UInt8, keyframe: Bool = false) throws {
            try publisher.sendRTP(rtpPacket(
                payloadType: 96, sequenceNumber: sequenceNumber, timestamp: UInt32(marker) * 3000, ssrc: 13_000,
                extensions: [], payload: (keyframe ? vp8KeyframeStart : [0x00]) + [marker]))
        }
        try sendMedia(20, marker: 0, keyframe: true)
        try sendMedia(21, marker: 1)
        try publisher.sendRTP(rtpPacket(
            payloadType: 97, sequenceNumber: 1, timestamp: 6000, ssrc: 13_001, extensions: [],
            payload: [0x9C, 0x40, 0x00, 2]))
        try sendMedia(22, marker: 3)
        try sendMedia(23, marker: 4)
        try sendMedia(20_023, marker: 5)
        try sendMedia(20_024, marker: 6)

        let received = subscriber.receive(ssrc: leg.ssrc, timeout: 0.3).rtp
        #expect(received.map { $0.payload.last } == [0, 1, 3, 4, 6])
        for (previous, next) in zip(received, received.dropFirst()) {
            #expect(next.view.sequenceNumber == previous.view.sequenceNumber &+ 1)
        }
        #expect(bench.worker.snapshotCounters().rtxPacketsReceived == 1)
    }
}
