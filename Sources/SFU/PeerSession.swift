import Crypto
import DTLS
import ICE
import SRTP
import Wire

/// One WebRTC peer connection: a WHIP publisher or a WHEP subscriber.
///
/// Created on the control thread, then owned by one media worker, which alone
/// touches its ICE, DTLS and SRTP state.
final class PeerSession {
    enum Role: String {
        case publisher
        case subscriber
    }

    enum State: String {
        case new
        case iceConnected = "ice_connected"
        case connected
        case closed
    }

    let id: String
    let role: Role
    let roomName: String
    let identity: String
    let ice: ICELiteAgent
    let dtls: DTLSTransport
    /// SSRC Chorus uses as the sender of RTCP on this leg.
    let localSSRC: UInt32

    var state: State = .new
    var address: SocketAddress?
    var inbound: SRTPSession?
    var outbound: SRTPSession?
    let createdAt: Instant

    /// Publisher side: tracks by mid, and the lookups that find a packet's track.
    var upTracksByMid: [String: UpTrack] = [:]
    var upTracksBySSRC: [UInt32: UpTrack] = [:]
    /// Incoming SSRC to the stream it carries, bound at the SSRC's first packet.
    var streamBindings: [UInt32: UpStreamBinding] = [:]
    /// Header extension ids this peer negotiated for what it sends.
    var extensionIDs = HeaderExtensionIDs()
    /// Payload type to track, for a payload type used by exactly one track.
    var upTracksByPayloadType: [UInt8: UpTrack] = [:]

    /// Subscriber side: downstream legs by the SSRC Chorus sends them with.
    var downTracksBySSRC: [UInt32: DownTrack] = [:]
    /// Subscriber side: what to attach once the worker has the session.
    var pendingSubscriptions: [PendingSubscription] = []

    init(
        id: String, role: Role, roomName: String, identity: String, ice: ICELiteAgent, dtls: DTLSTransport,
        now: Instant
    ) {
        self.id = id
        self.role = role
        self.roomName = roomName
        self.identity = identity
        self.ice = ice
        self.dtls = dtls
        self.localSSRC = SecureRandom.uint32() | 1
        self.createdAt = now
    }

    var isConnected: Bool { state == .connected && address != nil && outbound != nil }

    /// Indexes up tracks by payload type where only one track uses that payload type.
    func indexPayloadTypes() {
        var owners: [UInt8: [UpTrack]] = [:]
        for track in upTracksByMid.values {
            for codec in track.description.codecs { owners[codec.payloadType, default: []].append(track) }
        }
        upTracksByPayloadType = [:]
        for (payloadType, tracks) in owners where tracks.count == 1 {
            upTracksByPayloadType[payloadType] = tracks[0]
        }
    }
}

/// A downstream leg the control plane negotiated, attached by the worker to the
/// publisher's up track with the same mid.
struct PendingSubscription {
    var publisherSessionID: String
    var publisherMid: String
    var ssrc: UInt32
    var payloadTypeMap: [UInt8]
    /// Highest simulcast layer to forward (0 is the lowest); nil for the highest the track has.
    var maxLayer: Int? = nil
}
