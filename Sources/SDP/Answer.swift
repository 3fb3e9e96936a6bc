/// Generates an ICE-lite answer to a client's offer (RFC 8829 section 5.3.1, RFC 3264 section 6).
///
/// Every accepted m-section gets the local ICE credentials, fingerprint, candidates followed by
/// `a=end-of-candidates`, `a=rtcp-mux` and a setup role: `passive` when the offer is `actpass`,
/// `active` or has no setup attribute (RFC 4145 section 4 makes `active` the default), `active`
/// when the offer is `passive`. All accepted sections form one BUNDLE group. Codecs, payload
/// types and header extension ids are the offerer's.
///
/// A section is rejected (port 0, same mid) when the offer rejected it, when it is not audio or
/// video over DTLS-SRTP (data channels included), when it has no `a=rtcp-mux`, when it is
/// outside the first BUNDLE group, or when no codec matches. Without any BUNDLE group only the
/// first usable section is accepted, because the answerer runs a single transport, and that
/// section may lack a mid. The answer has a BUNDLE group only when the offer has one
/// (RFC 8843 section 7.3).
///
/// - Throws: `SDPError` when the offer is ICE-lite too, when no section can be accepted, when the
///   first section of the offer's BUNDLE group cannot be accepted, or when an accepted section has
///   missing or invalid ICE credentials, no fingerprint, or setup role `holdconn`. The offerer
///   takes the BUNDLE transport from that first section, so an answer that rejects it would leave
///   the accepted sections without one.
public func makeAnswer(
    to offer: SessionDescription, role: AnswerRole, options: AnswerOptions
) throws -> (answer: SessionDescription, media: [NegotiatedMedia]) {
    guard !offer.iceLite else {
        throw SDPError(
            "the offer is ICE-lite, but so is the answerer, and two lite agents never send connectivity checks")
    }
    let bundle = offer.bundleGroups.first
    var answer = SessionDescription(
        origin: Origin(sessionID: String(options.sessionID), sessionVersion: String(options.sessionVersion)))
    answer.iceLite = true
    answer.extmapAllowMixed = offer.extmapAllowMixed

    var negotiated: [NegotiatedMedia] = []
    var rejections: [Int: String] = [:]
    for (index, section) in offer.media.enumerated() {
        if let reason = rejectionReason(for: section, bundle: bundle, alreadyAccepted: !negotiated.isEmpty) {
            rejections[index] = reason
            answer.media.append(rejectedSection(for: section))
            continue
        }
        let extensions = Negotiation.extensions(of: section, supported: options.supportedExtensions)
        let codecs = Negotiation.codecs(
            of: section, capabilities: options.supportedCodecs, acceptedExtensions: extensions)
        guard codecs.contains(where: { !$0.isRTX }) else {
            rejections[index] = "no offered codec is supported (offered: \(codecNames(of: [section])))"
            answer.media.append(rejectedSection(for: section))
            continue
        }

        let setup = try checkTransport(of: offer, mediaIndex: index)
        var media = NegotiatedMedia(
            index: index, mid: section.mid ?? "", kind: section.kind, codecs: codecs.filter { !$0.isRTX },
            extensions: extensions, direction: .inactive, rids: [], simulcast: nil,
            remoteSSRCs: Negotiation.remoteSSRCs(of: section),
            ssrcSimulcast: section.ssrcGroups.first { $0.semantics == "SIM" }?.ssrcs ?? [], track: nil)
        var built = acceptedSection(for: section, codecs: codecs, setup: setup, options: options)
        built.extensions = extensions
        applyRole(role, offered: section, index: index, to: &built, negotiated: &media)
        answer.media.append(built)
        negotiated.append(media)
    }

    guard !negotiated.isEmpty else {
        let audioVideo = offer.media.filter { $0.kind == .audio || $0.kind == .video }
        if audioVideo.isEmpty { throw SDPError("the offer has no audio or video media section") }
        throw SDPError(
            "no audio or video media section has a supported codec and transport "
                + "(offered codecs: \(codecNames(of: audioVideo)))"
        )
    }
    if let tag = bundle?.first, let tagIndex = offer.mediaIndex(mid: tag), let reason = rejections[tagIndex] {
        // The offerer takes the BUNDLE transport from this section, so an answer that rejects
        // it leaves the other accepted sections without a transport.
        throw SDPError(
            "media section '\(tag.excerpt)' is the first of the offer's BUNDLE group, so it cannot be rejected, "
                + "but it is not usable: \(reason). Put a supported audio or video section first.")
    }
    if bundle != nil {
        answer.bundleGroups = [negotiated.map(\.mid)]
    }
    return (answer, negotiated)
}

