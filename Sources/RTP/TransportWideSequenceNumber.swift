/// The transport-wide sequence number header extension of
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2, URI
/// `http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01`.
///
///      0                   1
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |  transport-wide sequence number |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// One counter covers every stream on the transport, so the receiver can report arrival
/// times in transport-wide feedback. Later versions append bytes that request feedback; the
/// parser reads the first two bytes and ignores the rest.
public enum TransportWideSequenceNumber {
    /// Returns the sequence number, or nil when `element` has fewer than two bytes.
    public static func parse(_ element: UnsafeRawBufferPointer) -> UInt16? {
        guard element.count >= 2 else { return nil }
        return UInt16(element[0]) << 8 | UInt16(element[1])
    }

    /// Returns the two-byte value for `sequenceNumber`.
    public static func value(_ sequenceNumber: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: sequenceNumber >> 8), UInt8(truncatingIfNeeded: sequenceNumber)]
    }
}
