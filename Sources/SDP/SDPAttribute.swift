/// One `a=` line: a property attribute (`a=rtcp-mux`) has no value, a value attribute
/// (`a=mid:0`) has the text after the first colon, kept as written.
///
/// RFC 8866 section 5.13.
public struct SDPAttribute: Equatable, Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// Splits the text after `a=` at the first colon.
    init(line text: Substring) {
        if let colon = text.firstIndex(of: ":") {
            name = String(text[..<colon])
            value = String(text[text.index(after: colon)...])
        } else {
            name = String(text)
            value = nil
        }
    }

    /// The text after `a=`.
    var text: String {
        guard let value else { return name }
        return "\(name):\(value)"
    }
}

extension Array where Element == SDPAttribute {
    /// Returns the value of the first attribute with this name, or nil when there is none.
    /// An attribute written without a value returns an empty string.
    public func value(of name: String) -> String? {
        first { $0.name == name }.map { $0.value ?? "" }
    }

    /// Returns true when an attribute with this name is present.
    public func contains(_ name: String) -> Bool {
        contains { $0.name == name }
    }
}
