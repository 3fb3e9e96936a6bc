import Testing

@testable import SDP

/// Lines every accepted section of a Chorus answer carries, from `a=candidate` to `a=mid`.
private func transportLines(mid: String) -> [String] {
    [
        "a=candidate:1 1 udp 2130706431 198.51.100.10 7882 typ host",
        "a=candidate:2 1 tcp 1671430143 198.51.100.10 7881 typ host tcptype passive",
        "a=end-of-candidates",
        "a=ice-ufrag:CHrs",
        "a=ice-pwd:chorusPasswordOf24Chars",
        "a=fingerprint:sha-256 \(Fixtures.chorusFingerprint.value)",
        "a=setup:passive",
        "a=mid:\(mid)",
    ]
}

private func videoFeedback(_ payloadType: Int) -> [String] {
    ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"].map { "a=rtcp-fb:\(payloadType) \($0)" }
}

private func rtx(_ payloadType: Int, apt: Int) -> [String] {
    ["a=rtpmap:\(payloadType) rtx/90000", "a=fmtp:\(payloadType) apt=\(apt)"]
}

/// Compares an answer with the expected lines one by one, so a failure names the first line that differs.
private func expectLines(_ text: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(text.hasSuffix("\r\n"), sourceLocation: sourceLocation)
    let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    #expect(lines.count == expected.count, sourceLocation: sourceLocation)
    for (index, (actual, wanted)) in zip(lines, expected).enumerated() {
        #expect(actual == wanted, "line \(index + 1)", sourceLocation: sourceLocation)
    }
}

private let sessionHeader = ["v=0", "o=- 1234567890 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=ice-lite"]

