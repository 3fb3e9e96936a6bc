import Crypto
import DTLS
import SDP
import SRTP

/// What Chorus negotiates with clients.
enum MediaCapabilities {
    /// Codecs accepted from publishers, with RTX (RFC 4588), which the worker unwraps. red, ulpfec
    /// and flexfec are declined because the SFU forwards them without understanding them.
    static var defaultCodecs: [CodecCapability] {
        CodecCapability.defaults.map { capability in
            var copy = capability
            copy.acceptsRTX = capability.kind == .video
            copy.feedback = capability.feedback.filter(publisherFeedback.contains)
            return copy
        }
    }

    /// Feedback Chorus handles on each leg. Transport-wide feedback and REMB stay off toward
    /// subscribers because the SFU does not read them yet.
    static let supportedFeedback: Set<String> = ["nack", "nack pli", "ccm fir"]

    /// Feedback Chorus sends to publishers: NACK, PLI and FIR, and REMB, which announces a fixed
    /// bitrate cap (`MediaWorker.announcedPublisherBitrate`) until a receive-side estimator exists.
    /// Transport-wide feedback stays off, so that a publisher's congestion controller does not
    /// wait for reports that never come.
    static let publisherFeedback: Set<String> = supportedFeedback.union(["goog-remb"])

    /// Header extensions accepted. mid binds unannounced SSRCs to tracks; the stream ids and audio
    /// level are read by later stages.
    static let headerExtensions: [String] = [
        HeaderExtensionURI.mid, HeaderExtensionURI.rtpStreamID, HeaderExtensionURI.repairedRTPStreamID,
        HeaderExtensionURI.audioLevel,
    ]

    /// Capabilities a subscriber may receive: exactly the formats the publisher sends.
    static func restricted(to tracks: [TrackDescription]) -> [CodecCapability] {
        var capabilities: [CodecCapability] = []
        for track in tracks {
            for codec in track.codecs {
                var capability = CodecCapability(
                    matching: codec, kind: track.kind == .audio ? .audio : .video, acceptsRTX: false)
                capability.feedback = capability.feedback.filter(supportedFeedback.contains)
                capabilities.append(capability)
            }
        }
        return capabilities
    }
}

extension SRTPSession {
    /// Creates the SRTP context for one direction from the keys the DTLS handshake exported.
    convenience init(keys: SRTPKeys, direction: Direction) throws {
        let profile: SRTPProtectionProfile
        switch keys.profile {
        case .aeadAES128GCM: profile = .aeadAES128GCM
        case .aesCM128HMACSHA1_80: profile = .aesCM128HMACSHA1_80
        }
        switch direction {
        case .outbound:
            try self.init(profile: profile, key: keys.localKey, salt: keys.localSalt, direction: .outbound)
        case .inbound:
            try self.init(profile: profile, key: keys.remoteKey, salt: keys.remoteSalt, direction: .inbound)
        }
    }
}
