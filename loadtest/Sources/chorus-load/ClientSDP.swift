import SDP
import Wire

/// The local end of one peer connection, as a browser would describe it in SDP.
struct LocalTransportDescription {
    var ufrag: String
    var password: String
    /// SHA-256 fingerprint of the DTLS certificate, colon-separated hex (RFC 8122 section 5).
    var fingerprint: String
    var address: SocketAddress

    var candidate: Candidate {
        Candidate(
            foundation: "1", component: 1, transport: "udp", priority: 2_130_706_431, address: address.host,
            port: Int(address.port), kind: .host)
    }

    /// Writes the ICE, DTLS and candidate attributes that every m-section of this connection carries.
    func apply(to section: inout MediaDescription, setup: SetupRole) {
        section.port = Int(address.port)
        section.connection = Connection(address: address.host)
        section.iceUfrag = ufrag
        section.icePassword = password
        section.fingerprints = [Fingerprint(algorithm: "sha-256", value: fingerprint)]
        section.setup = setup
        section.candidates = [candidate]
        section.endOfCandidates = true
        section.rtcpMux = true
        section.rtcpReducedSize = true
    }
}

/// What a publisher offers to send: an Opus track, a VP8 track (one SSRC, or three rids for simulcast), or both.
struct PublishPlan {
    var cname: String
    var audioSSRC: UInt32?
    /// One SSRC per simulcast layer, lowest first; one entry without simulcast.
    var videoSSRCs: [UInt32]
    var simulcast: Bool
    var dependencyDescriptor: Bool

    static let audioMid = "0"
    static let videoMid = "1"
    static let audioPayloadType: UInt8 = 111
    static let videoPayloadType: UInt8 = 96
    /// Simulcast rids, lowest layer first, as browsers commonly name them.
    static let rids = ["q", "h", "f"]
}

/// Header extension ids this client offers. One-byte ids (1 to 14) are shared across the BUNDLE group.
enum OfferedExtensionID {
    static let audioLevel = 1
    static let absoluteSendTime = 2
    static let transportWideCC = 3
    static let mid = 4
    static let rtpStreamID = 10
    static let repairedRTPStreamID = 11
    static let dependencyDescriptor = 12
}

