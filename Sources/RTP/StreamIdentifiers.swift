// Header extensions that carry an identifier as ASCII text: the media identification
// `urn:ietf:params:rtp-hdrext:sdes:mid` (RFC 8843 section 15), and the RTP stream ID
// `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id` and repaired RTP stream ID
// `urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id` (RFC 8852 section 3).
//
// The values are SDES item text without a terminator. Some senders append zero bytes to
// reach a word boundary, so the text ends at the first zero byte.

/// Parses a MID value: 1 to 255 bytes of printable ASCII (RFC 8843 section 15 allows the
/// SDP token characters, all of which are printable ASCII). Returns nil otherwise.
public func parseMid(_ element: UnsafeRawBufferPointer) -> String? {
    parseIdentifierText(element) { $0 > 0x20 && $0 < 0x7F }
}

/// Parses an RtpStreamId or RepairedRtpStreamId value: 1 to 255 bytes of ASCII letters,
/// digits, "-" and "_" (the rid-id syntax of RFC 8851 section 10). Returns nil otherwise.
public func parseRid(_ element: UnsafeRawBufferPointer) -> String? {
    parseIdentifierText(element) { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}

private func parseIdentifierText(_ element: UnsafeRawBufferPointer, isAllowed: (UInt8) -> Bool) -> String? {
    var length = 0
    while length < element.count, element[length] != 0 {
        guard isAllowed(element[length]) else { return nil }
        length += 1
    }
    guard length > 0 else { return nil }
    return String(decoding: UnsafeRawBufferPointer(rebasing: element[0..<length]), as: UTF8.self)
}
