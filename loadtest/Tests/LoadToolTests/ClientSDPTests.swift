import SDP
import Testing
import Wire

@testable import chorus_load

@Suite struct ClientSDPTests {
    static let local = LocalTransportDescription(
        ufrag: "abcd1234", password: "0123456789abcdefghijklmn",
        fingerprint: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
        address: .v4(address: 0x7F00_0001, port: 40000))

    static let server = AnswerOptions(
        iceUfrag: "srvr", icePassword: "serverPasswordOf24Chars0",
        fingerprint: Fingerprint(algorithm: "sha-256", value: local.fingerprint),
        candidates: [
            Candidate(foundation: "1", transport: "udp", priority: 2_130_706_431, address: "127.0.0.1", port: 7882)
        ],
        supportedExtensions: [
            HeaderExtensionURI.mid, HeaderExtensionURI.rtpStreamID, HeaderExtensionURI.audioLevel,
        ])

    private func plan(simulcast: Bool) -> PublishPlan {
        PublishPlan(
            cname: "p1", audioSSRC: 11, videoSSRCs: simulcast ? [21, 22, 23] : [21], simulcast: simulcast,
            dependencyDescriptor: true)
    }

    @Test(arguments: [false, true])
    func publishOfferIsAcceptedByAnswerer(simulcast: Bool) throws {
        let text = ClientSDP.publishOffer(local: Self.local, plan: plan(simulcast: simulcast))
        let offer = try SessionDescription.parse(text)
        #expect(offer.bundleGroups == [["0", "1"]])
        #expect(offer.media.map(\.direction) == [.sendonly, .sendonly])
        #expect(offer.media.allSatisfy { $0.setup == .actpass })
        #expect(offer.media.allSatisfy { $0.rtcpMux })
        #expect(offer.media[1].rids.map(\.id) == (simulcast ? ["q", "h", "f"] : []))

        let (answer, media) = try makeAnswer(to: offer, role: .receiveFromClient, options: Self.server)
        #expect(media.count == 2)
        let parameters = answer.sendParameters()
        #expect(parameters.audioAccepted)
        #expect(parameters.videoAccepted)
        #expect(parameters.simulcastAccepted == simulcast)
        #expect(parameters.audioExtensions.audioLevel == UInt8(OfferedExtensionID.audioLevel))
        #expect(parameters.videoExtensions.mid == UInt8(OfferedExtensionID.mid))
        #expect(parameters.videoExtensions.rid == UInt8(OfferedExtensionID.rtpStreamID))
        // The answerer did not accept these, so the sender must not write them.
        #expect(parameters.videoExtensions.dependencyDescriptor == nil)
        #expect(parameters.videoExtensions.transportWideSequenceNumber == nil)

        let remote = try answer.remoteTransport()
        #expect(remote.ufrag == "srvr")
        #expect(remote.address == .v4(address: 0x7F00_0001, port: 7882))
    }

    @Test func answerToServerOfferReceivesSendingSections() throws {
        let receiveOffer = try SessionDescription.parse(
            ClientSDP.receiveOffer(local: Self.local, audio: true, video: true))
        let tracks: [OutgoingTrack?] = [
            OutgoingTrack(ssrc: 1001, cname: "p1", streamID: "p1", trackID: "TR_audio"),
            OutgoingTrack(ssrc: 1002, cname: "p1", streamID: "p1", trackID: "TR_video"),
        ]
        let (serverOffer, _) = try makeAnswer(to: receiveOffer, role: .sendToClient(tracks), options: Self.server)
        #expect(serverOffer.media.map(\.direction) == [.sendonly, .sendonly])

        let slots = serverOffer.sendingSlots(tracks: ["1": ("TR_video", "p1")], defaultPublisher: "x")
        #expect(slots.map(\.ssrc) == [1001, 1002])
        #expect(slots.map(\.isVideo) == [false, true])
        #expect(slots.map(\.trackSid) == ["TR_audio", "TR_video"])
        #expect(slots.map(\.publisher) == ["p1", "p1"])

        let answer = try SessionDescription.parse(ClientSDP.answer(toSendingOffer: serverOffer, local: Self.local))
        #expect(answer.media.count == serverOffer.media.count)
        #expect(answer.media.map(\.mid) == serverOffer.media.map(\.mid))
        #expect(answer.media.map(\.direction) == [.recvonly, .recvonly])
        #expect(answer.media.allSatisfy { $0.setup == .active })
        #expect(answer.media.allSatisfy { $0.port == 40000 })
        #expect(answer.media.allSatisfy { $0.codecs.count == 1 })
    }

    @Test func inactiveOfferedSectionIsAnsweredInactive() throws {
        var offer = try SessionDescription.parse(ClientSDP.receiveOffer(local: Self.local, audio: true, video: true))
        offer.media[0].direction = .inactive
        offer.media[1].direction = .sendonly
        let answer = try SessionDescription.parse(ClientSDP.answer(toSendingOffer: offer, local: Self.local))
        #expect(answer.media.map(\.direction) == [.inactive, .recvonly])
        #expect(answer.media[0].port != 0)
    }

    @Test func descriptionWithoutCandidateIsRejected() throws {
        var offer = try SessionDescription.parse(ClientSDP.receiveOffer(local: Self.local, audio: true, video: false))
        offer.media[0].candidates = []
        #expect(throws: RemoteDescriptionError.self) { try offer.remoteTransport() }
    }
}