/// Builds the offers and answers a browser would send, with the SDP target's types.
enum ClientSDP {
    static let proto = "UDP/TLS/RTP/SAVPF"
    static let opus = Codec(
        payloadType: PublishPlan.audioPayloadType, name: "opus", clockRate: 48000, channels: 2,
        parameters: [
            FormatParameter("minptime", "10"), FormatParameter("useinbandfec", "1"),
            FormatParameter("usedtx", "1"),
        ],
        feedback: ["transport-cc"])
    static let vp8 = Codec(
        payloadType: PublishPlan.videoPayloadType, name: "VP8", clockRate: 90000,
        feedback: ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"])

    /// Returns the offer of a publishing connection (conference `publish` or WHIP): sendonly sections with
    /// actpass, so that the answerer takes the DTLS server role.
    static func publishOffer(local: LocalTransportDescription, plan: PublishPlan) -> String {
        var description = SessionDescription(origin: origin())
        var mids: [String] = []
        if let ssrc = plan.audioSSRC {
            var section = MediaDescription(kind: .audio, proto: proto, formats: [String(opus.payloadType)])
            local.apply(to: &section, setup: .actpass)
            section.mid = PublishPlan.audioMid
            section.direction = .sendonly
            section.codecs = [opus]
            section.extensions = [
                HeaderExtension(id: OfferedExtensionID.audioLevel, uri: HeaderExtensionURI.audioLevel),
                HeaderExtension(id: OfferedExtensionID.transportWideCC, uri: HeaderExtensionURI.transportWideCC),
                HeaderExtension(id: OfferedExtensionID.mid, uri: HeaderExtensionURI.mid),
            ]
            section.msid = MSID(stream: plan.cname, track: "\(plan.cname)-audio")
            section.ssrcs = [SSRCAttribute(ssrc: ssrc, name: "cname", value: plan.cname)]
            description.media.append(section)
            mids.append(PublishPlan.audioMid)
        }
        if !plan.videoSSRCs.isEmpty {
            var section = MediaDescription(kind: .video, proto: proto, formats: [String(vp8.payloadType)])
            local.apply(to: &section, setup: .actpass)
            section.mid = PublishPlan.videoMid
            section.direction = .sendonly
            section.codecs = [vp8]
            section.extensions = videoExtensions(dependencyDescriptor: plan.dependencyDescriptor)
            section.msid = MSID(stream: plan.cname, track: "\(plan.cname)-video")
            if plan.simulcast {
                section.rids = PublishPlan.rids.map { RIDDescription(id: $0, direction: .send) }
                section.simulcast = Simulcast(send: PublishPlan.rids.map { [SimulcastStream(rid: $0)] })
            } else if let ssrc = plan.videoSSRCs.first {
                section.ssrcs = [SSRCAttribute(ssrc: ssrc, name: "cname", value: plan.cname)]
            }
            description.media.append(section)
            mids.append(PublishPlan.videoMid)
        }
        description.bundleGroups = [mids]
        return description.serialize()
    }

    /// Returns a WHEP offer (RFC 9725 has the client offer): one recvonly audio and one recvonly video section.
    static func receiveOffer(local: LocalTransportDescription, audio: Bool, video: Bool) -> String {
        var description = SessionDescription(origin: origin())
        var mids: [String] = []
        if audio {
            var section = MediaDescription(kind: .audio, proto: proto, formats: [String(opus.payloadType)])
            local.apply(to: &section, setup: .actpass)
            section.mid = String(mids.count)
            section.direction = .recvonly
            section.codecs = [opus]
            description.media.append(section)
            mids.append(section.mid ?? "")
        }
        if video {
            var section = MediaDescription(kind: .video, proto: proto, formats: [String(vp8.payloadType)])
            local.apply(to: &section, setup: .actpass)
            section.mid = String(mids.count)
            section.direction = .recvonly
            section.codecs = [vp8]
            description.media.append(section)
            mids.append(section.mid ?? "")
        }
        description.bundleGroups = [mids]
        return description.serialize()
    }

    /// Answers an offer in which the server sends (the conference subscriber connection). Each sendonly
    /// section is accepted as recvonly with its first codec, every other section is answered inactive, and the
    /// client takes the DTLS client role (`setup:active`, RFC 5763 section 5).
    static func answer(toSendingOffer offer: SessionDescription, local: LocalTransportDescription) -> String {
        var description = SessionDescription(origin: origin())
        for section in offer.media {
            var answer = MediaDescription(kind: section.kind, proto: section.proto, formats: section.formats)
            local.apply(to: &answer, setup: .active)
            answer.mid = section.mid
            if section.direction.sends, let codec = section.codecs.first(where: { !$0.isRTX }) {
                answer.direction = .recvonly
                answer.formats = [String(codec.payloadType)]
                answer.codecs = [codec]
            } else {
                answer.direction = .inactive
                answer.codecs = section.codecs.prefix(1).map { $0 }
                answer.formats = answer.codecs.map { String($0.payloadType) }
                if answer.formats.isEmpty { answer.formats = section.formats }
            }
            description.media.append(answer)
        }
        description.bundleGroups = offer.bundleGroups.prefix(1).map { $0 }
        return description.serialize()
    }

    private static func videoExtensions(dependencyDescriptor: Bool) -> [HeaderExtension] {
        var extensions = [
            HeaderExtension(id: OfferedExtensionID.absoluteSendTime, uri: HeaderExtensionURI.absoluteSendTime),
            HeaderExtension(id: OfferedExtensionID.transportWideCC, uri: HeaderExtensionURI.transportWideCC),
            HeaderExtension(id: OfferedExtensionID.mid, uri: HeaderExtensionURI.mid),
            HeaderExtension(id: OfferedExtensionID.rtpStreamID, uri: HeaderExtensionURI.rtpStreamID),
            HeaderExtension(id: OfferedExtensionID.repairedRTPStreamID, uri: HeaderExtensionURI.repairedRTPStreamID),
        ]
        if dependencyDescriptor {
            extensions.append(
                HeaderExtension(
                    id: OfferedExtensionID.dependencyDescriptor, uri: HeaderExtensionURI.dependencyDescriptor))
        }
        return extensions
    }

    private static func origin() -> Origin {
        Origin(sessionID: String(UInt64.random(in: 1...UInt64(Int64.max))), sessionVersion: "2")
    }
}
