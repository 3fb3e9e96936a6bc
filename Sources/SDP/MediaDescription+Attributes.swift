/// Attribute interpretation for an m-section, kept apart from line splitting so that every
/// attribute is read after the whole section is collected and their order does not matter.
extension MediaDescription {
    /// Attribute names that typed fields cover. rtpmap, fmtp and rtcp-fb are covered only for
    /// payload types that have a codec (see `isModeled`).
    static let modeledNames: Set<String> = [
        "mid", "sendrecv", "sendonly", "recvonly", "inactive", "rtcp-mux", "rtcp-rsize", "extmap",
        "extmap-allow-mixed", "ssrc", "ssrc-group", "rid", "simulcast", "msid", "ice-ufrag", "ice-pwd",
        "ice-options", "fingerprint", "setup", "candidate", "end-of-candidates",
    ]

    /// Returns true when `serialize()` writes this attribute from a typed field, so the raw copy
    /// in `attributes` is skipped.
    func isModeled(_ attribute: SDPAttribute) -> Bool {
        if Self.modeledNames.contains(attribute.name) { return true }
        guard isRTP, ["rtpmap", "fmtp", "rtcp-fb"].contains(attribute.name) else { return false }

        // An rtpmap, fmtp or rtcp-fb for a payload type without a codec stays raw.
        guard let first = (attribute.value ?? "").sdpFields.first else { return false }
        if attribute.name == "rtcp-fb", first == "*" { return true }
        guard let payloadType = parsePayloadType(first) else { return false }
        return codec(payloadType: payloadType) != nil
    }

    /// Fills the typed fields from `attributes`, where `lines` contains the line number of each attribute.
    mutating func interpretAttributes(lines: [Int], sessionDirection: Direction?) throws {
        var explicitDirection: Direction?
        var rtpmaps: [UInt8: (attribute: String, line: Int)] = [:]
        var fmtps: [UInt8: String] = [:]
        var feedback: [(payloadType: UInt8?, value: String)] = []

        for (attribute, line) in zip(attributes, lines) {
            let value = attribute.value.map { String($0.trimmedSDP) }
            if let direction = Direction(rawValue: attribute.name) {
                explicitDirection = direction
                continue
            }
            switch attribute.name {
            case "rtcp-mux": rtcpMux = true
            case "rtcp-rsize": rtcpReducedSize = true
            case "extmap-allow-mixed": extmapAllowMixed = true
            case "end-of-candidates": endOfCandidates = true
            case "mid": mid = try Self.require(value, of: attribute, line: line)
            case "ice-ufrag": iceUfrag = try Self.require(value, of: attribute, line: line)
            case "ice-pwd": icePassword = try Self.require(value, of: attribute, line: line)
            case "ice-options": iceOptions = (value ?? "").sdpFields.map(String.init)
            case "setup": setup = try Self.parseSetup(value, line: line)
            case "fingerprint":
                fingerprints.append(try Fingerprint.parse(Self.require(value, of: attribute, line: line), line: line))
            case "candidate":
                candidates.append(try Candidate.parse(Self.require(value, of: attribute, line: line), line: line))
            case "extmap":
                let header = try HeaderExtension.parse(Self.require(value, of: attribute, line: line), line: line)
                if let existing = extensions.first(where: { $0.id == header.id }), existing.uri != header.uri {
                    throw SDPError(
                        line: line,
                        "extmap id \(header.id) is used for both \(existing.uri.excerpt) and \(header.uri.excerpt)")
                }
                extensions.append(header)
            case "msid": msids.append(try MSID.parse(Self.require(value, of: attribute, line: line), line: line))
            case "ssrc":
                ssrcs.append(try SSRCAttribute.parse(Self.require(value, of: attribute, line: line), line: line))
            case "ssrc-group":
                ssrcGroups.append(try SSRCGroup.parse(Self.require(value, of: attribute, line: line), line: line))
            case "rid":
                rids.append(try RIDDescription.parse(Self.require(value, of: attribute, line: line), line: line))
            case "simulcast":
                simulcast = try Simulcast.parse(Self.require(value, of: attribute, line: line), line: line)
            case "rtpmap" where isRTP:
                let text = try Self.require(value, of: attribute, line: line)
                let (payloadType, rest) = try Self.splitPayloadType(text, of: attribute, line: line)
                if rtpmaps[payloadType] == nil { rtpmaps[payloadType] = (rest, line) }
            case "fmtp" where isRTP:
                let text = try Self.require(value, of: attribute, line: line)
                let (payloadType, rest) = try Self.splitPayloadType(text, of: attribute, line: line)
                if fmtps[payloadType] == nil { fmtps[payloadType] = rest }
            case "rtcp-fb" where isRTP:
                let text = try Self.require(value, of: attribute, line: line)
                let wildcard = text.prefix { $0 != " " && $0 != "\t" } == "*"
                let (payloadType, rest) =
                    wildcard
                    ? (nil, String(text.dropFirst().trimmedSDP))
                    : try Self.splitPayloadType(text, of: attribute, line: line)
                guard !rest.isEmpty else {
                    throw SDPError(line: line, "rtcp-fb '\(text.excerpt)' has no feedback type")
                }
                feedback.append((payloadType, rest))
            default:
                break
            }
        }

        direction = explicitDirection ?? sessionDirection ?? .sendrecv
        if isRTP {
            try buildCodecs(rtpmaps: rtpmaps, fmtps: fmtps, feedback: feedback)
        }
    }

