extension StringProtocol {
    /// The fields of an SDP value separated by runs of spaces or tabs.
    var sdpFields: [SubSequence] {
        split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    /// The text without leading and trailing spaces and tabs.
    var trimmedSDP: SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" {
            start = index(after: start)
        }
        while end > start {
            let before = index(before: end)
            guard self[before] == " " || self[before] == "\t" else { break }
            end = before
        }
        return self[start..<end]
    }
}

/// Parses a non-negative decimal integer no larger than `maximum`, rejecting signs and
/// other characters that `Int.init(_:)` would accept.
func parseDecimal<S: StringProtocol>(_ text: S, maximum: Int) -> Int? {
    guard !text.isEmpty, text.count <= 20, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    guard let value = Int(text), value <= maximum else { return nil }
    return value
}

/// Parses an RTP payload type (0-127, RFC 3550 section 5.1).
func parsePayloadType<S: StringProtocol>(_ text: S) -> UInt8? {
    parseDecimal(text, maximum: 127).map { UInt8($0) }
}

extension StringProtocol {
    /// The text cut to at most 80 characters, so that an error message quoting a peer's value
    /// stays short however long the value is.
    var excerpt: String {
        count <= 80 ? String(self) : String(prefix(77)) + "..."
    }
}
