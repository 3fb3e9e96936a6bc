import SDP
import Wire

/// The server's end of one peer connection, read from its SDP.
struct RemoteTransport {
    var ufrag: String
    var password: String
    var fingerprintAlgorithm: String
    var fingerprint: String
    var address: SocketAddress
}

/// Header extension ids of one connection, as the answer accepted them; nil for an extension not negotiated.
struct NegotiatedExtensionIDs: Equatable {
    var mid: UInt8?
    var rid: UInt8?
    var audioLevel: UInt8?
    var transportWideSequenceNumber: UInt8?
    var absoluteSendTime: UInt8?
    var dependencyDescriptor: UInt8?

    init() {}

    init(_ extensions: [HeaderExtension]) {
        for element in extensions {
            guard (1...14).contains(element.id) else { continue }
            let id = UInt8(element.id)
            switch element.uri {
            case HeaderExtensionURI.mid: mid = id
            case HeaderExtensionURI.rtpStreamID: rid = id
            case HeaderExtensionURI.audioLevel: audioLevel = id
            case HeaderExtensionURI.transportWideCC: transportWideSequenceNumber = id
            case HeaderExtensionURI.absoluteSendTime: absoluteSendTime = id
            case HeaderExtensionURI.dependencyDescriptor: dependencyDescriptor = id
            default: break
            }
        }
    }
}

/// What the answer to a publish offer accepted.
struct SendParameters {
    var audioAccepted: Bool
    var videoAccepted: Bool
    /// Whether the answer receives simulcast (`a=simulcast:recv`); without it only the top layer is sent.
    var simulcastAccepted: Bool
    var audioExtensions = NegotiatedExtensionIDs()
    var videoExtensions = NegotiatedExtensionIDs()
}

/// One m-section in which the server sends a track to this client.
struct ReceivedTrackSlot: Equatable {
    var mid: String
    var ssrc: UInt32
    var isVideo: Bool
    var trackSid: String
    var publisher: String
}

enum RemoteDescriptionError: Error, CustomStringConvertible {
    case invalid(String)

    var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}

extension SessionDescription {
    /// Reads the ICE credentials, fingerprint and first UDP host candidate of the first active m-section.
    func remoteTransport() throws -> RemoteTransport {
        guard let index = media.firstIndex(where: { $0.port != 0 }) else {
            throw RemoteDescriptionError.invalid("the server's description has no active media section")
        }
        guard let ufrag = iceUfrag(forMediaAt: index), let password = icePassword(forMediaAt: index) else {
            throw RemoteDescriptionError.invalid("the server's description has no ICE credentials")
        }
        guard let fingerprint = fingerprint(forMediaAt: index) else {
            throw RemoteDescriptionError.invalid("the server's description has no DTLS fingerprint")
        }
        let candidates = media.flatMap(\.candidates).filter { $0.isUDP && $0.component == 1 }
        guard
            let address = candidates.lazy.compactMap({ candidate -> SocketAddress? in
                guard let port = UInt16(exactly: candidate.port) else { return nil }
                return SocketAddress.parseIPv4(candidate.address, port: port)
            }).first
        else {
            throw RemoteDescriptionError.invalid("the server's description has no IPv4 UDP candidate")
        }
        return RemoteTransport(
            ufrag: ufrag, password: password, fingerprintAlgorithm: fingerprint.algorithm,
            fingerprint: fingerprint.value, address: address)
    }

    /// Reads what an answer to `ClientSDP.publishOffer` accepted.
    func sendParameters() -> SendParameters {
        let audio = media.first { $0.mid == PublishPlan.audioMid && $0.port != 0 && $0.direction.receives }
        let video = media.first { $0.mid == PublishPlan.videoMid && $0.port != 0 && $0.direction.receives }
        var parameters = SendParameters(
            audioAccepted: audio != nil, videoAccepted: video != nil,
            simulcastAccepted: !(video?.simulcast?.receive.isEmpty ?? true))
        if let audio { parameters.audioExtensions = NegotiatedExtensionIDs(audio.extensions) }
        if let video { parameters.videoExtensions = NegotiatedExtensionIDs(video.extensions) }
        return parameters
    }

    /// Lists the sections in which the server sends, with the SSRC it announced (`a=ssrc`, RFC 5576) and the
    /// track id of `a=msid`. `tracks` maps mids to (track sid, publisher) where signaling supplies them.
    func sendingSlots(tracks: [String: (trackSid: String, publisher: String)], defaultPublisher: String)
        -> [ReceivedTrackSlot]
    {
        var slots: [ReceivedTrackSlot] = []
        for section in media where section.port != 0 && section.direction.sends {
            guard let mid = section.mid, let ssrc = section.ssrcs.first?.ssrc else { continue }
            let isVideo = section.kind == .video
            let known = tracks[mid]
            slots.append(
                ReceivedTrackSlot(
                    mid: mid, ssrc: ssrc, isVideo: isVideo,
                    trackSid: known?.trackSid ?? section.msid?.track ?? mid,
                    publisher: known?.publisher ?? section.msid?.stream ?? defaultPublisher))
        }
        return slots
    }
}
