import RTP
import Wire

/// The video codecs whose payload structure Chorus can read when a track is not end-to-end
/// encrypted.
public enum VideoCodec: Equatable, Sendable {
    case vp8
    case vp9
    case h264
    case av1
    /// A codec without a payload parser; only the dependency descriptor can mark its keyframes.
    case other

    /// Creates the codec of an SDP encoding name (RFC 8866 section 6.6), compared without case:
    /// "VP8", "VP9", "H264" or "AV1". Some senders use "AV1X", the name from before the AV1 RTP
    /// specification was final.
    public init(encodingName: String) {
        switch encodingName.uppercased() {
        case "VP8": self = .vp8
        case "VP9": self = .vp9
        case "H264": self = .h264
        case "AV1", "AV1X": self = .av1
        default: self = .other
        }
    }
}

/// Decides whether an RTP packet starts a keyframe, a point where a subscriber can start or
/// switch decoding.
///
/// With a dependency descriptor (AV1 RTP payload specification, appendix A) the decision reads
/// only the descriptor. A keyframe start begins a frame (S is 1) and carries the template
/// dependency structure, which senders attach to the first packet of each key frame. Without a
/// descriptor, and only when the track is not end-to-end encrypted, the decision reads the codec
/// payload:
///
/// - VP8 (RFC 7741 section 4.3): the first packet of partition 0 with the key frame bit and
///   start code of RFC 6386 section 9.1.
/// - VP9 (RFC 9628 section 4.2): the start of a frame that is not inter-picture predicted, on
///   spatial layer 0.
/// - H.264 (RFC 6184 section 5): the first packet of an access unit with an SPS or an IDR
///   slice. Parameter sets usually come in their own packets before the IDR slice, and the
///   decoder needs them, so the packet with the SPS is the start. An IDR slice counts only when
///   no SPS came earlier with the same timestamp.
/// - AV1 (AV1 RTP payload specification section 4.4): N is 1, the start of a coded video sequence.
///
/// An end-to-end encrypted track without a dependency descriptor has no detectable keyframes.
public struct KeyframeDetector {
    public let codec: VideoCodec
    public let isEndToEndEncrypted: Bool
    /// Timestamp of the latest H.264 access unit that started with an SPS.
    private var parameterSetTimestamp: UInt32?

    public init(codec: VideoCodec, isEndToEndEncrypted: Bool) {
        self.codec = codec
        self.isEndToEndEncrypted = isEndToEndEncrypted
    }

    /// Returns whether the packet with `payload` and `timestamp` starts a keyframe.
    ///
    /// - Parameter dependencyDescriptor: the value of the dependency descriptor extension
    ///   element, when the packet has one.
    public mutating func isKeyframeStart(
        payload: UnsafeRawBufferPointer,
        timestamp: UInt32,
        dependencyDescriptor: UnsafeRawBufferPointer?
    ) -> Bool {
        if let dependencyDescriptor {
            return Self.dependencyDescriptorStartsKeyframe(dependencyDescriptor)
        }
        guard !isEndToEndEncrypted else { return false }

        switch codec {
        case .vp8:
            return VP8PayloadDescriptor.parse(payload)?.isKeyFrame ?? false
        case .vp9:
            return VP9PayloadDescriptor.parse(payload)?.isKeyFrame ?? false
        case .av1:
            return AV1AggregationHeader.parse(payload)?.isKeyFrame ?? false
        case .h264:
            return h264StartsKeyframe(payload, timestamp: timestamp)
        case .other:
            return false
        }
    }

    /// Reads the S bit and the template dependency structure flag without parsing the rest.
    ///
    ///     byte 0: |S|E| template ID |   bytes 1-2: frame number
    ///     byte 3: |T|A|D|F|C| ...       T: template_dependency_structure_present_flag
    ///
    /// A three-byte descriptor has no extended fields, so it carries no structure.
    static func dependencyDescriptorStartsKeyframe(_ element: UnsafeRawBufferPointer) -> Bool {
        guard element.count > 3 else { return false }
        let startOfFrame = element[0] & 0x80 != 0
        let structurePresent = element[3] & 0x80 != 0
        return startOfFrame && structurePresent
    }

    private mutating func h264StartsKeyframe(_ payload: UnsafeRawBufferPointer, timestamp: UInt32) -> Bool {
        guard let parsed = H264Payload.parse(payload) else { return false }
        if parsed.contains(nalUnitType: H264Payload.NALUnitType.sequenceParameterSet) {
            let isNewAccessUnit = parameterSetTimestamp != timestamp
            parameterSetTimestamp = timestamp
            return isNewAccessUnit
        }
        guard parsed.isKeyFrame else { return false }
        return parameterSetTimestamp != timestamp
    }
}
