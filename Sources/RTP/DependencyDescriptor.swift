/// The AV1 dependency descriptor header extension (AV1 RTP payload specification, appendix A),
/// URI `https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension`.
///
/// It describes a frame's place in a scalable stream without reading the payload, so an SFU can
/// select layers of an end-to-end encrypted stream. The first three bytes are mandatory:
///
///      0                   1                   2
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |S|E|  template ID  |          frame number         |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Longer descriptors carry flags, optionally a template dependency structure (on key frames),
/// an active decode target bitmask, and frame dependencies that override the template's.
public struct DependencyDescriptor: Equatable, Sendable {
    public var startOfFrame: Bool
    public var endOfFrame: Bool
    /// Template ID, 0-63; with the structure's offset it selects the frame's template.
    public var templateID: Int
    /// Frame number, which wraps after 65535.
    public var frameNumber: UInt16
    /// The structure sent in this descriptor, which later descriptors refer to.
    public var structure: FrameDependencyStructure?
    /// Bit i is set when decode target i is active. Nil when the descriptor carries no bitmask,
    /// so the previous bitmask still applies.
    public var activeDecodeTargets: UInt32?
    /// The frame's dependencies, or nil when no structure was known to resolve them.
    public var frameDependencies: FrameDependencyStructure.FrameDependencies?

    /// Parses `element`. `structure` is the latest structure received on the stream; a structure
    /// in `element` takes its place.
    ///
    /// Returns nil when the element is shorter than its fields, or when the template ID has no
    /// template in the structure. When the descriptor needs a structure and none is known, the
    /// mandatory fields are returned and `frameDependencies` is nil.
    public static func parse(_ element: UnsafeRawBufferPointer, structure: FrameDependencyStructure?)
        -> DependencyDescriptor?
    {
        var reader = BitReader(element)
        guard let startOfFrame = reader.readFlag(), let endOfFrame = reader.readFlag(),
            let templateID = reader.read(6), let frameNumber = reader.read(16)
        else { return nil }

        var descriptor = DependencyDescriptor(
            startOfFrame: startOfFrame,
            endOfFrame: endOfFrame,
            templateID: Int(templateID),
            frameNumber: UInt16(truncatingIfNeeded: frameNumber),
            structure: nil,
            activeDecodeTargets: nil,
            frameDependencies: nil
        )
        var flags = ExtendedFlags()
        var current = structure
        if element.count > 3 {
            guard let extended = ExtendedFlags.read(from: &reader) else { return nil }
            flags = extended
            if flags.structurePresent {
                guard let received = FrameDependencyStructure.read(from: &reader) else { return nil }
                descriptor.structure = received
                descriptor.activeDecodeTargets = allTargets(received.decodeTargetCount)
                current = received
            }
            if flags.activeDecodeTargetsPresent {
                guard let known = current, let bitmask = reader.read(known.decodeTargetCount) else {
                    return current == nil ? descriptor : nil
                }
                descriptor.activeDecodeTargets = bitmask
            }
        }

        guard let known = current else { return descriptor }
        guard var dependencies = known.template(forID: Int(templateID)),
            readCustomDependencies(&reader, flags, known, into: &dependencies)
        else { return nil }
        descriptor.frameDependencies = dependencies
        return descriptor
    }

    private struct ExtendedFlags {
        var structurePresent = false
        var activeDecodeTargetsPresent = false
        var customDecodeTargetIndications = false
        var customFrameDiffs = false
        var customChains = false

        static func read(from reader: inout BitReader) -> ExtendedFlags? {
            guard let bits = reader.read(5) else { return nil }
            return ExtendedFlags(
                structurePresent: bits & 0x10 != 0,
                activeDecodeTargetsPresent: bits & 0x08 != 0,
                customDecodeTargetIndications: bits & 0x04 != 0,
                customFrameDiffs: bits & 0x02 != 0,
                customChains: bits & 0x01 != 0
            )
        }
    }

    private static func allTargets(_ count: Int) -> UInt32 {
        count >= 32 ? UInt32.max : (UInt32(1) << count) - 1
    }

    /// Reads `frame_dtis()`, `frame_fdiffs()` and `frame_chains()` (appendix A.4) for the parts
    /// that the flags mark as overriding the template.
    private static func readCustomDependencies(
        _ reader: inout BitReader,
        _ flags: ExtendedFlags,
        _ structure: FrameDependencyStructure,
        into dependencies: inout FrameDependencyStructure.FrameDependencies
    ) -> Bool {
        if flags.customDecodeTargetIndications {
            dependencies.decodeTargetIndications = []
            for _ in 0..<structure.decodeTargetCount {
                guard let raw = reader.read(2),
                    let indication = FrameDependencyStructure.DecodeTargetIndication(rawValue: UInt8(raw))
                else { return false }
                dependencies.decodeTargetIndications.append(indication)
            }
        }
        if flags.customFrameDiffs {
            dependencies.frameDiffs = []
            while true {
                guard let size = reader.read(2) else { return false }
                guard size != 0 else { break }
                guard let diffMinusOne = reader.read(4 * Int(size)) else { return false }
                dependencies.frameDiffs.append(Int(diffMinusOne) + 1)
            }
        }
        if flags.customChains {
            dependencies.chainDiffs = []
            for _ in 0..<structure.chainCount {
                guard let diff = reader.read(8) else { return false }
                dependencies.chainDiffs.append(Int(diff))
            }
        }
        return true
    }
}