    /// Builds `codecs` in m= line order. A static payload type without rtpmap gets its
    /// RFC 3551 encoding, but a dynamic one without rtpmap has no codec and stays only in `formats`.
    private mutating func buildCodecs(
        rtpmaps: [UInt8: (attribute: String, line: Int)], fmtps: [UInt8: String],
        feedback: [(payloadType: UInt8?, value: String)]
    ) throws {
        codecs = []
        for format in formats {
            guard let payloadType = parsePayloadType(format) else { continue }
            guard !codecs.contains(where: { $0.payloadType == payloadType }) else { continue }
            var codec: Codec
            if let rtpmap = rtpmaps[payloadType] {
                codec = try Self.parseRTPMap(rtpmap.attribute, payloadType: payloadType, line: rtpmap.line)
            } else if let known = Codec.staticPayloadType(payloadType, kind: kind) {
                codec = known
            } else {
                continue
            }
            if let parameters = fmtps[payloadType] {
                codec.rawFormatParameters = parameters
                codec.parameters = FormatParameter.parseList(parameters)
            }
            codec.feedback = feedback.filter { $0.payloadType == nil || $0.payloadType == payloadType }.map(\.value)
            codecs.append(codec)
        }
        for rtx in codecs where rtx.isRTX {
            guard let apt = rtx.associatedPayloadType,
                let index = codecs.firstIndex(where: { $0.payloadType == apt && !$0.isRTX }),
                codecs[index].rtxPayloadType == nil
            else { continue }
            codecs[index].rtxPayloadType = rtx.payloadType
        }
    }

    /// Parses `<encoding name>/<clock rate>[/<channels>]`.
    private static func parseRTPMap(_ text: String, payloadType: UInt8, line: Int) throws -> Codec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else {
            throw SDPError(
                line: line,
                "rtpmap for payload type \(payloadType) must be '<name>/<clock rate>[/<channels>]', "
                    + "got '\(text.excerpt)'"
            )
        }
        guard let clockRate = parseDecimal(parts[1], maximum: Int(UInt32.max)), clockRate > 0 else {
            throw SDPError(
                line: line,
                "rtpmap clock rate '\(parts[1].excerpt)' for payload type \(payloadType) is not a positive number")
        }
        var channels: Int?
        if parts.count == 3 {
            guard let count = parseDecimal(parts[2], maximum: 255), count > 0 else {
                throw SDPError(
                    line: line,
                    "rtpmap channel count '\(parts[2].excerpt)' for payload type \(payloadType) "
                        + "is not a number from 1 to 255"
                )
            }
            channels = count
        }
        return Codec(payloadType: payloadType, name: String(parts[0]), clockRate: clockRate, channels: channels)
    }

    /// Splits `<payload type> <rest>` as used by rtpmap, fmtp and rtcp-fb.
    private static func splitPayloadType(_ text: String, of attribute: SDPAttribute, line: Int) throws -> (
        UInt8, String
    ) {
        let head = text.prefix { $0 != " " && $0 != "\t" }
        guard let payloadType = parsePayloadType(head) else {
            throw SDPError(line: line, "\(attribute.name) payload type '\(head.excerpt)' is not a number from 0 to 127")
        }
        return (payloadType, String(text.dropFirst(head.count).trimmedSDP))
    }

    static func parseSetup(_ value: String?, line: Int) throws -> SetupRole {
        guard let value, let role = SetupRole(rawValue: value) else {
            throw SDPError(line: line, "setup '\((value ?? "").excerpt)' is not active, passive, actpass or holdconn")
        }
        return role
    }

    static func require(_ value: String?, of attribute: SDPAttribute, line: Int) throws -> String {
        guard let value, !value.isEmpty else {
            throw SDPError(line: line, "a=\(attribute.name.excerpt) requires a value")
        }
        return value
    }
}
