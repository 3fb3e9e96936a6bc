/// A certificate fingerprint, `a=fingerprint:<hash-function> <hex pairs separated by colons>`.
///
/// RFC 8122 section 5. The hash function name is kept as written and compared
/// case-insensitively. WebRTC endpoints must offer at least `sha-256` (RFC 8827 section 6.5).
public struct Fingerprint: Equatable, Hashable, Sendable {
    public var algorithm: String
    public var value: String

    public init(algorithm: String, value: String) {
        self.algorithm = algorithm
        self.value = value
    }

    /// Creates a fingerprint from digest bytes, written as upper-case hex pairs.
    public init(algorithm: String, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.value = bytes.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 0x10 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// The digest bytes, or nil when the value is not colon-separated hex pairs.
    public var bytes: [UInt8]? {
        var result: [UInt8] = []
        for pair in value.split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.count == 2, let byte = UInt8(pair, radix: 16) else { return nil }
            result.append(byte)
        }
        return result.isEmpty ? nil : result
    }

    static func parse(_ text: String, line: Int?) throws -> Fingerprint {
        let fields = text.sdpFields
        guard fields.count == 2 else {
            throw SDPError(line: line, "fingerprint must be '<hash-function> <hex value>', got '\(text.excerpt)'")
        }
        return Fingerprint(algorithm: String(fields[0]), value: String(fields[1]))
    }

    var text: String { "\(algorithm) \(value)" }
}

/// The DTLS role attribute `a=setup` (RFC 4145 section 4, applied to DTLS by RFC 5763 section 5).
public enum SetupRole: String, Equatable, Hashable, Sendable, CaseIterable {
    case active
    case passive
    case actpass
    case holdconn
}
