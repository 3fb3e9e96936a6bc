/// The VP8 payload descriptor (RFC 7741 section 4.2), read from the start of an unencrypted
/// VP8 RTP payload.
///
///          0 1 2 3 4 5 6 7
///         +-+-+-+-+-+-+-+-+
///         |X|R|N|S|R| PID | (required)
///         +-+-+-+-+-+-+-+-+
///     X:  |I|L|T|K| RSV   | (optional)
///         +-+-+-+-+-+-+-+-+
///     I:  |M| PictureID   | (optional, a second byte when M is 1)
///         +-+-+-+-+-+-+-+-+
///     L:  |   TL0PICIDX   | (optional)
///         +-+-+-+-+-+-+-+-+
///     T/K:|TID|Y| KEYIDX  | (optional)
///         +-+-+-+-+-+-+-+-+
public struct VP8PayloadDescriptor: Equatable, Sendable {
    /// The start code of a key frame header, after the 3-byte frame tag (RFC 6386 section 9.1).
    static let keyFrameStartCode: (UInt8, UInt8, UInt8) = (0x9D, 0x01, 0x2A)

    /// N: the frame is not used as a reference.
    public var nonReference: Bool
    /// S: the packet starts a VP8 partition.
    public var startOfPartition: Bool
    public var partitionIndex: Int
    /// The 7-bit or 15-bit picture ID.
    public var pictureID: UInt16?
    public var tl0PictureIndex: UInt8?
    public var temporalLayerIndex: UInt8?
    /// Y: the frame depends only on the base temporal layer.
    public var layerSync: Bool
    public var keyIndex: UInt8?
    /// Length of the descriptor; the VP8 payload starts here.
    public var headerLength: Int
    /// Whether the packet starts a key frame: the first partition begins, the frame tag's
    /// inverse key frame bit is 0, and the key frame start code follows the tag.
    public var isKeyFrame: Bool

    /// Parses the descriptor at the start of `payload`; returns nil when the payload ends inside
    /// it or has no VP8 data after it.
    public static func parse(_ payload: UnsafeRawBufferPointer) -> VP8PayloadDescriptor? {
        guard let first = payload.first else { return nil }
        var descriptor = VP8PayloadDescriptor(
            nonReference: first & 0x20 != 0, startOfPartition: first & 0x10 != 0, partitionIndex: Int(first & 0x07),
            pictureID: nil, tl0PictureIndex: nil, temporalLayerIndex: nil, layerSync: false, keyIndex: nil,
            headerLength: 1, isKeyFrame: false)

        var offset = 1
        if first & 0x80 != 0 {
            guard offset < payload.count else { return nil }
            let extensions = payload[offset]
            offset += 1
            if extensions & 0x80 != 0 {
                guard offset < payload.count else { return nil }
                if payload[offset] & 0x80 != 0 {
                    guard offset + 1 < payload.count else { return nil }
                    descriptor.pictureID = UInt16(payload[offset] & 0x7F) << 8 | UInt16(payload[offset + 1])
                    offset += 2
                } else {
                    descriptor.pictureID = UInt16(payload[offset])
                    offset += 1
                }
            }
            if extensions & 0x40 != 0 {
                guard offset < payload.count else { return nil }
                descriptor.tl0PictureIndex = payload[offset]
                offset += 1
            }
            if extensions & 0x30 != 0 {
                guard offset < payload.count else { return nil }
                let byte = payload[offset]
                if extensions & 0x20 != 0 {
                    descriptor.temporalLayerIndex = byte >> 6
                    descriptor.layerSync = byte & 0x20 != 0
                }
                if extensions & 0x10 != 0 {
                    descriptor.keyIndex = byte & 0x1F
                }
                offset += 1
            }
        }
        guard offset < payload.count else { return nil }

        descriptor.headerLength = offset
        descriptor.isKeyFrame =
            descriptor.startOfPartition && descriptor.partitionIndex == 0
            && startsKeyFrame(UnsafeRawBufferPointer(rebasing: payload[offset...]))
        return descriptor
    }

    private static func startsKeyFrame(_ frame: UnsafeRawBufferPointer) -> Bool {
        guard frame.count >= 6, frame[0] & 0x01 == 0 else { return false }
        let code = keyFrameStartCode
        return frame[3] == code.0 && frame[4] == code.1 && frame[5] == code.2
    }
}
