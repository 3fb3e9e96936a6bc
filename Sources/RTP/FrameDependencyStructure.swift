/// The template dependency structure of the AV1 dependency descriptor (AV1 RTP payload
/// specification, appendix A.4 and A.8.2), sent on key frames and referred to by the template
/// ID of later descriptors.
public struct FrameDependencyStructure: Equatable, Sendable {
    /// Maximum number of templates: the template ID has 6 bits.
    static let maxTemplates = 64

    /// Decode target indication of a frame for one decode target (appendix A.8.3).
    public enum DecodeTargetIndication: UInt8, Sendable {
        /// The frame is not part of the decode target.
        case notPresent = 0
        /// No later frame of the decode target depends on the frame.
        case discardable = 1
        /// A receiver can switch to the decode target at the frame.
        case switchIndication = 2
        /// The frame is needed to decode the decode target.
        case required = 3
    }

    /// The dependencies of a frame: those of its template, or custom ones from its descriptor.
    public struct FrameDependencies: Equatable, Sendable {
        public var spatialID: Int
        public var temporalID: Int
        /// One indication for each decode target.
        public var decodeTargetIndications: [DecodeTargetIndication]
        /// Differences between this frame number and the numbers of the frames it references.
        public var frameDiffs: [Int]
        /// For each chain, the difference to the previous frame in that chain, 0 for none.
        public var chainDiffs: [Int]
    }

    public struct RenderResolution: Equatable, Sendable {
        public var width: Int
        public var height: Int
    }

    /// Offset subtracted from a frame's template ID, modulo 64, to find its template.
    public var templateIDOffset: Int
    public var decodeTargetCount: Int
    public var chainCount: Int
    public var templates: [FrameDependencies]
    /// For each decode target, the chain that protects it.
    public var decodeTargetProtectedByChain: [Int]
    /// For each decode target, the highest spatial and temporal ID of its templates.
    public var decodeTargetLayers: [(spatialID: Int, temporalID: Int)]
    /// Render resolution of each spatial layer, when the structure carries them.
    public var resolutions: [RenderResolution]?

    public static func == (lhs: FrameDependencyStructure, rhs: FrameDependencyStructure) -> Bool {
        lhs.templateIDOffset == rhs.templateIDOffset && lhs.decodeTargetCount == rhs.decodeTargetCount
            && lhs.chainCount == rhs.chainCount && lhs.templates == rhs.templates
            && lhs.decodeTargetProtectedByChain == rhs.decodeTargetProtectedByChain
            && lhs.decodeTargetLayers.map(\.spatialID) == rhs.decodeTargetLayers.map(\.spatialID)
            && lhs.decodeTargetLayers.map(\.temporalID) == rhs.decodeTargetLayers.map(\.temporalID)
            && lhs.resolutions == rhs.resolutions
    }

    /// Returns the template for a frame's template ID, or nil when the ID is outside the structure.
    func template(forID templateID: Int) -> FrameDependencies? {
        let index = (templateID + Self.maxTemplates - templateIDOffset) % Self.maxTemplates
        return index < templates.count ? templates[index] : nil
    }

    /// Reads `template_dependency_structure()` (appendix A.4); returns nil when the bits run out
    /// or the structure has more than 64 templates.
    static func read(from reader: inout BitReader) -> FrameDependencyStructure? {
        guard let offset = reader.read(6), let decodeTargetsMinusOne = reader.read(5),
            var templates = readTemplateLayers(&reader)
        else { return nil }
        let decodeTargetCount = Int(decodeTargetsMinusOne) + 1

        for index in templates.indices {
            for _ in 0..<decodeTargetCount {
                guard let raw = reader.read(2), let indication = DecodeTargetIndication(rawValue: UInt8(raw)) else {
                    return nil
                }
                templates[index].decodeTargetIndications.append(indication)
            }
        }
        for index in templates.indices {
            while true {
                guard let follows = reader.readFlag() else { return nil }
                guard follows else { break }
                guard let diffMinusOne = reader.read(4) else { return nil }
                templates[index].frameDiffs.append(Int(diffMinusOne) + 1)
            }
        }

        guard let chainCount = reader.readNonSymmetric(UInt32(decodeTargetCount) + 1) else { return nil }
        var protectedBy: [Int] = []
        if chainCount > 0 {
            for _ in 0..<decodeTargetCount {
                guard let chain = reader.readNonSymmetric(chainCount) else { return nil }
                protectedBy.append(Int(chain))
            }
            for index in templates.indices {
                for _ in 0..<chainCount {
                    guard let diff = reader.read(4) else { return nil }
                    templates[index].chainDiffs.append(Int(diff))
                }
            }
        }

        var structure = FrameDependencyStructure(
            templateIDOffset: Int(offset),
            decodeTargetCount: decodeTargetCount,
            chainCount: Int(chainCount),
            templates: templates,
            decodeTargetProtectedByChain: protectedBy,
            decodeTargetLayers: decodeTargetLayers(templates, decodeTargetCount: decodeTargetCount),
            resolutions: nil
        )
        guard let hasResolutions = reader.readFlag() else { return nil }
        if hasResolutions {
            guard let resolutions = readResolutions(&reader, spatialLayers: (templates.last?.spatialID ?? 0) + 1) else {
                return nil
            }
            structure.resolutions = resolutions
        }
        return structure
    }

    /// Reads `template_layers()`: each template's spatial and temporal ID, as steps from the one before.
    private static func readTemplateLayers(_ reader: inout BitReader) -> [FrameDependencies]? {
        var templates: [FrameDependencies] = []
        var spatialID = 0
        var temporalID = 0
        while true {
            guard templates.count < maxTemplates else { return nil }
            templates.append(
                FrameDependencies(
                    spatialID: spatialID, temporalID: temporalID, decodeTargetIndications: [], frameDiffs: [],
                    chainDiffs: []))

            guard let nextLayer = reader.read(2) else { return nil }
            switch nextLayer {
            case 0:
                continue
            case 1:
                temporalID += 1
            case 2:
                temporalID = 0
                spatialID += 1
            default:
                return templates
            }
        }
    }

    private static func decodeTargetLayers(
        _ templates: [FrameDependencies],
        decodeTargetCount: Int
    ) -> [(spatialID: Int, temporalID: Int)] {
        (0..<decodeTargetCount).map { target in
            var spatialID = 0
            var temporalID = 0
            for template in templates where template.decodeTargetIndications[target] != .notPresent {
                spatialID = max(spatialID, template.spatialID)
                temporalID = max(temporalID, template.temporalID)
            }
            return (spatialID, temporalID)
        }
    }

    private static func readResolutions(_ reader: inout BitReader, spatialLayers: Int) -> [RenderResolution]? {
        var resolutions: [RenderResolution] = []
        for _ in 0..<spatialLayers {
            guard let widthMinusOne = reader.read(16), let heightMinusOne = reader.read(16) else { return nil }
            resolutions.append(RenderResolution(width: Int(widthMinusOne) + 1, height: Int(heightMinusOne) + 1))
        }
        return resolutions
    }
}
