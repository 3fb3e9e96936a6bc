import Wire

/// A source description packet, type 202 (RFC 3550 section 6.5).
///
/// The body contains SC chunks. Each chunk is an SSRC followed by items, each a type byte, a
/// length byte and that many bytes of UTF-8 text. A zero type byte ends the items of a chunk,
/// and zero bytes then pad the chunk to a 32-bit boundary.
///
///     |                          SSRC/CSRC_1                          |
///     |  type=CNAME=1 |     length    | user and domain name        ...
///     |  ...          |  0 (end)      |  0 (padding to a word)        |
public struct SourceDescription: Equatable, Hashable, Sendable {
    /// SDES item types (RFC 3550 section 6.5).
    public enum ItemType {
        public static let end: UInt8 = 0
        public static let cname: UInt8 = 1
        public static let name: UInt8 = 2
        public static let email: UInt8 = 3
        public static let phone: UInt8 = 4
        public static let location: UInt8 = 5
        public static let tool: UInt8 = 6
        public static let note: UInt8 = 7
        public static let privateExtension: UInt8 = 8
    }

    public struct Item: Equatable, Hashable, Sendable {
        public var type: UInt8
        /// The item text; bytes that are not valid UTF-8 become U+FFFD.
        public var text: String

        public init(type: UInt8, text: String) {
            self.type = type
            self.text = text
        }
    }

    public struct Chunk: Equatable, Hashable, Sendable {
        public var ssrc: UInt32
        public var items: [Item]

        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }

        /// The text of the first CNAME item, if any.
        public var cname: String? { items.first { $0.type == ItemType.cname }?.text }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) {
        self.chunks = chunks
    }

    /// Parses the body after the common header; `sourceCount` is the SC field. Returns nil when
    /// a chunk is cut short or lacks its terminating zero byte.
    static func parse(body: UnsafeRawBufferPointer, sourceCount: Int) -> SourceDescription? {
        var reader = ByteReader(body)
        var chunks: [Chunk] = []
        chunks.reserveCapacity(sourceCount)
        for _ in 0..<sourceCount {
            guard let chunk = parseChunk(&reader) else { return nil }
            chunks.append(chunk)
        }
        return SourceDescription(chunks: chunks)
    }

    private static func parseChunk(_ reader: inout ByteReader) -> Chunk? {
        guard let ssrc = reader.readUInt32() else { return nil }

        var items: [Item] = []
        while true {
            guard let type = reader.readUInt8() else { return nil }
            if type == ItemType.end { break }
            guard let length = reader.readUInt8(), let text = reader.readBytes(Int(length)) else { return nil }
            items.append(Item(type: type, text: String(decoding: text, as: UTF8.self)))
        }

        // Chunks start on 32-bit boundaries; the body starts on one too.
        let padding = (4 - reader.offset % 4) % 4
        guard reader.skip(padding) else { return nil }
        return Chunk(ssrc: ssrc, items: items)
    }
}
