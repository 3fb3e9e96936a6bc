extension SessionDescription {
    /// Writes the description with `\r\n` line endings, session lines in the order of RFC 8866
    /// section 5. Raw attributes that no typed field covers follow the typed ones at each level,
    /// in their original order.
    public func serialize() -> String {
        var lines: [String] = ["v=0", "o=\(origin.text)", "s=\(sessionName)"]
        lines += otherLines.filter { "iuep".contains($0.type) }.map { "\($0.type)=\($0.value)" }
        if let connection { lines.append("c=\(connection.text)") }
        lines += bandwidths.map { "b=\($0.text)" }
        lines += (timing.isEmpty ? ["0 0"] : timing).map { "t=\($0)" }
        lines += otherLines.filter { "rzk".contains($0.type) }.map { "\($0.type)=\($0.value)" }

        if iceLite { lines.append("a=ice-lite") }
        if !iceOptions.isEmpty { lines.append("a=ice-options:" + iceOptions.joined(separator: " ")) }
        if let iceUfrag { lines.append("a=ice-ufrag:\(iceUfrag)") }
        if let icePassword { lines.append("a=ice-pwd:\(icePassword)") }
        lines += fingerprints.map { "a=fingerprint:\($0.text)" }
        if let setup { lines.append("a=setup:\(setup.rawValue)") }
        lines += bundleGroups.map { (["a=group:BUNDLE"] + $0).joined(separator: " ") }
        if extmapAllowMixed { lines.append("a=extmap-allow-mixed") }
        for attribute in attributes where !isModeled(attribute) {
            lines.append("a=\(attribute.text)")
        }

        for section in media {
            lines += section.serializedLines()
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private func isModeled(_ attribute: SDPAttribute) -> Bool {
        if Self.modeledNames.contains(attribute.name) { return true }
        if attribute.name == "group", (attribute.value ?? "").sdpFields.first == "BUNDLE" { return true }
        return false
    }
}

extension MediaDescription {
    /// Returns the lines of this m-section: m=, i=, c=, b=, k=, then transport attributes, mid,
    /// header extensions, direction, msid, RTCP flags, codecs, sources, rids and simulcast, and
    /// last the raw attributes no typed field covers.
    func serializedLines() -> [String] {
        let port = portCount.map { "\(self.port)/\($0)" } ?? "\(self.port)"
        var lines = ["m=\(kind) \(port) \(proto) \(formats.joined(separator: " "))"]
        lines += otherLines.filter { $0.type == "i" }.map { "i=\($0.value)" }
        if let connection { lines.append("c=\(connection.text)") }
        lines += bandwidths.map { "b=\($0.text)" }
        lines += otherLines.filter { $0.type == "k" }.map { "k=\($0.value)" }

        lines += candidates.map { "a=candidate:\($0.attributeValue)" }
        if endOfCandidates { lines.append("a=end-of-candidates") }
        if let iceUfrag { lines.append("a=ice-ufrag:\(iceUfrag)") }
        if let icePassword { lines.append("a=ice-pwd:\(icePassword)") }
        if !iceOptions.isEmpty { lines.append("a=ice-options:" + iceOptions.joined(separator: " ")) }
        lines += fingerprints.map { "a=fingerprint:\($0.text)" }
        if let setup { lines.append("a=setup:\(setup.rawValue)") }
        if let mid { lines.append("a=mid:\(mid)") }
        if extmapAllowMixed { lines.append("a=extmap-allow-mixed") }
        lines += extensions.map { "a=extmap:\($0.text)" }
        if isRTP || attributes.contains(where: { Direction(rawValue: $0.name) != nil }) {
            lines.append("a=\(direction.rawValue)")
        }
        lines += msids.map { "a=msid:\($0.text)" }
        if rtcpMux { lines.append("a=rtcp-mux") }
        if rtcpReducedSize { lines.append("a=rtcp-rsize") }

        for codec in codecs {
            lines.append("a=rtpmap:\(codec.rtpmapText)")
            lines += codec.feedback.map { "a=rtcp-fb:\(codec.payloadType) \($0)" }
            if let fmtp = codec.fmtpText { lines.append("a=fmtp:\(fmtp)") }
        }
        lines += ssrcGroups.map { "a=ssrc-group:\($0.text)" }
        lines += ssrcs.map { "a=ssrc:\($0.text)" }
        lines += rids.map { "a=rid:\($0.text)" }
        if let simulcast { lines.append("a=simulcast:\(simulcast.text)") }

        for attribute in attributes where !isModeled(attribute) {
            lines.append("a=\(attribute.text)")
        }
        return lines
    }
}
