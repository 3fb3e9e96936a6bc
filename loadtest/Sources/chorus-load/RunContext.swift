import Crypto
import HTTPServer
import SDP
import Wire

/// One participant as the run planned it.
struct ParticipantPlan {
    let index: Int
    let roomIndex: Int
    let room: String
    let identity: String
    let publishes: Bool
    let subscribes: Bool
    /// Identities of the room's publishers that this participant receives.
    let receivesFrom: [String]
    /// Tracks it should receive: every track of every publisher in `receivesFrom`.
    let expectedTracks: Int
    /// Receiving peer connections it should open: one in a conference, one per publisher with WHEP.
    let expectedSubscriberTransports: Int
}

/// State shared by every participant of a run: options, the HTTP client, the media loops and the status board.
final class RunContext: @unchecked Sendable {
    let options: LoadOptions
    let client: HTTPClient
    let baseURL: ClientURL
    let loops: [MediaLoop]
    let status: StatusBoard
    let signer: TokenSigner
    /// One DTLS certificate for all participants; the server checks each connection's fingerprint only.
    let certificate: Certificate
    /// The local address sockets bind to: loopback when the server is on loopback.
    let bindAddress: SocketAddress
    let shape: VideoShape
    /// Tokens stay valid through joining, the run and leaving.
    let tokenLifetimeSeconds: Int

    init(options: LoadOptions, client: HTTPClient, baseURL: ClientURL, loops: [MediaLoop], status: StatusBoard)
        throws
    {
        self.options = options
        self.client = client
        self.baseURL = baseURL
        self.loops = loops
        self.status = status
        signer = TokenSigner(apiKey: options.apiKey, apiSecret: options.apiSecret)
        certificate = try Certificate.generate()
        let host = baseURL.host == "localhost" ? "127.0.0.1" : baseURL.host
        if let address = SocketAddress.parseIPv4(host, port: 0), address.host.hasPrefix("127.") {
            bindAddress = .v4(address: 0x7F00_0001, port: 0)
        } else {
            bindAddress = .v4(address: 0, port: 0)
        }
        shape = VideoShape(
            framesPerSecond: options.framesPerSecond,
            keyframeIntervalMicroseconds: Int64(options.keyframeIntervalSeconds * 1e6), keyframeFactor: 5...10,
            endToEndEncrypted: options.e2ee, endToEndKey: SecureRandom.bytes(16))
        tokenLifetimeSeconds = Int(options.connectTimeoutSeconds + options.durationSeconds) + 3600
    }

    func loop(for plan: ParticipantPlan) -> MediaLoop {
        loops[plan.index % loops.count]
    }

    func makeTransport(for plan: ParticipantPlan, role: PeerTransport.Role) throws -> PeerTransport {
        try PeerTransport(
            participantIndex: plan.index, role: role, certificate: certificate, bindAddress: bindAddress,
            batchCapacity: role == .publisher ? 64 : 16, status: status,
            loopStatistics: loop(for: plan).statistics)
    }

    /// Returns the SSRCs and layout of what a publisher sends.
    func publishPlan(for plan: ParticipantPlan) -> PublishPlan {
        let layers = options.simulcast ? PublishPlan.rids.count : 1
        return PublishPlan(
            cname: plan.identity, audioSSRC: options.audio ? UInt32.random(in: 1...UInt32.max) : nil,
            videoSSRCs: options.video ? (0..<layers).map { _ in UInt32.random(in: 1...UInt32.max) } : [],
            simulcast: options.simulcast, dependencyDescriptor: options.dependencyDescriptor || options.e2ee)
    }

    /// Builds the senders the answer accepted and gives them to `transport`, then starts its ICE checks. The
    /// senders are built here and touched only on the loop thread from then on.
    func startPublishing(
        _ transport: PeerTransport, plan: ParticipantPlan, publishPlan: PublishPlan, answer: SessionDescription
    ) throws {
        let remote = try answer.remoteTransport()
        let parameters = answer.sendParameters()
        var audio: AudioSender?
        if let ssrc = publishPlan.audioSSRC, parameters.audioAccepted {
            audio = AudioSender(
                ssrc: ssrc, ids: parameters.audioExtensions, shape: shape, seed: UInt64.random(in: 0...UInt64.max))
        }
        var video: VideoTrackSender?
        if parameters.videoAccepted, !publishPlan.videoSSRCs.isEmpty {
            video = VideoTrackSender(
                streams: videoStreams(publishPlan, parameters: parameters), framesPerSecond: options.framesPerSecond)
        }
        if publishPlan.audioSSRC != nil, audio == nil { status.recordError(plan.index, "the answer rejected audio") }
        if !publishPlan.videoSSRCs.isEmpty, video == nil { status.recordError(plan.index, "the answer rejected video") }
        let loop = loop(for: plan)
        loop.run {
            transport.audio = audio
            transport.video = video
            transport.start(remote: remote, now: Instant.now().microseconds)
        }
        loop.startMedia(transport)
    }

    /// One stream per layer: 1/16, 1/4 and all of the bitrate with simulcast, as the options describe.
    private func videoStreams(_ publishPlan: PublishPlan, parameters: SendParameters) -> [VideoStreamSender] {
        let layered = publishPlan.simulcast && parameters.simulcastAccepted
        let divisors = layered ? [16, 4, 1] : [1]
        let scales = layered ? [4, 2, 1] : [1]
        var streams: [VideoStreamSender] = []
        for (layer, divisor) in divisors.enumerated() {
            let index = layered ? layer : publishPlan.videoSSRCs.count - 1
            streams.append(
                VideoStreamSender(
                    ssrc: publishPlan.videoSSRCs[index], layer: UInt8(layered ? layer : 0),
                    bitrate: options.videoBitrate / divisor, width: 1280 / scales[layer], height: 720 / scales[layer],
                    shape: shape, ids: parameters.videoExtensions,
                    rid: publishPlan.simulcast ? PublishPlan.rids[index] : nil, seed: UInt64.random(in: 0...UInt64.max))
            )
        }
        return streams
    }

    /// Adds a receiver for every slot whose SSRC is new to `transport`, and starts its checks on the first answer.
    func startReceiving(
        _ transport: PeerTransport, plan: ParticipantPlan, slots: [ReceivedTrackSlot], remote: RemoteTransport?
    ) {
        loop(for: plan).run {
            let now = Instant.now().microseconds
            for slot in slots where transport.receivers[slot.ssrc] == nil {
                transport.receivers[slot.ssrc] = TrackReceiver(slot: slot, announcedAt: now)
            }
            if let remote { transport.start(remote: remote, now: now) }
        }
    }
}
