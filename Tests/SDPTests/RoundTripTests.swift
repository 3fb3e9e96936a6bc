import Testing

@testable import SDP

@Suite struct RoundTripTests {
    /// Drops the raw attribute copies that typed fields cover, leaving what serialization keeps.
    static func semanticContent(_ description: SessionDescription) -> SessionDescription {
        var copy = description
        copy.attributes = description.attributes.filter {
            !SessionDescription.modeledNames.contains($0.name)
                && !($0.name == "group" && $0.value?.hasPrefix("BUNDLE") == true)
        }
        for index in copy.media.indices {
            let media = copy.media[index]
            copy.media[index].attributes = media.attributes.filter { !media.isModeled($0) }
        }
        return copy
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func serializeThenParseKeepsContent(name: String) throws {
        let original = try SessionDescription.parse(Fixtures.all.first { $0.name == name }!.text)
        let text = original.serialize()
        let reparsed = try SessionDescription.parse(text)

        #expect(Self.semanticContent(reparsed) == Self.semanticContent(original))
        #expect(reparsed.serialize() == text)
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func serializeUsesCRLF(name: String) throws {
        let text = try SessionDescription.parse(Fixtures.all.first { $0.name == name }!.text).serialize()

        #expect(text.hasPrefix("v=0\r\no="))
        #expect(text.hasSuffix("\r\n"))
        let scalars = Array(text.unicodeScalars)
        let bareLineFeeds = scalars.indices.filter { scalars[$0] == "\n" && ($0 == 0 || scalars[$0 - 1] != "\r") }
        #expect(bareLineFeeds.isEmpty)
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func lineEndingsDoNotMatter(name: String) throws {
        let text = Fixtures.all.first { $0.name == name }!.text
        let lf = String(text.unicodeScalars.filter { $0 != "\r" }.map(Character.init))
        let crlf = lf.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")

        #expect(try SessionDescription.parse(lf) == SessionDescription.parse(crlf))
    }

    @Test func unknownAttributesAreKept() throws {
        let text = Fixtures.crlf([
            "v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "i=session info", "t=0 0", "a=x-session-thing:42",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 112", "b=AS:64", "a=rtpmap:111 opus/48000/2", "a=x-media-flag",
            "a=rtpmap:113 orphan/8000", "a=rtcp-fb:* nack",
        ])
        let parsed = try SessionDescription.parse(text)
        let output = parsed.serialize()

        #expect(parsed.otherLines == [SDPLine(type: "i", value: "session info")])
        #expect(parsed.media[0].bandwidths == [Bandwidth(type: "AS", value: 64)])
        #expect(parsed.media[0].codecs.map(\.payloadType) == [111])
        #expect(parsed.media[0].codecs[0].feedback == ["nack"])
        #expect(output.contains("i=session info\r\n"))
        #expect(output.contains("a=x-session-thing:42\r\n"))
        #expect(output.contains("a=x-media-flag\r\n"))
        #expect(output.contains("b=AS:64\r\n"))
        #expect(output.contains("a=rtpmap:113 orphan/8000\r\n"))
        #expect(output.contains("a=rtcp-fb:111 nack\r\n"))
        #expect(!output.contains("a=rtcp-fb:*"))
    }

    @Test func typedFieldChangesAppearInOutput() throws {
        var offer = try SessionDescription.parse(Fixtures.chromeSimulcastOffer)
        offer.media[1].direction = .inactive
        offer.media[1].rids = []
        offer.media[1].simulcast = nil
        let output = offer.serialize()

        #expect(output.contains("a=mid:1\r\n"))
        #expect(!output.contains("a=simulcast"))
        #expect(!output.contains("a=rid:"))
        #expect(try SessionDescription.parse(output).media[1].direction == .inactive)
    }
}