@Suite struct AnswerTests {
    @Test func chromeSimulcastPublishAnswer() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeSimulcastOffer)
        let (answer, _) = try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)

        var expected = sessionHeader + ["a=group:BUNDLE 0 1", "a=extmap-allow-mixed"]
        expected += ["m=audio 7882 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 198.51.100.10"] + transportLines(mid: "0")
        expected += [
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=recvonly",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:111 opus/48000/2",
            "a=rtcp-fb:111 transport-cc",
            "a=fmtp:111 minptime=10;useinbandfec=1",
        ]
        expected += [
            "m=video 7882 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103 106 107 108 109 45 46", "c=IN IP4 198.51.100.10",
        ]
        expected += transportLines(mid: "1")
        expected += [
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
            "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            "a=recvonly",
            "a=rtcp-mux",
            "a=rtcp-rsize",
        ]
        expected += ["a=rtpmap:96 VP8/90000"] + videoFeedback(96) + rtx(97, apt: 96)
        expected += ["a=rtpmap:98 VP9/90000"] + videoFeedback(98) + ["a=fmtp:98 profile-id=0"] + rtx(99, apt: 98)
        expected += ["a=rtpmap:102 H264/90000"] + videoFeedback(102)
        expected +=
            ["a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"] + rtx(103, apt: 102)
        expected += ["a=rtpmap:106 H264/90000"] + videoFeedback(106)
        expected +=
            ["a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"] + rtx(107, apt: 106)
        expected += ["a=rtpmap:108 H264/90000"] + videoFeedback(108)
        expected +=
            ["a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640032"] + rtx(109, apt: 108)
        expected +=
            ["a=rtpmap:45 AV1/90000"] + videoFeedback(45) + ["a=fmtp:45 level-idx=5;profile=0;tier=0"]
            + rtx(46, apt: 45)
        expected += ["a=rid:q recv", "a=rid:h recv", "a=rid:f recv", "a=simulcast:recv q;h;f"]

        expectLines(answer.serialize(), expected)
    }

    @Test func chromeSimulcastPublishNegotiation() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeSimulcastOffer)
        let (_, media) = try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(media.map(\.index) == [0, 1])
        #expect(media.map(\.mid) == ["0", "1"])
        #expect(media.map(\.kind) == [.audio, .video])
        #expect(media.map(\.direction) == [.recvonly, .recvonly])

        let audio = media[0]
        #expect(audio.codecs.map(\.payloadType) == [111])
        #expect(audio.remoteSSRCs == [RemoteSSRC(ssrc: 4_166_948_140, cname: "qL2xJ8aYvB0nR4sT")])
        #expect(audio.extensionID(for: HeaderExtensionURI.audioLevel) == 1)
        #expect(audio.rids.isEmpty)
        #expect(audio.simulcast == nil)

        let video = media[1]
        #expect(video.codecs.map(\.payloadType) == [96, 98, 102, 106, 108, 45])
        #expect(video.codecs.map(\.rtxPayloadType) == [97, 99, 103, 107, 109, 46])
        #expect(video.codecs[0].feedback == ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"])
        #expect(video.extensionID(for: HeaderExtensionURI.rtpStreamID) == 10)
        #expect(video.extensionID(for: HeaderExtensionURI.repairedRTPStreamID) == 11)
        #expect(video.extensionID(for: "urn:ietf:params:rtp-hdrext:toffset") == nil)
        #expect(video.rids.map(\.id) == ["q", "h", "f"])
        #expect(video.rids.allSatisfy { $0.direction == .recv })
        #expect(video.simulcast?.receive.map { $0.map(\.rid) } == [["q"], ["h"], ["f"]])
        #expect(video.simulcast?.send == [])
        #expect(video.remoteSSRCs.isEmpty)
        #expect(video.track == nil)
    }

    @Test func chromeSubscribeAnswer() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeRecvOnlyOffer)
        let audioTrack = OutgoingTrack(ssrc: 11111, cname: "chorus-cname", streamID: "alice", trackID: "alice-audio")
        let videoTrack = OutgoingTrack(
            ssrc: 22222, rtxSSRC: 33333, cname: "chorus-cname", streamID: "alice", trackID: "alice-video")
        let (answer, media) = try makeAnswer(
            to: offer, role: .sendToClient([audioTrack, videoTrack]), options: Fixtures.chorusOptions)

        var expected = sessionHeader + ["a=group:BUNDLE 0 1", "a=extmap-allow-mixed"]
        expected += ["m=audio 7882 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 198.51.100.10"] + transportLines(mid: "0")
        expected += [
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=sendonly",
            "a=msid:alice alice-audio",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:111 opus/48000/2",
            "a=rtcp-fb:111 transport-cc",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=ssrc:11111 cname:chorus-cname",
            "a=ssrc:11111 msid:alice alice-audio",
        ]
        expected += ["m=video 7882 UDP/TLS/RTP/SAVPF 96 97 102 103 45 46", "c=IN IP4 198.51.100.10"]
        expected += transportLines(mid: "1")
        expected += [
            "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:9 https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
            "a=sendonly",
            "a=msid:alice alice-video",
            "a=rtcp-mux",
            "a=rtcp-rsize",
        ]
        expected += ["a=rtpmap:96 VP8/90000"] + videoFeedback(96) + rtx(97, apt: 96)
        expected += ["a=rtpmap:102 H264/90000"] + videoFeedback(102)
        expected +=
            ["a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"] + rtx(103, apt: 102)
        expected +=
            ["a=rtpmap:45 AV1/90000"] + videoFeedback(45) + ["a=fmtp:45 level-idx=5;profile=0;tier=0"]
            + rtx(46, apt: 45)
        expected += [
            "a=ssrc-group:FID 22222 33333",
            "a=ssrc:22222 cname:chorus-cname",
            "a=ssrc:22222 msid:alice alice-video",
            "a=ssrc:33333 cname:chorus-cname",
            "a=ssrc:33333 msid:alice alice-video",
        ]
        expectLines(answer.serialize(), expected)

        #expect(media.map(\.direction) == [.sendonly, .sendonly])
        #expect(media.map(\.track) == [audioTrack, videoTrack])
        #expect(media[1].extensionID(for: HeaderExtensionURI.dependencyDescriptor) == 9)
    }

    @Test func subscribeWithoutTrackIsInactive() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeRecvOnlyOffer)
        let videoTrack = OutgoingTrack(ssrc: 22222, cname: "c", streamID: "s", trackID: "v")
        let (answer, media) = try makeAnswer(
            to: offer, role: .sendToClient([nil, videoTrack]), options: Fixtures.chorusOptions)

        #expect(media.map(\.direction) == [.inactive, .sendonly])
        #expect(answer.media[0].port == 7882)
        #expect(answer.media[0].msid == nil)
        #expect(answer.media[0].ssrcs.isEmpty)
        #expect(answer.media[1].ssrcGroups.isEmpty)
        #expect(answer.media[1].ssrcs.map(\.ssrc) == [22222, 22222])

        let shortList = try makeAnswer(to: offer, role: .sendToClient([]), options: Fixtures.chorusOptions)
        #expect(shortList.media.map(\.direction) == [.inactive, .inactive])
    }

    @Test func publishToSendOnlyOfferIsInactive() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeRecvOnlyOffer)
        let (answer, media) = try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(media.map(\.direction) == [.inactive, .inactive])
        #expect(answer.media.allSatisfy { $0.rids.isEmpty })
        #expect(answer.media.allSatisfy { $0.simulcast == nil })
    }

    @Test func aiortcAnswerKeepsPayloadTypes() throws {
        let offer = try SessionDescription.parse(Fixtures.aiortcOffer)
        let (answer, media) = try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.bundleGroups == [["0", "1"]])
        #expect(!answer.extmapAllowMixed)
        #expect(answer.media[0].formats == ["96"])
        #expect(answer.media[1].formats == ["97", "98", "99", "100", "101", "102"])
        #expect(!answer.media[0].rtcpReducedSize)
        #expect(media[1].codecs.map(\.name) == ["VP8", "H264", "H264"])
        #expect(media[1].codecs.map(\.rtxPayloadType) == [98, 100, 102])
        #expect(media[1].codecs[0].feedback == ["nack", "nack pli", "goog-remb"])
        #expect(
            media[1].remoteSSRCs == [
                RemoteSSRC(ssrc: 954_418_203, rtxSSRC: 965_561_985, cname: "8b4f2c1d-3e5a-4b6c-8d7e-9f0a1b2c3d4e")
            ])
        #expect(media[0].remoteSSRCs.map(\.ssrc) == [4_268_342_590])

        let text = answer.serialize()
        for line in [
            "a=rtpmap:96 opus/48000/2", "a=rtpmap:97 VP8/90000", "a=rtcp-fb:97 nack pli", "a=fmtp:98 apt=97",
            "a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", "a=fmtp:102 apt=101",
            "a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "a=recvonly",
        ] {
            #expect(text.contains(line + "\r\n"), "missing \(line)")
        }
        #expect(!text.contains("PCMU"))
        #expect(!text.contains("transport-cc"))
    }

    @Test func aiortcSubscribeAnswer() throws {
        let offer = try SessionDescription.parse(Fixtures.aiortcOffer)
        let track = OutgoingTrack(ssrc: 5, rtxSSRC: 6, cname: "c", streamID: "s", trackID: "v")
        let (answer, media) = try makeAnswer(
            to: offer, role: .sendToClient([nil, track]), options: Fixtures.chorusOptions)

        #expect(media.map(\.direction) == [.inactive, .sendonly])
        #expect(answer.media[1].ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [5, 6])])
        #expect(answer.media[1].msid == MSID(stream: "s", track: "v"))
    }

    @Test func firefoxAnswer() throws {
        let offer = try SessionDescription.parse(Fixtures.firefoxOffer)
        let (answer, media) = try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.bundleGroups == [["0", "1"]])
        #expect(answer.media.count == 3)
        let data = answer.media[2]
        #expect(data.port == 0)
        #expect(data.mid == "2")
        #expect(data.kind == .application)
        #expect(
            data.serializedLines() == [
                "m=application 0 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=mid:2",
            ])

        #expect(media[0].codecs.map(\.payloadType) == [109])
        #expect(media[0].codecs[0].parameters.contains(FormatParameter("stereo", "1")))
        #expect(media[0].extensions.map(\.id) == [1, 3])
        #expect(media[1].codecs.map(\.payloadType) == [120, 121, 126])
        #expect(media[1].codecs.map(\.rtxPayloadType) == [124, 125, 127])
        #expect(media[1].rids.map(\.id) == ["a", "b", "c"])
        #expect(media[1].simulcast == Simulcast(receive: [[.init(rid: "a")], [.init(rid: "b")], [.init(rid: "c")]]))
        #expect(media[1].remoteSSRCs.map(\.ssrc) == [3_170_417_312, 2_872_916_042, 3_051_780_102])
        #expect(media[1].remoteSSRCs.map(\.rtxSSRC) == [1_305_063_318, 612_364_950, 1_876_052_477])
        #expect(answer.media[1].serializedLines().contains("a=simulcast:recv a;b;c"))
    }

    @Test func reorderedOfferAnswersLikeCanonical() throws {
        let canonical = try makeAnswer(
            to: SessionDescription.parse(Fixtures.chromeSimulcastOffer), role: .receiveFromClient,
            options: Fixtures.chorusOptions)
        let reordered = try makeAnswer(
            to: SessionDescription.parse(Fixtures.chromeSimulcastReorderedOffer), role: .receiveFromClient,
            options: Fixtures.chorusOptions)

        #expect(reordered.media.count == 2)
        #expect(reordered.media[1].rids == canonical.media[1].rids)
        #expect(reordered.media[1].simulcast == canonical.media[1].simulcast)
        #expect(reordered.media[1].codecs == canonical.media[1].codecs)
        #expect(reordered.media[1].remoteSSRCs.map(\.ssrc) == [1_094_569_408])
        #expect(reordered.answer.media[2].port == 0)
        #expect(reordered.answer.media[2].mid == "2")
        #expect(reordered.answer.bundleGroups == [["0", "1"]])
    }

    @Test func answerParsesBack() throws {
        for (name, text) in Fixtures.all {
            let offer = try SessionDescription.parse(text)
            let (answer, _) = try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
            let parsed = try SessionDescription.parse(answer.serialize())

            #expect(parsed.iceLite, "\(name)")
            #expect(parsed.media.count == offer.media.count, "\(name)")
            #expect(parsed.media.map(\.mid) == offer.media.map(\.mid), "\(name)")
            #expect(parsed.media.map(\.codecs) == answer.media.map(\.codecs), "\(name)")
            let accepted = parsed.media.filter { !$0.isRejected }
            #expect(accepted.allSatisfy { $0.rtcpMux }, "\(name)")
            #expect(accepted.allSatisfy { $0.setup == .passive }, "\(name)")
        }
    }
}

