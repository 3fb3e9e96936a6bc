import Testing

@testable import SDP

@Suite struct ParseTests {
    @Test func chromeSimulcastSession() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeSimulcastOffer)

        #expect(offer.origin.sessionID == "6006447301322920574")
        #expect(offer.origin.address == "127.0.0.1")
        #expect(offer.sessionName == "-")
        #expect(offer.timing == ["0 0"])
        #expect(offer.bundleGroups == [["0", "1"]])
        #expect(offer.extmapAllowMixed)
        #expect(!offer.iceLite)
        #expect(offer.attributes.value(of: "msid-semantic") == " WMS 4c1f8e2a-93d1-4a6b-b0e7-2d5c9a7f1e36")
        #expect(offer.media.count == 2)
    }

    @Test func chromeSimulcastAudio() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeSimulcastOffer)
        let audio = offer.media[0]

        #expect(audio.kind == .audio)
        #expect(audio.port == 9)
        #expect(audio.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.formats == ["111", "63", "9", "0", "8", "13", "110", "126"])
        #expect(audio.connection == Connection(address: "0.0.0.0"))
        #expect(audio.mid == "0")
        #expect(audio.direction == .sendonly)
        #expect(audio.rtcpMux)
        #expect(audio.rtcpReducedSize)
        #expect(audio.iceUfrag == "Xq3b")
        #expect(audio.icePassword == "k9Jz2sVq8RtLw4YpN6mC1dHf")
        #expect(audio.iceOptions == ["trickle"])
        #expect(audio.fingerprint == Fingerprint(algorithm: "sha-256", value: Fixtures.chromeFingerprint))
        #expect(audio.fingerprint?.bytes?.count == 32)
        #expect(audio.setup == .actpass)
        #expect(
            audio.msid
                == MSID(stream: "4c1f8e2a-93d1-4a6b-b0e7-2d5c9a7f1e36", track: "0b8d3f5e-6a2c-4e91-8f47-c1d2e3f4a5b6"))
        #expect(audio.extensions.map(\.id) == [1, 2, 3, 4])
        #expect(audio.extensions[3] == HeaderExtension(id: 4, uri: HeaderExtensionURI.mid))

        #expect(audio.codecs.map(\.payloadType) == [111, 63, 9, 0, 8, 13, 110, 126])
        let opus = try #require(audio.codec(payloadType: 111))
        #expect(opus.name == "opus")
        #expect(opus.clockRate == 48000)
        #expect(opus.channels == 2)
        #expect(opus.parameters == [FormatParameter("minptime", "10"), FormatParameter("useinbandfec", "1")])
        #expect(opus.rawFormatParameters == "minptime=10;useinbandfec=1")
        #expect(opus.feedback == ["transport-cc"])
        #expect(audio.codec(payloadType: 63)?.parameters == [FormatParameter("111/111", nil)])
        #expect(audio.codec(payloadType: 0)?.name == "PCMU")

        #expect(audio.ssrcs.count == 2)
        #expect(audio.ssrcAttribute("cname", of: 4_166_948_140) == "qL2xJ8aYvB0nR4sT")
        #expect(audio.attributes.value(of: "rtcp") == "9 IN IP4 0.0.0.0")
    }

    @Test func chromeSimulcastCandidates() throws {
        let audio = try SessionDescription.parse(Fixtures.chromeSimulcastOffer).media[0]

        #expect(audio.candidates.count == 2)
        let udp = audio.candidates[0]
        #expect(udp.foundation == "1467250027")
        #expect(udp.component == 1)
        #expect(udp.isUDP)
        #expect(udp.priority == 2_122_260_223)
        #expect(udp.address == "192.168.1.20")
        #expect(udp.port == 58217)
        #expect(udp.kind == .host)
        #expect(udp.tcpType == nil)
        #expect(udp.extensions == [.init(name: "generation", value: "0"), .init(name: "network-id", value: "1")])
        let tcp = audio.candidates[1]
        #expect(tcp.isTCP)
        #expect(tcp.port == 9)
        #expect(tcp.tcpType == .active)
    }

    @Test func chromeSimulcastVideo() throws {
        let video = try SessionDescription.parse(Fixtures.chromeSimulcastOffer).media[1]

        #expect(video.kind == .video)
        #expect(video.mid == "1")
        #expect(video.direction == .sendonly)
        #expect(video.extensions.count == 11)
        #expect(video.extensions.first { $0.uri == HeaderExtensionURI.rtpStreamID }?.id == 10)
        #expect(video.codecs.count == 19)

        let vp8 = try #require(video.codec(payloadType: 96))
        #expect(vp8.name == "VP8")
        #expect(vp8.clockRate == 90000)
        #expect(vp8.channels == nil)
        #expect(vp8.feedback == ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"])
        #expect(vp8.rtxPayloadType == 97)
        #expect(video.codec(payloadType: 97)?.associatedPayloadType == 96)
        #expect(video.codec(payloadType: 98)?.parameter("profile-id") == "0")
        #expect(video.codec(payloadType: 102)?.parameter("PROFILE-LEVEL-ID") == "42001f")
        #expect(video.codec(payloadType: 45)?.rtxPayloadType == 46)
        #expect(video.codec(payloadType: 116)?.rtxPayloadType == 117)
        #expect(video.codec(payloadType: 118)?.rtxPayloadType == nil)

        #expect(
            video.rids == [
                RIDDescription(id: "q", direction: .send), RIDDescription(id: "h", direction: .send),
                RIDDescription(id: "f", direction: .send),
            ])
        #expect(
            video.simulcast
                == Simulcast(send: [
                    [SimulcastStream(rid: "q")], [SimulcastStream(rid: "h")], [SimulcastStream(rid: "f")],
                ]))
        #expect(video.ssrcs.isEmpty)
    }

    @Test func reorderedSimulcastMatchesCanonical() throws {
        let canonical = try SessionDescription.parse(Fixtures.chromeSimulcastOffer)
        let reordered = try SessionDescription.parse(Fixtures.chromeSimulcastReorderedOffer)

        #expect(reordered.media.count == 3)
        #expect(reordered.media[1].rids == canonical.media[1].rids)
        #expect(reordered.media[1].simulcast == canonical.media[1].simulcast)
        #expect(reordered.media[1].codecs == canonical.media[1].codecs)
        #expect(reordered.media[1].ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [1_094_569_408, 4_078_176_466])])

        let data = reordered.media[2]
        #expect(data.kind == .application)
        #expect(data.proto == "UDP/DTLS/SCTP")
        #expect(data.formats == ["webrtc-datachannel"])
        #expect(data.codecs.isEmpty)
        #expect(data.attributes.value(of: "sctp-port") == "5000")
        #expect(reordered.bundleGroups == [["0", "1", "2"]])
    }

    @Test func chromeRecvOnly() throws {
        let offer = try SessionDescription.parse(Fixtures.chromeRecvOnlyOffer)

        #expect(offer.media.map(\.direction) == [.recvonly, .recvonly])
        #expect(offer.media.map(\.port) == [57304, 57304])
        #expect(offer.media[0].msid == nil)
        #expect(offer.media[0].ssrcs.isEmpty)
        let mdns = offer.media[0].candidates[0]
        #expect(mdns.address == "6a1f2c3d-9b8e-4f7a-a1b2-c3d4e5f6a7b8.local")
        let srflx = offer.media[0].candidates[1]
        #expect(srflx.kind == .serverReflexive)
        #expect(srflx.relatedAddress == "0.0.0.0")
        #expect(srflx.relatedPort == 0)
        #expect(offer.media[1].codecs.map(\.name) == ["VP8", "rtx", "H264", "rtx", "AV1", "rtx"])
        #expect(offer.media[1].extensions.last?.uri == HeaderExtensionURI.dependencyDescriptor)
    }

    @Test func aiortcOrdering() throws {
        let offer = try SessionDescription.parse(Fixtures.aiortcOffer)

        #expect(offer.origin.sessionID == "3912442583")
        #expect(offer.bundleGroups == [["0", "1"]])
        let audio = offer.media[0]
        #expect(audio.port == 50123)
        #expect(audio.connection?.address == "192.168.1.30")
        #expect(audio.direction == .sendrecv)
        #expect(audio.codecs.map(\.name) == ["opus", "PCMU", "PCMA"])
        #expect(audio.codecs.map(\.clockRate) == [48000, 8000, 8000])
        #expect(audio.endOfCandidates)
        #expect(audio.fingerprints.map(\.algorithm) == ["sha-256", "sha-384"])
        #expect(offer.fingerprint(forMediaAt: 0)?.algorithm == "sha-256")
        #expect(
            audio.ssrcs == [
                SSRCAttribute(ssrc: 4_268_342_590, name: "cname", value: "8b4f2c1d-3e5a-4b6c-8d7e-9f0a1b2c3d4e")
            ])

        let video = offer.media[1]
        #expect(video.codecs.map(\.payloadType) == [97, 98, 99, 100, 101, 102])
        #expect(video.codec(payloadType: 97)?.rtxPayloadType == 98)
        #expect(video.codec(payloadType: 99)?.rtxPayloadType == 100)
        #expect(video.codec(payloadType: 101)?.rtxPayloadType == 102)
        #expect(video.codec(payloadType: 101)?.feedback == ["nack", "nack pli", "goog-remb"])
        #expect(video.ssrcGroups == [SSRCGroup(semantics: "FID", ssrcs: [954_418_203, 965_561_985])])
        #expect(video.iceUfrag == "hG5k")
        #expect(video.setup == .actpass)
    }

    @Test func firefoxSessionFallbacks() throws {
        let offer = try SessionDescription.parse(Fixtures.firefoxOffer)

        #expect(offer.origin.username == "mozilla...THIS_IS_SDPARTA-128.0")
        #expect(offer.fingerprint?.algorithm == "sha-256")
        #expect(offer.iceOptions == ["trickle"])
        #expect(offer.media[0].fingerprint == nil)
        #expect(offer.fingerprint(forMediaAt: 0) == offer.fingerprint)
        #expect(offer.iceUfrag(forMediaAt: 1) == "27ae41e4")
        #expect(offer.icePassword(forMediaAt: 2) == "e3b0c44298fc1c149afbf4c8996fb924")
        #expect(offer.setup(forMediaAt: 1) == .actpass)
        #expect(offer.extmapAllowMixed(forMediaAt: 0) == false)
    }

    @Test func firefoxMedia() throws {
        let offer = try SessionDescription.parse(Fixtures.firefoxOffer)
        let audio = offer.media[0]
        #expect(audio.codec(payloadType: 9)?.channels == 1)
        #expect(audio.codec(payloadType: 101)?.parameters == [FormatParameter("0-15", nil)])
        #expect(audio.codec(payloadType: 109)?.parameter("stereo") == "1")
        #expect(
            audio.extensions[1]
                == HeaderExtension(id: 2, uri: "urn:ietf:params:rtp-hdrext:csrc-audio-level", direction: .recvonly))

        let video = offer.media[1]
        #expect(video.codecs.map(\.name) == ["VP8", "rtx", "VP9", "rtx", "H264", "rtx", "H264", "rtx"])
        #expect(video.codec(payloadType: 120)?.rtxPayloadType == 124)
        #expect(video.codec(payloadType: 126)?.rtxPayloadType == 127)
        #expect(video.codec(payloadType: 97)?.parameter("packetization-mode") == nil)
        #expect(video.codec(payloadType: 120)?.feedback.count == 5)
        #expect(video.rids.map(\.id) == ["a", "b", "c"])
        #expect(video.simulcast?.send.map { $0.map(\.rid) } == [["a"], ["b"], ["c"]])
        #expect(video.simulcast?.receive == [])
        #expect(video.ssrcGroups.count == 3)
        #expect(offer.media[2].kind == .application)
        #expect(offer.media[2].direction == .sendrecv)
    }

    @Test func staticPayloadTypesWithoutRTPMap() throws {
        let text = Fixtures.crlf([
            "v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0",
            "m=audio 9 RTP/AVP 0 8 9 18 96 13",
        ])
        let audio = try SessionDescription.parse(text).media[0]

        #expect(audio.codecs.map(\.name) == ["PCMU", "PCMA", "G722", "G729", "CN"])
        #expect(audio.codecs.allSatisfy { $0.clockRate == 8000 })
        #expect(audio.formats.count == 6)
    }

    @Test func simulcastAlternativesAndPaused() throws {
        let simulcast = try Simulcast.parse("recv 1,2;~3 send 4", line: nil)

        #expect(
            simulcast.receive == [
                [SimulcastStream(rid: "1"), SimulcastStream(rid: "2")], [SimulcastStream(rid: "3", paused: true)],
            ])
        #expect(simulcast.send == [[SimulcastStream(rid: "4")]])
        #expect(simulcast.text == "send 4 recv 1,2;~3")
    }

    @Test func ridRestrictions() throws {
        let rid = try RIDDescription.parse("hi send pt=96,98;max-width=1280;max-height=720;max-fps=30", line: nil)

        #expect(rid.id == "hi")
        #expect(rid.direction == .send)
        #expect(rid.payloadTypes == [96, 98])
        #expect(rid.restrictions == ["max-width": "1280", "max-height": "720", "max-fps": "30"])
        #expect(rid.text == "hi send pt=96,98;max-fps=30;max-height=720;max-width=1280")
    }

    @Test func sessionDirectionAppliesToMedia() throws {
        let text = Fixtures.crlf([
            "v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=recvonly",
            "m=audio 9 UDP/TLS/RTP/SAVPF 0", "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 VP8/90000", "a=inactive",
        ])
        let offer = try SessionDescription.parse(text)

        #expect(offer.media.map(\.direction) == [.recvonly, .inactive])
    }

    @Test func bundleTagSuppliesTransport() throws {
        let text = Fixtures.crlf([
            "v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=group:BUNDLE a b",
            "m=audio 9 UDP/TLS/RTP/SAVPF 0", "a=mid:a", "a=ice-ufrag:uuuu", "a=ice-pwd:pppppppppppppppppppppp",
            "a=fingerprint:sha-256 00:11", "a=setup:actpass",
            "m=video 0 UDP/TLS/RTP/SAVPF 96", "a=mid:b", "a=bundle-only", "a=rtpmap:96 VP8/90000",
        ])
        let offer = try SessionDescription.parse(text)

        #expect(offer.media[1].isBundleOnly)
        #expect(!offer.media[1].isRejected)
        #expect(offer.iceUfrag(forMediaAt: 1) == "uuuu")
        #expect(offer.fingerprint(forMediaAt: 1)?.value == "00:11")
        #expect(offer.setup(forMediaAt: 1) == .actpass)
    }
}
