/// The coordination of video orientation header extension (3GPP TS 26.114 section 7.4.5),
/// URI `urn:3gpp:video-orientation`.
///
///      0 1 2 3 4 5 6 7
///     +-+-+-+-+-+-+-+-+
///     |0 0 0 0 C F R R|
///     +-+-+-+-+-+-+-+-+
///
/// C is the camera (0 front, 1 back), F a horizontal flip applied before rotation, and R the
/// clockwise rotation the receiver applies, in steps of 90 degrees.
public struct VideoOrientation: Equatable, Sendable {
    public var backCamera: Bool
    public var horizontalFlip: Bool
    /// Clockwise rotation in degrees: 0, 90, 180 or 270.
    public var rotation: Int

    public init(backCamera: Bool, horizontalFlip: Bool, rotation: Int) {
        self.backCamera = backCamera
        self.horizontalFlip = horizontalFlip
        self.rotation = rotation
    }

    /// Parses the first byte of `element`; returns nil when the element is empty.
    public static func parse(_ element: UnsafeRawBufferPointer) -> VideoOrientation? {
        guard let byte = element.first else { return nil }
        return VideoOrientation(
            backCamera: byte & 0x08 != 0,
            horizontalFlip: byte & 0x04 != 0,
            rotation: Int(byte & 0x03) * 90
        )
    }
}