/// Offers built line by line to exercise one rule each.
@Suite struct AnswerRuleTests {
    static let transport = [
        "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuv", "a=fingerprint:sha-256 01:02:03", "a=rtcp-mux",
    ]

    static func offer(session: [String] = ["a=group:BUNDLE 0"], _ sections: [[String]]) -> String {
        Fixtures.crlf(["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0"] + session + sections.flatMap { $0 })
    }

    static func vp8Section(mid: String, setup: String? = "actpass", extra: [String] = []) -> [String] {
        ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:\(mid)", "a=sendonly", "a=rtpmap:96 VP8/90000"] + transport
            + (setup.map { ["a=setup:\($0)"] } ?? []) + extra
    }

    @Test(arguments: [
        ("actpass", SetupRole.passive), ("active", .passive), ("passive", .active),
    ])
    func setupRole(offered: String, answered: SetupRole) throws {
        let text = Self.offer([Self.vp8Section(mid: "0", setup: offered)])
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.media[0].setup == answered)
    }

    @Test func missingSetupIsAnsweredPassive() throws {
        let text = Self.offer([Self.vp8Section(mid: "0", setup: nil)])
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.media[0].setup == .passive)
    }

    @Test func holdconnThrows() throws {
        let offer = try SessionDescription.parse(Self.offer([Self.vp8Section(mid: "0", setup: "holdconn")]))

        #expect(throws: SDPError("media section '0' has a=setup:holdconn, so no DTLS connection can be made")) {
            try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test func missingICECredentialsThrows() throws {
        let section = Self.vp8Section(mid: "0").filter { !$0.hasPrefix("a=ice-pwd") }
        let offer = try SessionDescription.parse(Self.offer([section]))

        #expect(throws: SDPError("media section '0' has no ICE credentials (a=ice-ufrag and a=ice-pwd)")) {
            try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test func missingFingerprintThrows() throws {
        let text = Fixtures.chromeSimulcastOffer.replacing("a=fingerprint:", with: "a=x-fingerprint:")
        let offer = try SessionDescription.parse(text)

        #expect(throws: SDPError("media section '0' has no DTLS certificate fingerprint (a=fingerprint)")) {
            try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test func noCommonCodecThrows() throws {
        let section = [
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "a=mid:0", "a=rtpmap:96 H265/90000", "a=rtpmap:97 rtx/90000",
            "a=fmtp:97 apt=96",
        ]
        let offer = try SessionDescription.parse(Self.offer([section + Self.transport]))

        #expect(
            throws: SDPError(
                "no audio or video media section has a supported codec and transport (offered codecs: H265)")
        ) {
            try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test func dataChannelOnlyThrows() throws {
        let section = ["m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=mid:0", "a=sctp-port:5000"]
        let offer = try SessionDescription.parse(Self.offer([section + Self.transport]))

        #expect(throws: SDPError("the offer has no audio or video media section")) {
            try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test func sectionWithoutCommonCodecIsRejected() throws {
        let h265 = ["m=video 9 UDP/TLS/RTP/SAVPF 100", "a=mid:1", "a=rtpmap:100 H265/90000"] + Self.transport
        let text = Self.offer(session: ["a=group:BUNDLE 0 1"], [Self.vp8Section(mid: "0"), h265])
        let (answer, media) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(media.map(\.mid) == ["0"])
        #expect(answer.media[1].port == 0)
        #expect(answer.media[1].formats == ["100"])
        #expect(answer.media[1].direction == .inactive)
        #expect(answer.bundleGroups == [["0"]])
    }

    @Test func withoutBundleOnlyFirstSectionIsAccepted() throws {
        let text = Self.offer(session: [], [Self.vp8Section(mid: "a"), Self.vp8Section(mid: "b")])
        let (answer, media) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(media.map(\.mid) == ["a"])
        #expect(answer.media.map(\.port) == [7882, 0])
        #expect(answer.bundleGroups.isEmpty)
    }

    @Test func rejectedBundleTagThrows() throws {
        let data = ["m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=mid:0", "a=sctp-port:5000"] + Self.transport
        let dataFirst = Self.offer(session: ["a=group:BUNDLE 0 1"], [data, Self.vp8Section(mid: "1")])

        #expect(
            throws: SDPError(
                "media section '0' is the first of the offer's BUNDLE group, so it cannot be rejected, but it is not usable: data channels are not supported. Put a supported audio or video section first."
            )
        ) {
            try makeAnswer(
                to: SessionDescription.parse(dataFirst), role: .receiveFromClient, options: Fixtures.chorusOptions)
        }

        let h265 = ["m=video 9 UDP/TLS/RTP/SAVPF 100", "a=mid:0", "a=rtpmap:100 H265/90000"] + Self.transport
        let h265First = Self.offer(session: ["a=group:BUNDLE 0 1"], [h265, Self.vp8Section(mid: "1")])

        #expect(
            throws: SDPError(
                "media section '0' is the first of the offer's BUNDLE group, so it cannot be rejected, but it is not usable: no offered codec is supported (offered: H265). Put a supported audio or video section first."
            )
        ) {
            try makeAnswer(
                to: SessionDescription.parse(h265First), role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test func singleSectionWithoutMidIsAccepted() throws {
        let section = ["m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=sendonly", "a=rtpmap:111 opus/48000/2"] + Self.transport
        let (answer, media) = try makeAnswer(
            to: SessionDescription.parse(Self.offer(session: [], [section])), role: .receiveFromClient,
            options: Fixtures.chorusOptions)

        #expect(media.map(\.mid) == [""])
        #expect(media[0].codecs.map(\.name) == ["opus"])
        #expect(answer.media[0].mid == nil)
        #expect(answer.media[0].direction == .recvonly)
        #expect(!answer.serialize().contains("a=mid"))
        #expect(!answer.serialize().contains("a=group"))
    }

    @Test func liteOfferThrows() throws {
        let offer = try SessionDescription.parse(
            Self.offer(session: ["a=ice-lite", "a=group:BUNDLE 0"], [Self.vp8Section(mid: "0")]))

        #expect(
            throws: SDPError(
                "the offer is ICE-lite, but so is the answerer, and two lite agents never send connectivity checks")
        ) {
            try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test(arguments: [
        (
            "a=ice-ufrag:abc",
            "media section '0' has an invalid a=ice-ufrag 'abc': RFC 8839 requires 4 to 256 letters, digits, '+' or '/'"
        ),
        (
            "a=ice-ufrag:ab:cd",
            "media section '0' has an invalid a=ice-ufrag 'ab:cd': RFC 8839 requires 4 to 256 letters, digits, '+' or '/'"
        ),
        (
            "a=ice-pwd:tooShort",
            "media section '0' has an invalid a=ice-pwd: RFC 8839 requires 22 to 256 letters, digits, '+' or '/'"
        ),
    ])
    func invalidICECredentialsThrow(line: String, message: String) throws {
        let name = line.prefix { $0 != ":" }
        let section = Self.vp8Section(mid: "0").map { $0.hasPrefix(name + ":") ? line : $0 }
        let offer = try SessionDescription.parse(Self.offer([section]))

        #expect(throws: SDPError(message)) {
            try makeAnswer(to: offer, role: .receiveFromClient, options: Fixtures.chorusOptions)
        }
    }

    @Test func ssrcSimulcastIsReported() throws {
        let section = Self.vp8Section(
            mid: "0",
            extra: [
                "a=ssrc-group:SIM 10 20 30", "a=ssrc-group:FID 10 11", "a=ssrc-group:FID 20 21",
                "a=ssrc-group:FID 30 31",
                "a=ssrc:10 cname:x", "a=ssrc:11 cname:x", "a=ssrc:20 cname:x", "a=ssrc:21 cname:x", "a=ssrc:30 cname:x",
                "a=ssrc:31 cname:x",
            ])
        let (_, media) = try makeAnswer(
            to: SessionDescription.parse(Self.offer([section])), role: .receiveFromClient,
            options: Fixtures.chorusOptions)

        #expect(media[0].ssrcSimulcast == [10, 20, 30])
        #expect(media[0].remoteSSRCs.map(\.ssrc) == [10, 20, 30])
        #expect(media[0].remoteSSRCs.map(\.rtxSSRC) == [11, 21, 31])
        #expect(media[0].remoteSSRCs.allSatisfy { $0.cname == "x" })
    }

    @Test func sectionOutsideBundleIsRejected() throws {
        let text = Self.offer(session: ["a=group:BUNDLE a"], [Self.vp8Section(mid: "a"), Self.vp8Section(mid: "b")])
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.media.map(\.port) == [7882, 0])
    }

    @Test func sectionWithoutRTCPMuxIsRejected() throws {
        let noMux = Self.vp8Section(mid: "1").filter { $0 != "a=rtcp-mux" }
        let text = Self.offer(session: ["a=group:BUNDLE 0 1"], [Self.vp8Section(mid: "0"), noMux])
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.media.map(\.port) == [7882, 0])
    }

    @Test func plainRTPIsRejected() throws {
        var plain = Self.vp8Section(mid: "1")
        plain[0] = "m=video 9 RTP/AVP 96"
        let text = Self.offer(session: ["a=group:BUNDLE 0 1"], [Self.vp8Section(mid: "0"), plain])
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.media.map(\.port) == [7882, 0])
    }

    @Test func offerRejectedSectionStaysRejected() throws {
        var zero = Self.vp8Section(mid: "1")
        zero[0] = "m=video 0 UDP/TLS/RTP/SAVPF 96"
        let text = Self.offer(session: ["a=group:BUNDLE 0"], [Self.vp8Section(mid: "0"), zero])
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(answer.media.map(\.port) == [7882, 0])
    }

    @Test func bundleOnlySectionIsAccepted() throws {
        let bundleOnly = [
            "m=video 0 UDP/TLS/RTP/SAVPF 96", "a=mid:1", "a=bundle-only", "a=sendonly", "a=rtpmap:96 VP8/90000",
            "a=rtcp-mux",
        ]
        let text = Self.offer(session: ["a=group:BUNDLE 0 1"], [Self.vp8Section(mid: "0"), bundleOnly])
        let (answer, media) = try makeAnswer(
            to: SessionDescription.parse(text), role: .receiveFromClient, options: Fixtures.chorusOptions)

        #expect(media.map(\.mid) == ["0", "1"])
        #expect(answer.media[1].port == 7882)
        #expect(!answer.media[1].isBundleOnly)
    }

    @Test func defaultAddressWithoutUDPCandidate() throws {
        var options = Fixtures.chorusOptions
        options.candidates = [Fixtures.chorusCandidates[1]]
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(Self.offer([Self.vp8Section(mid: "0")])), role: .receiveFromClient,
            options: options)

        #expect(answer.media[0].port == 9)
        #expect(answer.media[0].connection == Connection(address: "0.0.0.0"))
        #expect(answer.media[0].candidates == [Fixtures.chorusCandidates[1]])
    }

    @Test func defaultAddressIPv6() throws {
        var options = Fixtures.chorusOptions
        options.candidates = [
            Candidate(foundation: "3", transport: "udp", priority: 1, address: "2001:db8::10", port: 7882)
        ]
        let (answer, _) = try makeAnswer(
            to: SessionDescription.parse(Self.offer([Self.vp8Section(mid: "0")])), role: .receiveFromClient,
            options: options)

        #expect(answer.media[0].connection == Connection(addressType: "IP6", address: "2001:db8::10"))
    }

    @Test func transportCCFeedbackNeedsExtension() throws {
        let section = Self.vp8Section(
            mid: "0",
            extra: [
                "a=rtcp-fb:96 transport-cc", "a=rtcp-fb:96 nack",
                "a=extmap:5 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            ])
        let offer = try SessionDescription.parse(Self.offer([section]))
        var options = Fixtures.chorusOptions

        let with = try makeAnswer(to: offer, role: .receiveFromClient, options: options)
        #expect(with.media[0].codecs[0].feedback == ["transport-cc", "nack"])

        options.supportedExtensions = [HeaderExtensionURI.mid]
        let without = try makeAnswer(to: offer, role: .receiveFromClient, options: options)
        #expect(without.media[0].codecs[0].feedback == ["nack"])
        #expect(without.media[0].extensions.isEmpty)
    }

    @Test func extensionDirectionIsReversed() throws {
        let section = Self.vp8Section(mid: "0", extra: ["a=extmap:7/sendonly urn:ietf:params:rtp-hdrext:sdes:mid"])
        let (_, media) = try makeAnswer(
            to: SessionDescription.parse(Self.offer([section])), role: .receiveFromClient,
            options: Fixtures.chorusOptions)

        #expect(media[0].extensions == [HeaderExtension(id: 7, uri: HeaderExtensionURI.mid, direction: .recvonly)])
    }

    @Test func ridPayloadTypesAreFiltered() throws {
        let section =
            [
                "m=video 9 UDP/TLS/RTP/SAVPF 96 100", "a=mid:0", "a=sendonly", "a=rtpmap:96 VP8/90000",
                "a=rtpmap:100 H265/90000",
                "a=rid:lo send pt=100", "a=rid:mid send pt=96,100;max-width=640", "a=rid:hi send",
                "a=simulcast:send lo;mid;~hi",
            ] + Self.transport
        let (_, media) = try makeAnswer(
            to: SessionDescription.parse(Self.offer([section])), role: .receiveFromClient,
            options: Fixtures.chorusOptions)

        #expect(
            media[0].rids == [
                RIDDescription(id: "mid", direction: .recv, payloadTypes: [96], restrictions: ["max-width": "640"]),
                RIDDescription(id: "hi", direction: .recv),
            ])
        #expect(media[0].simulcast == Simulcast(receive: [[.init(rid: "mid")], [.init(rid: "hi", paused: true)]]))
    }

    @Test func rtxIsDroppedWhenCapabilityRejectsIt() throws {
        let section =
            Self.vp8Section(mid: "0", extra: []).map {
                $0 == "m=video 9 UDP/TLS/RTP/SAVPF 96" ? "m=video 9 UDP/TLS/RTP/SAVPF 96 97" : $0
            } + ["a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96"]
        var options = Fixtures.chorusOptions
        var vp8 = CodecCapability.vp8
        vp8.acceptsRTX = false
        options.supportedCodecs = [vp8]
        let (answer, media) = try makeAnswer(
            to: SessionDescription.parse(Self.offer([section])), role: .receiveFromClient, options: options)

        #expect(answer.media[0].formats == ["96"])
        #expect(media[0].codecs[0].rtxPayloadType == nil)
    }

    @Test func h264LevelLoweredWithoutAsymmetry() throws {
        let section =
            Self.vp8Section(mid: "0").map {
                $0 == "a=rtpmap:96 VP8/90000" ? "a=rtpmap:96 H264/90000" : $0
            } + ["a=fmtp:96 packetization-mode=1;profile-level-id=42e034"]
        var options = Fixtures.chorusOptions
        options.supportedCodecs = [
            CodecCapability(
                kind: .video, name: "H264", clockRate: 90000,
                parameters: [FormatParameter("packetization-mode", "1"), FormatParameter("profile-level-id", "42e01f")])
        ]
        let (_, media) = try makeAnswer(
            to: SessionDescription.parse(Self.offer([section])), role: .receiveFromClient, options: options)

        #expect(media[0].codecs[0].parameter("profile-level-id") == "42e01f")
    }
}
