/// Codec, header extension and source negotiation for one offered m-section.
enum Negotiation {
    /// Returns the answer's codecs for a section in offer order: every offered codec that a
    /// capability matches, each followed where offered by its RTX codec. Payload types, fmtp
    /// parameters and names stay as offered, and rtcp-fb keeps the types both sides list.
    static func codecs(
        of section: MediaDescription, capabilities: [CodecCapability], acceptedExtensions: [HeaderExtension]
    ) -> [Codec] {
        let hasTransportCC = acceptedExtensions.contains { $0.uri == HeaderExtensionURI.transportWideCC }
        var accepted: [UInt8: CodecCapability] = [:]
        for codec in section.codecs where !codec.isRTX {
            if let capability = capabilities.first(where: { $0.matches(codec, kind: section.kind) }) {
                accepted[codec.payloadType] = capability
            }
        }

        var result: [Codec] = []
        for offered in section.codecs {
            if let apt = offered.associatedPayloadType {
                // An RTX codec is accepted when the codec it repairs is, and takes no feedback.
                guard let capability = accepted[apt], capability.acceptsRTX,
                    section.codec(payloadType: apt)?.rtxPayloadType == offered.payloadType
                else { continue }
                var rtx = offered
                rtx.feedback = []
                result.append(rtx)
                continue
            }
            guard let capability = accepted[offered.payloadType] else { continue }
            var codec = offered
            codec.feedback = offered.feedback.filter { type in
                let lowered = type.lowercased()
                if lowered == "transport-cc", !hasTransportCC { return false }
                return capability.feedback.contains { $0.lowercased() == lowered }
            }
            codec.parameters = answerParameters(for: offered, capability: capability)
            codec.rtxPayloadType = capability.acceptsRTX ? offered.rtxPayloadType : nil
            result.append(codec)
        }
        return result
    }

    /// The fmtp parameters of the answer: the offer's, except that an H.264 level above the
    /// capability's is lowered to it when either side does not allow level asymmetry
    /// (RFC 6184 section 8.2.2).
    private static func answerParameters(for codec: Codec, capability: CodecCapability) -> [FormatParameter] {
        guard codec.hasName("H264"),
            let localText = capability.parameter("profile-level-id"),
            let local = H264ProfileLevelID(localText),
            let offeredText = codec.parameter("profile-level-id"),
            var offered = H264ProfileLevelID(offeredText)
        else { return codec.parameters }

        let asymmetry =
            codec.parameter("level-asymmetry-allowed") == "1"
            && capability.parameter("level-asymmetry-allowed") == "1"
        // NOTE: levels are compared by level_idc, which orders level 1b (level_idc 11 with
        // constraint_set3, or 9) next to level 1.1 rather than between 1.0 and 1.1.
        guard !asymmetry, local.levelIDC < offered.levelIDC else { return codec.parameters }
        offered.levelIDC = local.levelIDC
        return codec.parameters.map { parameter in
            parameter.name.lowercased() == "profile-level-id"
                ? FormatParameter(parameter.name, offered.text) : parameter
        }
    }

    /// Returns the offered extensions whose URI is supported, with the offerer's ids and the
    /// direction reversed when the offer restricts it (RFC 8285 section 7).
    static func extensions(of section: MediaDescription, supported: [String]) -> [HeaderExtension] {
        section.extensions.compactMap { offered in
            guard supported.contains(offered.uri) else { return nil }
            return HeaderExtension(id: offered.id, uri: offered.uri, direction: offered.direction?.reversed)
        }
    }

    /// Returns the media sources the offer declares, leaving out RTX and FEC sources that
    /// follow a media source in an `FID` or `FEC-FR` group.
    static func remoteSSRCs(of section: MediaDescription) -> [RemoteSSRC] {
        var repairs: [UInt32: UInt32] = [:]
        var secondary: Set<UInt32> = []
        for group in section.ssrcGroups where group.ssrcs.count >= 2 {
            guard group.semantics == "FID" || group.semantics == "FEC-FR" else { continue }
            secondary.formUnion(group.ssrcs.dropFirst())
            if group.semantics == "FID", repairs[group.ssrcs[0]] == nil { repairs[group.ssrcs[0]] = group.ssrcs[1] }
        }

        var ordered: [UInt32] = []
        var seen: Set<UInt32> = []
        let mentioned = section.ssrcGroups.flatMap(\.ssrcs) + section.ssrcs.map(\.ssrc)
        for ssrc in mentioned where !secondary.contains(ssrc) && seen.insert(ssrc).inserted {
            ordered.append(ssrc)
        }
        return ordered.map { ssrc in
            RemoteSSRC(ssrc: ssrc, rtxSSRC: repairs[ssrc], cname: section.ssrcAttribute("cname", of: ssrc))
        }
    }
}