/// Returns why a section cannot join the answerer's single bundled DTLS-SRTP transport, or nil
/// when it can.
private func rejectionReason(for section: MediaDescription, bundle: [String]?, alreadyAccepted: Bool) -> String? {
    if section.isRejected { return "the offer rejected it with port 0" }
    if section.kind == .application, section.formats.contains("webrtc-datachannel") {
        return "data channels are not supported"
    }
    guard section.kind == .audio || section.kind == .video else {
        return "media type '\(section.kind.description.excerpt)' is not supported"
    }
    guard section.isRTP, section.proto.uppercased().contains("SAVP") else {
        return "transport '\(section.proto.excerpt)' is not DTLS-SRTP"
    }
    guard section.rtcpMux else { return "it has no a=rtcp-mux" }
    guard let bundle else {
        return alreadyAccepted ? "without BUNDLE only the first media section can be accepted" : nil
    }
    guard let mid = section.mid, bundle.contains(mid) else { return "it is not in the first BUNDLE group" }
    return nil
}

/// Returns the distinct names of the non-RTX codecs of these sections, for error messages.
private func codecNames(of sections: [MediaDescription]) -> String {
    var names: [String] = []
    for codec in sections.flatMap(\.codecs) where !codec.isRTX {
        if !names.contains(where: { $0.lowercased() == codec.name.lowercased() }) { names.append(codec.name) }
    }
    return names.isEmpty ? "none" : names.prefix(20).map(\.excerpt).joined(separator: ", ")
}

/// Checks the ICE credentials and fingerprint that apply to a section and returns the answer's
/// setup role for it.
private func checkTransport(of offer: SessionDescription, mediaIndex: Int) throws -> SetupRole {
    let label = offer.media[mediaIndex].mid.map { "media section '\($0.excerpt)'" } ?? "media section \(mediaIndex)"
    guard let ufrag = offer.iceUfrag(forMediaAt: mediaIndex), let password = offer.icePassword(forMediaAt: mediaIndex)
    else {
        throw SDPError("\(label) has no ICE credentials (a=ice-ufrag and a=ice-pwd)")
    }
    guard isICEString(ufrag, lengths: 4...256) else {
        throw SDPError(
            "\(label) has an invalid a=ice-ufrag '\(ufrag.excerpt)': "
                + "RFC 8839 requires 4 to 256 letters, digits, '+' or '/'"
        )
    }
    guard isICEString(password, lengths: 22...256) else {
        throw SDPError("\(label) has an invalid a=ice-pwd: RFC 8839 requires 22 to 256 letters, digits, '+' or '/'")
    }
    guard offer.fingerprint(forMediaAt: mediaIndex) != nil else {
        throw SDPError("\(label) has no DTLS certificate fingerprint (a=fingerprint)")
    }
    switch offer.setup(forMediaAt: mediaIndex) {
    case .passive:
        return .active
    case .holdconn:
        throw SDPError("\(label) has a=setup:holdconn, so no DTLS connection can be made")
    case .actpass, .active, nil:
        return .passive
    }
}

/// Returns true for an `ice-char` string (RFC 8839 section 9.1) with a length in `lengths`.
private func isICEString(_ text: String, lengths: ClosedRange<Int>) -> Bool {
    let valid = text.utf8.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
    return valid && lengths.contains(text.utf8.count)
}

/// Returns the m= port and c= address of the default candidate (RFC 8839 section 4.2.1.4): the first
/// UDP candidate with an IP address, or port 9 and 0.0.0.0 when there is none.
private func defaultAddress(of candidates: [Candidate]) -> (port: Int, connection: Connection) {
    for candidate in candidates where candidate.isUDP && candidate.component == 1 {
        if candidate.address.contains(":") {
            return (candidate.port, Connection(addressType: "IP6", address: candidate.address))
        }
        if candidate.address.split(separator: ".").count == 4,
            candidate.address.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
        {
            return (candidate.port, Connection(address: candidate.address))
        }
    }
    return (9, Connection())
}

