import Testing

@testable import SDP

@Suite struct CodecMatchingTests {
    static func h264(_ profileLevelID: String?, mode: String? = "1") -> Codec {
        var parameters: [FormatParameter] = []
        if let mode { parameters.append(FormatParameter("packetization-mode", mode)) }
        if let profileLevelID { parameters.append(FormatParameter("profile-level-id", profileLevelID)) }
        return Codec(payloadType: 102, name: "H264", clockRate: 90000, parameters: parameters)
    }

    static func h264Capability(_ profileLevelID: String) -> CodecCapability {
        CodecCapability(
            kind: .video, name: "H264", clockRate: 90000,
            parameters: [
                FormatParameter("packetization-mode", "1"), FormatParameter("profile-level-id", profileLevelID),
            ])
    }

    /// profile-level-id values and the profile RFC 6184 table 5 assigns them.
    @Test(arguments: [
        ("42e01f", H264ProfileLevelID.Profile.constrainedBaseline),
        ("42c01f", .constrainedBaseline),
        ("424015", .constrainedBaseline),
        ("4d801f", .constrainedBaseline),
        ("58c01f", .constrainedBaseline),
        ("42001f", .baseline),
        ("42a01f", .baseline),
        ("58801f", .baseline),
        ("4d001f", .main),
        ("4d401f", .main),
        ("640032", .high),
        ("640c1f", .constrainedHigh),
        ("f4001f", .predictiveHigh444),
    ])
    func h264ProfileClassification(text: String, profile: H264ProfileLevelID.Profile) throws {
        let parsed = try #require(H264ProfileLevelID(text))

        #expect(parsed.profile == profile)
        #expect(parsed.text == text)
    }

    @Test(arguments: ["", "42e01", "42e01f0", "zz0000", "-2e01f", "+2e01f"])
    func h264ProfileLevelIDRejectsInvalid(text: String) {
        #expect(H264ProfileLevelID(text) == nil)
    }

    @Test func h264UnclassifiedMatchesOnlyItself() throws {
        let odd = try #require(H264ProfileLevelID("6e001f"))

        #expect(odd.profile == nil)
        #expect(odd.hasSameProfile(as: try #require(H264ProfileLevelID("6e0028"))))
        #expect(!odd.hasSameProfile(as: try #require(H264ProfileLevelID("6e101f"))))
    }

    /// (offered profile-level-id, offered packetization-mode, capability profile-level-id, match)
    @Test(arguments: [
        ("42e01f", "1", "42e01f", true),
        ("42e034", "1", "42e01f", true),
        ("42c01f", "1", "42e01f", true),
        ("4d801f", "1", "42e01f", true),
        ("4d401f", "1", "42e01f", false),
        ("42001f", "1", "42e01f", false),
        ("640032", "1", "42e01f", false),
        ("640c1f", "1", "640032", false),
        ("42e01f", "0", "42e01f", false),
        ("garbage", "1", "42e01f", false),
    ])
    func h264Compatibility(offered: String, mode: String, capability: String, matches: Bool) {
        let codec = Self.h264(offered, mode: mode)

        #expect(Self.h264Capability(capability).matches(codec, kind: .video) == matches)
    }

    @Test func h264MissingParametersUseDefaults() {
        let bare = Self.h264(nil, mode: nil)

        #expect(!CodecCapability.h264.matches(bare, kind: .video))
        #expect(Self.h264Capability("42000a").matches(Self.h264(nil), kind: .video))
        #expect(!Self.h264Capability("42e01f").matches(Self.h264(nil), kind: .video))
    }

    @Test func h264DefaultCapabilityAcceptsAnyProfile() {
        for text in ["42e01f", "42001f", "4d001f", "640032", "f4001f"] {
            #expect(CodecCapability.h264.matches(Self.h264(text), kind: .video), "\(text)")
        }
    }

    @Test(arguments: [(nil, true), ("0", true), ("2", false), ("1", false)] as [(String?, Bool)])
    func vp9ProfileID(profileID: String?, matches: Bool) {
        let parameters = profileID.map { [FormatParameter("profile-id", $0)] } ?? []
        let codec = Codec(payloadType: 98, name: "VP9", clockRate: 90000, parameters: parameters)

        #expect(CodecCapability.vp9.matches(codec, kind: .video) == matches)
    }

    @Test(arguments: [(nil, true), ("0", true), ("1", false)] as [(String?, Bool)])
    func av1Profile(profile: String?, matches: Bool) {
        let parameters = profile.map { [FormatParameter("profile", $0)] } ?? []
        let codec = Codec(payloadType: 45, name: "AV1", clockRate: 90000, parameters: parameters)

        #expect(CodecCapability.av1.matches(codec, kind: .video) == matches)
    }

    @Test func namesCompareIgnoringCase() {
        #expect(CodecCapability.vp8.matches(Codec(payloadType: 96, name: "vp8", clockRate: 90000), kind: .video))
        #expect(
            CodecCapability.opus.matches(
                Codec(payloadType: 111, name: "OPUS", clockRate: 48000, channels: 2), kind: .audio))
    }

    @Test func clockRateChannelsAndKindMustMatch() {
        #expect(!CodecCapability.opus.matches(Codec(payloadType: 111, name: "opus", clockRate: 48000), kind: .audio))
        #expect(
            !CodecCapability.opus.matches(
                Codec(payloadType: 111, name: "opus", clockRate: 16000, channels: 2), kind: .audio))
        #expect(
            !CodecCapability.opus.matches(
                Codec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2), kind: .video))
        #expect(!CodecCapability.vp8.matches(Codec(payloadType: 96, name: "VP8", clockRate: 48000), kind: .video))
        let pcmu = CodecCapability(kind: .audio, name: "PCMU", clockRate: 8000)
        #expect(pcmu.matches(Codec(payloadType: 0, name: "PCMU", clockRate: 8000, channels: 1), kind: .audio))
    }

    @Test func capabilityMatchingPublisherCodec() throws {
        let publisher = Self.h264("42e01f")
        let capability = CodecCapability(matching: publisher, kind: .video)

        #expect(capability.matches(Self.h264("42e034"), kind: .video))
        #expect(!capability.matches(Self.h264("640032"), kind: .video))
        #expect(!capability.matches(Self.h264("42e01f", mode: "0"), kind: .video))

        let withoutProfile = CodecCapability(matching: Self.h264(nil), kind: .video)
        #expect(withoutProfile.parameter("profile-level-id") == "42000a")
        #expect(!withoutProfile.matches(Self.h264("640032"), kind: .video))
    }
}
