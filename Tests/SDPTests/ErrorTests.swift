import Testing

@testable import SDP

@Suite struct ErrorTests {
    static let header = ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0"]

    /// Each case: a description, the line the error names, and the message.
    static let cases: [(String, Int?, String)] = [
        ("", nil, "the description is empty, expected v=0"),
        ("o=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", 1, "the description must start with v=0"),
        ("v=1\r\n", 1, "unsupported SDP version '1', expected 0"),
        ("v=0\r\ns=-\r\nt=0 0\r\n", nil, "the o= line is missing"),
        ("v=0\r\nhello\r\n", 2, "expected '<type>=<value>', got 'hello'"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\r\r\n", 2, "the line contains a carriage return or NUL character"),
        ("v=0\r\ns=a\u{0}b\r\n", 2, "the line contains a carriage return or NUL character"),
        (
            "v=0\r\no=- 1 1 IN IP4\r\n", 2,
            "o= must have 6 fields '<username> <sess-id> <sess-version> IN IP4 <address>', got '- 1 1 IN IP4'"
        ),
        (Fixtures.crlf(header + ["m=video"]), 5, "m= must be '<media> <port> <proto> <format> ...', got 'video'"),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF"]), 5,
            "m= must be '<media> <port> <proto> <format> ...', got 'video 9 UDP/TLS/RTP/SAVPF'"
        ),
        (
            Fixtures.crlf(header + ["m=video nine UDP/TLS/RTP/SAVPF 96"]), 5,
            "m= port 'nine' is not a number from 0 to 65535"
        ),
        (
            Fixtures.crlf(header + ["m=video 70000 UDP/TLS/RTP/SAVPF 96"]), 5,
            "m= port '70000' is not a number from 0 to 65535"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF VP8"]), 5,
            "m= format 'VP8' is not an RTP payload type from 0 to 127"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 200"]), 5,
            "m= format '200' is not an RTP payload type from 0 to 127"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:abc VP8/90000"]), 6,
            "rtpmap payload type 'abc' is not a number from 0 to 127"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 VP8/fast"]), 6,
            "rtpmap clock rate 'fast' for payload type 96 is not a positive number"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 VP8"]), 6,
            "rtpmap for payload type 96 must be '<name>/<clock rate>[/<channels>]', got 'VP8'"
        ),
        (
            Fixtures.crlf(header + ["m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=rtpmap:111 opus/48000/x"]), 6,
            "rtpmap channel count 'x' for payload type 111 is not a number from 1 to 255"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=fmtp:-1 apt=96"]), 6,
            "fmtp payload type '-1' is not a number from 0 to 127"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtcp-fb:x nack"]), 6,
            "rtcp-fb payload type 'x' is not a number from 0 to 127"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtcp-fb:*00 nack"]), 6,
            "rtcp-fb payload type '*00' is not a number from 0 to 127"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtcp-fb:96"]), 6,
            "rtcp-fb '96' has no feedback type"
        ),
        (Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid"]), 6, "a=mid requires a value"),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=setup:sideways"]), 6,
            "setup 'sideways' is not active, passive, actpass or holdconn"
        ),
        (
            Fixtures.crlf(header + ["a=fingerprint:sha-256"]), 5,
            "fingerprint must be '<hash-function> <hex value>', got 'sha-256'"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=extmap:0 urn:x"]), 6,
            "extmap id '0' is not a number from 1 to 255"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=extmap:1/up urn:x"]), 6,
            "extmap direction 'up' is not sendrecv, sendonly, recvonly or inactive"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=extmap:1 urn:x", "a=extmap:1 urn:y"]), 7,
            "extmap id 1 is used for both urn:x and urn:y"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=ssrc:12x cname:a"]), 6,
            "ssrc '12x' is not a 32-bit unsigned number"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=ssrc:4294967296 cname:a"]), 6,
            "ssrc '4294967296' is not a 32-bit unsigned number"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=ssrc-group:FID 1 two"]), 6,
            "ssrc-group member 'two' is not a 32-bit unsigned number"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rid:q sideways"]), 6,
            "rid direction 'sideways' is not send or recv"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rid:q! send"]), 6,
            "rid id 'q!' must contain only letters, digits, '-' and '_'"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rid:q send pt=x"]), 6,
            "rid pt 'x' is not a payload type from 0 to 127"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=simulcast:up q"]), 6,
            "simulcast direction 'up' must be send or recv, each at most once"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=simulcast:send q;;f"]), 6,
            "simulcast rid '' is not a valid rid id"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=candidate:1 1 udp 1 10.0.0.1 9"]), 6,
            "candidate must have at least 8 fields ending in 'typ <type>', got '1 1 udp 1 10.0.0.1 9'"
        ),
        (
            Fixtures.crlf(
                header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=candidate:1 1 udp 1 10.0.0.1 99999 typ host"]), 6,
            "candidate port '99999' is not a number from 0 to 65535"
        ),
        (
            Fixtures.crlf(
                header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=candidate:1 1 udp 1 10.0.0.1 9 typ host generation"]), 6,
            "candidate extension 'generation' has no value"
        ),
        (
            Fixtures.crlf(
                header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "a=candidate:1 1 tcp 1 10.0.0.1 9 typ host tcptype lazy"]),
            6, "candidate tcptype 'lazy' is not active, passive or so"
        ),
        (
            Fixtures.crlf(header + ["m=video 9 UDP/TLS/RTP/SAVPF 96", "s=again"]), 6,
            "'s=' is not allowed in a media section"
        ),
        (Fixtures.crlf(header + ["b=AS:lots"]), 5, "bandwidth 'lots' is not a non-negative number"),
        (
            Fixtures.crlf(header + ["m=audio 9 RTP/AVP 0", "a=mid:x", "m=video 9 RTP/AVP 26", "a=mid:x"]), nil,
            "mid 'x' is used by more than one media section"
        ),
        (
            Fixtures.crlf(header + ["a=group:BUNDLE 0 1", "m=audio 9 RTP/AVP 0", "a=mid:0"]), nil,
            "BUNDLE group names mid '1', which no media section has"
        ),
    ]

    @Test(arguments: cases)
    func brokenDescription(text: String, line: Int?, message: String) {
        #expect(throws: SDPError(line: line, message)) {
            try SessionDescription.parse(text)
        }
    }

    @Test func longValueIsCutInMessage() throws {
        let long = String(repeating: "9", count: 5000)
        let text = Fixtures.crlf(Self.header + ["m=video \(long) UDP/TLS/RTP/SAVPF 96"])

        let error = try #require(throws: SDPError.self) { try SessionDescription.parse(text) }
        #expect(error.message == "m= port '\(String(repeating: "9", count: 77))...' is not a number from 0 to 65535")
    }

    @Test func errorDescriptionNamesLine() {
        #expect(
            SDPError(line: 6, "a=mid requires a value").description == "invalid SDP at line 6: a=mid requires a value")
        #expect(SDPError("the o= line is missing").description == "invalid SDP: the o= line is missing")
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func everyLineTruncation(name: String) {
        let text = Fixtures.all.first { $0.name == name }!.text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for count in 0...lines.count {
            let prefix = lines.prefix(count).joined(separator: "\n")
            exerciseWithoutCrashing(prefix)
        }
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func everyByteTruncation(name: String) {
        let bytes = Array(Fixtures.all.first { $0.name == name }!.text.utf8)
        for count in 0...bytes.count {
            exerciseWithoutCrashing(String(decoding: bytes.prefix(count), as: UTF8.self), answering: false)
        }
    }

    /// Parses the text and, when that succeeds, serializes it and, with `answering`, makes answers
    /// in both roles. Any outcome other than a trap is acceptable, but only `SDPError` may be thrown.
    private func exerciseWithoutCrashing(_ text: String, answering: Bool = true) {
        let offer: SessionDescription
        do {
            offer = try SessionDescription.parse(text)
        } catch {
            #expect(error is SDPError)
            return
        }
        _ = offer.serialize()
        guard answering else { return }
        let track = OutgoingTrack(ssrc: 1, rtxSSRC: 2, cname: "c", streamID: "s", trackID: "t")
        for role in [AnswerRole.receiveFromClient, .sendToClient([track, track, track])] {
            do {
                let result = try makeAnswer(to: offer, role: role, options: Fixtures.chorusOptions)
                _ = result.answer.serialize()
            } catch {
                #expect(error is SDPError)
            }
        }
    }
}
