import Wire

/// The VP9 payload descriptor (RFC 9628 section 4.2), read from the start of an unencrypted
/// VP9 RTP payload.
///
///          0 1 2 3 4 5 6 7
///         +-+-+-+-+-+-+-+-+
///         |I|P|L|F|B|E|V|Z| (required)
///         +-+-+-+-+-+-+-+-+
///     I:  |M| PICTURE ID  | (a second byte when M is 1)
///         +-+-+-+-+-+-+-+-+
///     L:  | TID |U| SID |D|
///         +-+-+-+-+-+-+-+-+
///         |   TL0PICIDX   | (when L is 1 and F is 0)
///         +-+-+-+-+-+-+-+-+
///     P,F:| P_DIFF      |N| (up to 3 times, while N is 1)
///         +-+-+-+-+-+-+-+-+
///     V:  | SS ...        | scalability structure (section 4.2.1)
public struct VP9PayloadDescriptor: Equatable, Sendable {
    static let maxReferenceCount = 3

    public struct Resolution: Equatable, Sendable {
        public var width: Int
        public var height: Int
    }

    /// P: the picture is predicted from earlier pictures.
    public var interPicturePredicted: Bool
    /// F: flexible mode, where references are listed in each packet.
    public var flexibleMode: Bool
    /// B: the packet starts a frame.
    public var startOfFrame: Bool
    /// E: the packet ends a frame.
    public var endOfFrame: Bool
    /// Z: the frame is not used as a reference by the next spatial layer.
    public var notReferenceForUpperLayer: Bool
    public var pictureID: UInt16?
    public var temporalLayerIndex: UInt8?
    /// U: switching up to this temporal layer is possible here.
    public var switchingUpPoint: Bool
    public var spatialLayerIndex: UInt8?
    /// D: the frame depends on the lower spatial layer of the same picture.
    public var interLayerDependency: Bool
    public var tl0PictureIndex: UInt8?
    /// Picture ID differences to the referenced pictures, in flexible mode.
    public var referenceDiffs: [UInt8]
    /// Resolution of each spatial layer, when the scalability structure carries them.
    public var spatialLayerResolutions: [Resolution]?
    /// Length of the descriptor; the VP9 payload starts here.
    public var headerLength: Int

    /// Whether the packet starts a key frame: the start of a frame that is not inter-picture
    /// predicted, on the base spatial layer.
    public var isKeyFrame: Bool {
        startOfFrame && !interPicturePredicted && (spatialLayerIndex ?? 0) == 0
    }

    /// Parses the descriptor at the start of `payload`. Returns nil when the payload ends inside
    /// the descriptor, lists more than three references, or has no VP9 data after it.
    public static func parse(_ payload: UnsafeRawBufferPointer) -> VP9PayloadDescriptor? {
        guard let first = payload.first else { return nil }
        var descriptor = VP9PayloadDescriptor(
            interPicturePredicted: first & 0x40 != 0, flexibleMode: first & 0x10 != 0, startOfFrame: first & 0x08 != 0,
            endOfFrame: first & 0x04 != 0, notReferenceForUpperLayer: first & 0x01 != 0, pictureID: nil,
            temporalLayerIndex: nil, switchingUpPoint: false, spatialLayerIndex: nil, interLayerDependency: false,
            tl0PictureIndex: nil, referenceDiffs: [], spatialLayerResolutions: nil, headerLength: 1)
        var reader = ByteReader(payload, offset: 1)

        if first & 0x80 != 0 {
            guard let high = reader.readUInt8() else { return nil }
            if high & 0x80 != 0 {
                guard let low = reader.readUInt8() else { return nil }
                descriptor.pictureID = UInt16(high & 0x7F) << 8 | UInt16(low)
            } else {
                descriptor.pictureID = UInt16(high)
            }
        }
        if first & 0x20 != 0 {
            guard let layers = reader.readUInt8() else { return nil }
            descriptor.temporalLayerIndex = layers >> 5
            descriptor.switchingUpPoint = layers & 0x10 != 0
            descriptor.spatialLayerIndex = (layers >> 1) & 0x07
            descriptor.interLayerDependency = layers & 0x01 != 0
            if !descriptor.flexibleMode {
                guard let index = reader.readUInt8() else { return nil }
                descriptor.tl0PictureIndex = index
            }
        }
        if descriptor.flexibleMode, descriptor.interPicturePredicted {
            while true {
                guard descriptor.referenceDiffs.count < maxReferenceCount, let reference = reader.readUInt8() else {
                    return nil
                }
                descriptor.referenceDiffs.append(reference >> 1)
                if reference & 0x01 == 0 { break }
            }
        }
        if first & 0x02 != 0 {
            guard readScalabilityStructure(&reader, into: &descriptor) else { return nil }
        }
        guard reader.offset < payload.count else { return nil }

        descriptor.headerLength = reader.offset
        return descriptor
    }

    /// Reads the scalability structure (RFC 9628 section 4.2.1): the spatial layer count, their
    /// resolutions when Y is 1, and the picture group description when G is 1, which is skipped.
    private static func readScalabilityStructure(_ reader: inout ByteReader, into descriptor: inout Self) -> Bool {
        guard let header = reader.readUInt8() else { return false }
        let spatialLayers = Int(header >> 5) + 1
        if header & 0x10 != 0 {
            var resolutions: [Resolution] = []
            for _ in 0..<spatialLayers {
                guard let width = reader.readUInt16(), let height = reader.readUInt16() else { return false }
                resolutions.append(Resolution(width: Int(width), height: Int(height)))
            }
            descriptor.spatialLayerResolutions = resolutions
        }
        if header & 0x08 != 0 {
            guard let groupSize = reader.readUInt8() else { return false }
            for _ in 0..<groupSize {
                guard let picture = reader.readUInt8(), reader.skip(Int((picture >> 2) & 0x03)) else { return false }
            }
        }
        return true
    }
}
