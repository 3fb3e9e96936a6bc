extension SessionDescription {
    /// Attribute names the session-level typed fields cover.
    static let modeledNames: Set<String> = [
        "ice-lite", "ice-ufrag", "ice-pwd", "ice-options", "fingerprint", "setup", "extmap-allow-mixed",
    ]

    /// Parses a session description.
    ///
    /// Lines may end in `\r\n` or `\n` and empty lines are skipped. `v=0` must come first and
    /// `o=` must be present. Other session lines and the lines of each m-section may come in any
    /// order, which is more lenient than the grammar of RFC 8866 section 9. `s=` defaults to `-`
    /// and `t=` to `0 0` when missing. Unknown attributes are kept.
    ///
    /// - Throws: `SDPError` with the 1-based line number of the first invalid line, or without a
    ///   line number for errors that concern the whole description.
    public static func parse(_ text: String) throws -> SessionDescription {
        var session = SessionDescription(origin: Origin(sessionID: "0"))
        var sawVersion = false
        var sawOrigin = false
        var sawSessionName = false
        var sessionAttributeLines: [Int] = []
        var mediaAttributeLines: [[Int]] = []
        session.timing = []

        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty { continue }
            // RFC 8866 section 9 excludes CR, LF and NUL from every value, and a stray CR would
            // otherwise survive into values that are written back.
            guard !line.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\0" }) else {
                throw SDPError(line: number, "the line contains a carriage return or NUL character")
            }
            guard line.count >= 2, let type = line.first, type.isASCII, type.isLetter,
                line[line.index(after: line.startIndex)] == "="
            else {
                throw SDPError(line: number, "expected '<type>=<value>', got '\(line.excerpt)'")
            }
            let value = String(line.dropFirst(2))

            guard sawVersion else {
                guard type == "v" else { throw SDPError(line: number, "the description must start with v=0") }
                guard value == "0" else {
                    throw SDPError(line: number, "unsupported SDP version '\(value.excerpt)', expected 0")
                }
                sawVersion = true
                continue
            }

            if type == "m" {
                session.media.append(try parseMediaLine(value, line: number))
                mediaAttributeLines.append([])
                continue
            }

            if !session.media.isEmpty {
                let index = session.media.count - 1
                switch type {
                case "a":
                    session.media[index].attributes.append(SDPAttribute(line: Substring(value)))
                    mediaAttributeLines[index].append(number)
                case "c": session.media[index].connection = try Connection.parse(value, line: number)
                case "b": session.media[index].bandwidths.append(try Bandwidth.parse(value, line: number))
                case "i", "k": session.media[index].otherLines.append(SDPLine(type: type, value: value))
                default: throw SDPError(line: number, "'\(type)=' is not allowed in a media section")
                }
                continue
            }

            switch type {
            case "v": throw SDPError(line: number, "v= appears twice")
            case "o":
                guard !sawOrigin else { throw SDPError(line: number, "o= appears twice") }
                session.origin = try Origin.parse(value, line: number)
                sawOrigin = true
            case "s":
                session.sessionName = value
                sawSessionName = true
            case "t": session.timing.append(value)
            case "c": session.connection = try Connection.parse(value, line: number)
            case "b": session.bandwidths.append(try Bandwidth.parse(value, line: number))
            case "a":
                session.attributes.append(SDPAttribute(line: Substring(value)))
                sessionAttributeLines.append(number)
            case "i", "u", "e", "p", "r", "z", "k": session.otherLines.append(SDPLine(type: type, value: value))
            default: throw SDPError(line: number, "unknown line type '\(type)='")
            }
        }

        guard sawVersion else { throw SDPError("the description is empty, expected v=0") }
        guard sawOrigin else { throw SDPError("the o= line is missing") }
        if !sawSessionName { session.sessionName = "-" }
        if session.timing.isEmpty { session.timing = ["0 0"] }

        let sessionDirection = try session.interpretAttributes(lines: sessionAttributeLines)
        for index in session.media.indices {
            try session.media[index].interpretAttributes(
                lines: mediaAttributeLines[index], sessionDirection: sessionDirection)
        }
        try session.validateMids()
        return session
    }

    /// Parses `<media> <port>[/<number of ports>] <proto> <fmt> ...` (RFC 8866 section 5.14).
    private static func parseMediaLine(_ value: String, line: Int) throws -> MediaDescription {
        let fields = value.sdpFields
        guard fields.count >= 4 else {
            throw SDPError(line: line, "m= must be '<media> <port> <proto> <format> ...', got '\(value.excerpt)'")
        }
        let portParts = fields[1].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let port = parseDecimal(portParts[0], maximum: 65535) else {
            throw SDPError(line: line, "m= port '\(fields[1].excerpt)' is not a number from 0 to 65535")
        }
        var media = MediaDescription(kind: MediaKind(String(fields[0])), port: port, proto: String(fields[2]))
        if portParts.count == 2 {
            guard let count = parseDecimal(portParts[1], maximum: 65535), count > 0 else {
                throw SDPError(line: line, "m= port count '\(portParts[1].excerpt)' is not a positive number")
            }
            media.portCount = count
        }
        media.formats = fields[3...].map(String.init)
        if media.isRTP {
            for format in media.formats where parsePayloadType(format) == nil {
                throw SDPError(line: line, "m= format '\(format.excerpt)' is not an RTP payload type from 0 to 127")
            }
        }
        return media
    }

    /// Fills the session-level typed fields and returns the session-level direction, if any.
    private mutating func interpretAttributes(lines: [Int]) throws -> Direction? {
        var direction: Direction?
        for (attribute, line) in zip(attributes, lines) {
            let value = attribute.value.map { String($0.trimmedSDP) }
            if let parsed = Direction(rawValue: attribute.name) {
                direction = parsed
                continue
            }
            switch attribute.name {
            case "ice-lite": iceLite = true
            case "extmap-allow-mixed": extmapAllowMixed = true
            case "ice-ufrag": iceUfrag = try MediaDescription.require(value, of: attribute, line: line)
            case "ice-pwd": icePassword = try MediaDescription.require(value, of: attribute, line: line)
            case "ice-options": iceOptions = (value ?? "").sdpFields.map(String.init)
            case "setup": setup = try MediaDescription.parseSetup(value, line: line)
            case "fingerprint":
                let text = try MediaDescription.require(value, of: attribute, line: line)
                fingerprints.append(try Fingerprint.parse(text, line: line))
            case "group":
                let fields = (value ?? "").sdpFields.map(String.init)
                if fields.first == "BUNDLE" { bundleGroups.append(Array(fields.dropFirst())) }
            default:
                break
            }
        }
        return direction
    }

    /// Checks that mids are unique (RFC 5888 section 4) and that BUNDLE groups name existing
    /// sections, each at most once (RFC 8843 section 7.1).
    private func validateMids() throws {
        var seen: Set<String> = []
        for mid in media.compactMap(\.mid) where !seen.insert(mid).inserted {
            throw SDPError("mid '\(mid.excerpt)' is used by more than one media section")
        }
        var grouped: Set<String> = []
        for group in bundleGroups {
            for mid in group {
                guard seen.contains(mid) else {
                    throw SDPError("BUNDLE group names mid '\(mid.excerpt)', which no media section has")
                }
                guard grouped.insert(mid).inserted else {
                    throw SDPError("mid '\(mid.excerpt)' is in more than one BUNDLE group")
                }
            }
        }
    }
}
