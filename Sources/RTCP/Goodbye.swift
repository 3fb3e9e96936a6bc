import Wire

/// A goodbye packet, type 203 (RFC 3550 section 6.6): SC SSRCs that leave, optionally
/// followed by a length byte and a reason text.
public struct Goodbye: Equatable, Hashable, Sendable {
    public var ssrcs: [UInt32]
    /// The reason for leaving; bytes that are not valid UTF-8 become U+FFFD.
    public var reason: String?

    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }

    static func parse(body: UnsafeRawBufferPointer, sourceCount: Int) -> Goodbye? {
        var reader = ByteReader(body)
        guard reader.remaining >= sourceCount * 4 else { return nil }
        var ssrcs: [UInt32] = []
        ssrcs.reserveCapacity(sourceCount)
        for _ in 0..<sourceCount {
            guard let ssrc = reader.readUInt32() else { return nil }
            ssrcs.append(ssrc)
        }

        // A zero length byte here is the padding that follows the SSRC list, not a reason.
        guard let length = reader.readUInt8(), length > 0 else { return Goodbye(ssrcs: ssrcs) }
        guard let text = reader.readBytes(Int(length)) else { return nil }
        return Goodbye(ssrcs: ssrcs, reason: String(decoding: text, as: UTF8.self))
    }
}
