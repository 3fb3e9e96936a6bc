import Testing

@testable import Forwarding

@Suite struct KeyframeDetectorTests {
    static func detect(
        _ detector: inout KeyframeDetector,
        _ payload: [UInt8],
        timestamp: UInt32 = 0,
        dependencyDescriptor: [UInt8]? = nil
    ) -> Bool {
        payload.withUnsafeBytes { payloadBytes in
            if let dependencyDescriptor {
                return dependencyDescriptor.withUnsafeBytes {
                    detector.isKeyframeStart(payload: payloadBytes, timestamp: timestamp, dependencyDescriptor: $0)
                }
            }
            return detector.isKeyframeStart(payload: payloadBytes, timestamp: timestamp, dependencyDescriptor: nil)
        }
    }

    /// VP8 descriptor with S=1 and partition 0, then a key frame tag and the start code 9D 01 2A.
    static let vp8KeyFrame: [UInt8] = [0x10, 0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]
    /// The same with the tag's inverse key frame bit set: an interframe.
    static let vp8DeltaFrame: [UInt8] = [0x10, 0x51, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02]

    /// STAP-A with a 10-byte SPS, a 4-byte PPS and the first bytes of an IDR slice.
    static let h264StapA: [UInt8] =
        [0x78]
        + [0x00, 0x0A, 0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xEC, 0x04]
        + [0x00, 0x04, 0x68, 0xCE, 0x3C, 0x80]
        + [0x00, 0x05, 0x65, 0x88, 0x84, 0x00, 0x33]
    static let h264SPS: [UInt8] = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xEC, 0x04]
    static let h264PPS: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]
    /// FU-A (type 28, NRI 3) with S=1 starting an IDR slice (type 5).
    static let h264IDRFragmentStart: [UInt8] = [0x7C, 0x85, 0x88, 0x84, 0x00]
    static let h264IDRFragmentMiddle: [UInt8] = [0x7C, 0x05, 0x11, 0x22]
    static let h264NonIDRSlice: [UInt8] = [0x41, 0x9A, 0x00]

    /// VP9 descriptor: I, B and E set, P clear, picture ID 0x12, then payload.
    static let vp9KeyFrame: [UInt8] = [0x8C, 0x12, 0x00]
    static let vp9DeltaFrame: [UInt8] = [0xCC, 0x12, 0x00]

    /// AV1 aggregation header with N=1 and W=1, then a sequence header OBU.
    static let av1KeyFrame: [UInt8] = [0x18, 0x08, 0x00]
    static let av1DeltaFrame: [UInt8] = [0x10, 0x30, 0x00]

    /// Dependency descriptors: S=1 with the structure flag, S=1 without it, S=0 with it.
    static let ddKeyFrame: [UInt8] = [0x80, 0x00, 0x01, 0x80, 0x00]
    static let ddDeltaFrame: [UInt8] = [0x80, 0x00, 0x02, 0x00]
    static let ddKeyFrameContinuation: [UInt8] = [0x00, 0x00, 0x01, 0x80, 0x00]
    static let ddMandatoryOnly: [UInt8] = [0x80, 0x00, 0x03]

    @Test func codecFromEncodingName() {
        #expect(VideoCodec(encodingName: "VP8") == .vp8)
        #expect(VideoCodec(encodingName: "vp9") == .vp9)
        #expect(VideoCodec(encodingName: "H264") == .h264)
        #expect(VideoCodec(encodingName: "AV1") == .av1)
        #expect(VideoCodec(encodingName: "opus") == .other)
    }

    @Test func vp8KeyFrameIsDetected() {
        var detector = KeyframeDetector(codec: .vp8, isEndToEndEncrypted: false)
        #expect(Self.detect(&detector, Self.vp8KeyFrame))
        #expect(Self.detect(&detector, Self.vp8DeltaFrame) == false)
    }

    @Test func h264StapAWithShortSPSIsDetected() {
        var detector = KeyframeDetector(codec: .h264, isEndToEndEncrypted: false)
        #expect(Self.detect(&detector, Self.h264StapA, timestamp: 3000))
    }

    @Test func h264ParameterSetsBeforeIDRStartTheKeyframe() {
        var detector = KeyframeDetector(codec: .h264, isEndToEndEncrypted: false)
        #expect(Self.detect(&detector, Self.h264SPS, timestamp: 3000))
        #expect(Self.detect(&detector, Self.h264PPS, timestamp: 3000) == false)
        #expect(Self.detect(&detector, Self.h264IDRFragmentStart, timestamp: 3000) == false)
        #expect(Self.detect(&detector, Self.h264IDRFragmentMiddle, timestamp: 3000) == false)
        #expect(Self.detect(&detector, Self.h264NonIDRSlice, timestamp: 6000) == false)
    }

    @Test func h264IDRWithoutParameterSetsIsDetected() {
        var detector = KeyframeDetector(codec: .h264, isEndToEndEncrypted: false)
        #expect(Self.detect(&detector, Self.h264IDRFragmentStart, timestamp: 3000))
        #expect(Self.detect(&detector, Self.h264IDRFragmentMiddle, timestamp: 3000) == false)
        #expect(Self.detect(&detector, Self.h264IDRFragmentStart, timestamp: 9000))
    }

    @Test func vp9AndAV1KeyFramesAreDetected() {
        var vp9 = KeyframeDetector(codec: .vp9, isEndToEndEncrypted: false)
        #expect(Self.detect(&vp9, Self.vp9KeyFrame))
        #expect(Self.detect(&vp9, Self.vp9DeltaFrame) == false)
        var av1 = KeyframeDetector(codec: .av1, isEndToEndEncrypted: false)
        #expect(Self.detect(&av1, Self.av1KeyFrame))
        #expect(Self.detect(&av1, Self.av1DeltaFrame) == false)
    }

    @Test func dependencyDescriptorDecides() {
        var detector = KeyframeDetector(codec: .vp8, isEndToEndEncrypted: false)
        #expect(Self.detect(&detector, Self.vp8DeltaFrame, dependencyDescriptor: Self.ddKeyFrame))
        #expect(Self.detect(&detector, Self.vp8KeyFrame, dependencyDescriptor: Self.ddDeltaFrame) == false)
        #expect(Self.detect(&detector, [], dependencyDescriptor: Self.ddKeyFrameContinuation) == false)
        #expect(Self.detect(&detector, [], dependencyDescriptor: Self.ddMandatoryOnly) == false)
    }

    @Test func encryptedTrackNeverReadsPayload() {
        var detector = KeyframeDetector(codec: .vp8, isEndToEndEncrypted: true)
        #expect(Self.detect(&detector, Self.vp8KeyFrame) == false)
        #expect(Self.detect(&detector, Self.vp8KeyFrame, dependencyDescriptor: Self.ddKeyFrame))
        var h264 = KeyframeDetector(codec: .h264, isEndToEndEncrypted: true)
        #expect(Self.detect(&h264, Self.h264StapA) == false)
    }

    @Test func unknownCodecNeedsDescriptor() {
        var detector = KeyframeDetector(codec: .other, isEndToEndEncrypted: false)
        #expect(Self.detect(&detector, Self.vp8KeyFrame) == false)
        #expect(Self.detect(&detector, [], dependencyDescriptor: Self.ddKeyFrame))
    }

    static let fixtures: [(VideoCodec, [UInt8])] = [
        (.vp8, vp8KeyFrame), (.h264, h264StapA), (.h264, h264IDRFragmentStart), (.vp9, vp9KeyFrame),
        (.av1, av1KeyFrame), (.other, []),
    ]

    @Test(arguments: 0..<6)
    func everyTruncationFailsCleanly(_ index: Int) {
        let (codec, payload) = Self.fixtures[index]
        for length in 0..<payload.count {
            var detector = KeyframeDetector(codec: codec, isEndToEndEncrypted: false)
            _ = Self.detect(&detector, Array(payload.prefix(length)))
        }
        for length in 0..<Self.ddKeyFrame.count {
            var detector = KeyframeDetector(codec: codec, isEndToEndEncrypted: true)
            let detected = Self.detect(&detector, payload, dependencyDescriptor: Array(Self.ddKeyFrame.prefix(length)))
            #expect(detected == (length > 3))
        }
    }
}
