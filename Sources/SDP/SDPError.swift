/// An error raised while parsing a session description or generating an answer.
///
/// `line` is the 1-based line number in the parsed text when the error concerns one line,
/// and `nil` for errors about the description as a whole (for example a missing fingerprint).
public struct SDPError: Error, Equatable, CustomStringConvertible {
    public var line: Int?
    public var message: String

    public init(line: Int? = nil, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        guard let line else { return "invalid SDP: \(message)" }
        return "invalid SDP at line \(line): \(message)"
    }
}
