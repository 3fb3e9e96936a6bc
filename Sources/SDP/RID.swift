/// A restriction identifier, `a=rid:<rid-id> <send|recv> [pt=<fmt>,...;<name>=<value>;...]`.
///
/// RFC 8851 section 10. The rid names one RTP stream (a simulcast encoding) and appears on
/// the wire in the RtpStreamId header extension (RFC 8852).
public struct RIDDescription: Equatable, Hashable, Sendable {
    public enum RIDDirection: String, Equatable, Hashable, Sendable {
        case send
        case recv
    }

    public var id: String
    public var direction: RIDDirection
    /// The `pt=` list, empty when the rid applies to every format of the m-section.
    public var payloadTypes: [UInt8]
    /// Restrictions such as `max-width`, `max-height`, `max-fps`, `max-br`, `depend`.
    /// A restriction written without a value has an empty string.
    public var restrictions: [String: String]

    public init(id: String, direction: RIDDirection, payloadTypes: [UInt8] = [], restrictions: [String: String] = [:]) {
        self.id = id
        self.direction = direction
        self.payloadTypes = payloadTypes
        self.restrictions = restrictions
    }

    /// Returns true for a rid-id made of letters, digits, `-` and `_` (RFC 8851 section 10).
    static func isValidID<S: StringProtocol>(_ id: S) -> Bool {
        !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func parse(_ text: String, line: Int?) throws -> RIDDescription {
        let fields = text.sdpFields
        guard fields.count == 2 || fields.count == 3 else {
            throw SDPError(line: line, "rid must be '<id> <send|recv> [<parameters>]', got '\(text.excerpt)'")
        }
        guard isValidID(fields[0]) else {
            throw SDPError(line: line, "rid id '\(fields[0].excerpt)' must contain only letters, digits, '-' and '_'")
        }
        guard let direction = RIDDirection(rawValue: String(fields[1])) else {
            throw SDPError(line: line, "rid direction '\(fields[1].excerpt)' is not send or recv")
        }
        var rid = RIDDescription(id: String(fields[0]), direction: direction)
        guard fields.count == 3 else { return rid }

        for parameter in fields[2].split(separator: ";") {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count == 2 ? String(parts[1]) : ""
            if name == "pt" {
                for format in value.split(separator: ",") {
                    guard let payloadType = parsePayloadType(format) else {
                        throw SDPError(line: line, "rid pt '\(format.excerpt)' is not a payload type from 0 to 127")
                    }
                    rid.payloadTypes.append(payloadType)
                }
            } else {
                rid.restrictions[name] = value
            }
        }
        return rid
    }

    /// The attribute value, with restrictions in name order so the output is stable.
    var text: String {
        var parameters: [String] = []
        if !payloadTypes.isEmpty {
            parameters.append("pt=" + payloadTypes.map(String.init).joined(separator: ","))
        }
        for name in restrictions.keys.sorted() {
            let value = restrictions[name] ?? ""
            parameters.append(value.isEmpty ? name : "\(name)=\(value)")
        }
        guard !parameters.isEmpty else { return "\(id) \(direction.rawValue)" }
        return "\(id) \(direction.rawValue) \(parameters.joined(separator: ";"))"
    }
}