private func acceptedSection(
    for offered: MediaDescription, codecs: [Codec], setup: SetupRole, options: AnswerOptions
) -> MediaDescription {
    let address = defaultAddress(of: options.candidates)
    var section = MediaDescription(
        kind: offered.kind, port: address.port, proto: offered.proto, formats: codecs.map { String($0.payloadType) })
    section.connection = address.connection
    section.mid = offered.mid
    section.codecs = codecs
    section.iceUfrag = options.iceUfrag
    section.icePassword = options.icePassword
    section.fingerprint = options.fingerprint
    section.setup = setup
    section.candidates = options.candidates
    section.endOfCandidates = true
    section.rtcpMux = true
    section.rtcpReducedSize = offered.rtcpReducedSize
    section.extmapAllowMixed = offered.extmapAllowMixed
    return section
}

/// Builds a rejected section: port 0 with the offered media type, proto, formats and mid
/// (RFC 3264 section 6, RFC 8829 section 5.3.1).
private func rejectedSection(for offered: MediaDescription) -> MediaDescription {
    var section = MediaDescription(kind: offered.kind, port: 0, proto: offered.proto, formats: offered.formats)
    section.connection = Connection()
    section.mid = offered.mid
    section.direction = .inactive
    return section
}

/// Sets the direction, simulcast and sending sources of an accepted section.
private func applyRole(
    _ role: AnswerRole, offered: MediaDescription, index: Int, to section: inout MediaDescription,
    negotiated: inout NegotiatedMedia
) {
    switch role {
    case .receiveFromClient:
        section.direction = offered.direction.sends ? .recvonly : .inactive
        if section.direction == .recvonly {
            receiveSimulcast(
                offered: offered, acceptedPayloadTypes: Set(section.codecs.map(\.payloadType)), into: &section)
        }
    case .sendToClient(let tracks):
        let track = index < tracks.count ? tracks[index] : nil
        guard let track, offered.direction.receives else {
            section.direction = .inactive
            break
        }
        section.direction = .sendonly
        addSources(of: track, to: &section)
        negotiated.track = track
    }
    negotiated.direction = section.direction
    negotiated.rids = section.rids
    negotiated.simulcast = section.simulcast
}

/// Sets `recv` rids and simulcast from the offer's `send` ones (RFC 8853 section 5.3). Each rid
/// keeps its restrictions and the accepted payload types of its pt list. A rid left with no
/// payload type is dropped along with its simulcast entry.
private func receiveSimulcast(
    offered: MediaDescription, acceptedPayloadTypes: Set<UInt8>, into section: inout MediaDescription
) {
    var kept: [RIDDescription] = []
    for rid in offered.rids where rid.direction == .send {
        var answer = rid
        answer.direction = .recv
        if !rid.payloadTypes.isEmpty {
            answer.payloadTypes = rid.payloadTypes.filter { acceptedPayloadTypes.contains($0) }
            if answer.payloadTypes.isEmpty { continue }
        }
        kept.append(answer)
    }
    section.rids = kept
    guard let simulcast = offered.simulcast, !simulcast.send.isEmpty else { return }

    let keptIDs = Set(kept.map(\.id))
    let streams = simulcast.send.map { $0.filter { keptIDs.contains($0.rid) } }.filter { !$0.isEmpty }
    section.simulcast = streams.isEmpty ? nil : Simulcast(receive: streams)
}

/// Adds `a=msid` and the `a=ssrc` lines of a sent track, with its RTX source when RTX was
/// negotiated for any codec of the section.
private func addSources(of track: OutgoingTrack, to section: inout MediaDescription) {
    let msid = MSID(stream: track.streamID, track: track.trackID)
    section.msid = msid
    var ssrcs = [track.ssrc]
    if let rtx = track.rtxSSRC, section.codecs.contains(where: \.isRTX) {
        ssrcs.append(rtx)
        section.ssrcGroups = [SSRCGroup(semantics: "FID", ssrcs: ssrcs)]
    }
    for ssrc in ssrcs {
        section.ssrcs.append(SSRCAttribute(ssrc: ssrc, name: "cname", value: track.cname))
        section.ssrcs.append(SSRCAttribute(ssrc: ssrc, name: "msid", value: msid.text))
    }
}
