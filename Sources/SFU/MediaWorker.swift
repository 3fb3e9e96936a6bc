import Crypto
import Foundation
import Forwarding
import ICE
import RTCP
import RTP
import SRTP
import STUN
import Transport
import Wire

/// One media-plane thread: its UDP socket, its epoll loop and the sessions placed
/// on it. Every method whose name does not say otherwise runs on the loop thread.
///
/// The worker terminates RTP and RTCP per leg: it receives each publisher stream (statistics,
/// retransmission ring, NACKs, receiver reports), selects a simulcast layer per subscriber leg and
/// rewrites it into one continuous stream (`SimulcastForwarder`), serves the subscriber's NACKs
/// and keyframe requests, and sends the leg's own sender reports. The files named `MediaWorker+*`
/// hold the parts of that work.
public final class MediaWorker: @unchecked Sendable {
    let configuration: SFUConfiguration
    let loop: EventLoop
    let socket: UDPSocket
    let receiveBatch = ReceiveBatch(capacity: 64)
    let sendBatch: SendBatch

    var sessionsByID: [String: PeerSession] = [:]
    var sessionsByUfrag: [String: PeerSession] = [:]
    var sessionsByAddress: [SocketAddress: PeerSession] = [:]
    var counters = MediaCounters()
    /// Active speaker ranking per room name.
    var speakersByRoom: [String: RoomSpeakers] = [:]
    var timers = MediaTimers()
    /// Reused list of sequence numbers to NACK, so that polling does not allocate.
    var nackList: [UInt16] = []

    /// Called on the worker thread when a session ends by itself (ICE timeout, DTLS failure).
    public var onSessionClosed: (@Sendable (_ sessionID: String, _ reason: String) -> Void)?

    /// Called on the worker thread when a room's active speakers change, at most 4 times a second:
    /// the speakers loudest first, with a level from 0 (silent) to 1 (loudest), from the audio level
    /// header extension (RFC 6464). An empty list means that no participant is speaking.
    public var onActiveSpeakers: (@Sendable (_ room: String, _ speakers: [(identity: String, level: Double)]) -> Void)?

    public init(configuration: SFUConfiguration, name: String = "media-0") throws {
        self.configuration = configuration
        loop = try EventLoop(name: name)
        socket = try UDPSocket(bindTo: configuration.rtcBindAddress)
        sendBatch = SendBatch(socket: socket)
        nackList.reserveCapacity(64)
        try loop.register(socket.fileDescriptor) { [unowned self] _ in readable() }
        loop.onTick = { [unowned self] now in tick(now: now) }
    }

    /// The bound UDP address (its port is the real one when the configuration asked for port 0).
    public var localAddress: SocketAddress { socket.localAddress }

    public func start() {
        loop.start()
    }

    public func stop() {
        loop.stop()
    }

    // MARK: Control-plane entry points (any thread)

    func add(_ session: PeerSession) {
        loop.post { [self] in attach(session) }
    }

    /// Adds and removes the published tracks of a renegotiated publisher session.
    func updatePublisher(sessionID: String, add: [TrackDescription], removeMids: [String], extensionIDs: HeaderExtensionIDs?) {
        loop.post { [self] in
            guard let session = sessionsByID[sessionID] else { return }
            for mid in removeMids {
                guard let upTrack = session.upTracksByMid.removeValue(forKey: mid) else { continue }
                detach(upTrack)
                session.upTracksBySSRC = session.upTracksBySSRC.filter { $0.value !== upTrack }
                session.upTracksByPayloadType = session.upTracksByPayloadType.filter { $0.value !== upTrack }
                session.streamBindings = session.streamBindings.filter { $0.value.track !== upTrack }
            }
            for description in add {
                let upTrack = UpTrack(
                    description: description, publisher: session,
                    keyframeRequestIntervalMilliseconds: configuration.keyframeRequestIntervalMilliseconds)
                session.upTracksByMid[description.mid] = upTrack
                for ssrc in description.announcedSSRCs { session.upTracksBySSRC[ssrc] = upTrack }
            }
            if let extensionIDs { session.extensionIDs = extensionIDs }
            session.indexPayloadTypes()
        }
    }

    /// Attaches and detaches downstream legs of a subscriber session.
    func updateSubscriber(sessionID: String, add: [PendingSubscription], remove: [UInt32]) {
        loop.post { [self] in
            guard let session = sessionsByID[sessionID] else { return }
            for ssrc in remove {
                guard let downTrack = session.downTracksBySSRC.removeValue(forKey: ssrc) else { continue }
                downTrack.upTrack.downTracks.removeAll { $0 === downTrack }
            }
            let attached = attachSubscriptions(add, to: session)
            if session.isConnected {
                let now = Instant.now()
                for downTrack in attached where downTrack.upTrack.isVideo {
                    requestKeyframe(for: downTrack, now: now)
                }
                sendBatch.flush()
            }
        }
    }

    /// Starts or stops forwarding one published track. Subscribers resume at a keyframe, which is
    /// requested on unmute (at once unless a request for the layer went out within the interval).
    func setMuted(sessionID: String, mid: String, muted: Bool) {
        loop.post { [self] in
            guard let upTrack = sessionsByID[sessionID]?.upTracksByMid[mid] else { return }
            upTrack.muted = muted
            for downTrack in upTrack.downTracks { downTrack.updatePause() }
            if !muted, upTrack.isVideo {
                let now = Instant.now()
                for downTrack in upTrack.downTracks { requestKeyframe(for: downTrack, now: now) }
                sendBatch.flush()
            }
        }
    }

    /// Sets what one subscriber leg receives of a simulcast track.
    ///
    /// - Parameters:
    ///   - ssrc: the SSRC Chorus sends the leg with.
    ///   - maxLayer: the highest spatial layer to forward, 0 for the lowest; nil for the highest the
    ///     track has. The forwarder switches at the next keyframe of the layer and requests one.
    ///   - paused: stops forwarding the leg; forwarding resumes at a keyframe, requested at once.
    public func setLayerPreference(sessionID: String, ssrc: UInt32, maxLayer: Int?, paused: Bool) {
        loop.post { [self] in
            guard let downTrack = sessionsByID[sessionID]?.downTracksBySSRC[ssrc] else { return }
            let wasPaused = downTrack.forwarder.isPaused
            downTrack.setPreference(maxLayer: maxLayer, paused: paused)
            if wasPaused, !downTrack.forwarder.isPaused, downTrack.upTrack.isVideo {
                requestKeyframe(for: downTrack, now: Instant.now())
                sendBatch.flush()
            }
        }
    }

    func remove(sessionID: String) {
        loop.post { [self] in
            if let session = sessionsByID[sessionID] { close(session, reason: "ended by request", notify: false) }
        }
    }

    /// Copies the counters, with one entry per subscriber leg, on the worker thread and returns
    /// them to the caller's thread.
    public func snapshotCounters() -> MediaCounters {
        respondingSnapshot() ?? MediaCounters()
    }

    /// Copies the counters like `snapshotCounters`, but returns nil when the worker does not respond.
    public func respondingSnapshot() -> MediaCounters? {
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var copy = MediaCounters()
        let posted = loop.post { [self] in
            copy = counters
            copy.packetsOut = sendBatch.sentCount
            copy.bytesOut = sendBatch.sentBytes
            copy.drops[DropReason.sendFailed.rawValue] = sendBatch.droppedCount
            copy.downTracks = downTrackCounters()
            copy.busyMicroseconds = loop.busyMicroseconds
            copy.sessions = sessionsByID.count
            semaphore.signal()
        }
        guard posted, semaphore.wait(timeout: .now() + 1) == .success else { return nil }
        return copy
    }

    private func downTrackCounters() -> [DownTrackCounters] {
        var result: [DownTrackCounters] = []
        for session in sessionsByID.values where session.role == .subscriber {
            for downTrack in session.downTracksBySSRC.values {
                let forwarder = downTrack.forwarder
                result.append(DownTrackCounters(
                    room: session.roomName, participant: session.identity, track: downTrack.upTrack.description.sid,
                    publisher: downTrack.upTrack.publisher.identity, selectedLayer: forwarder.currentLayer,
                    targetLayer: forwarder.targetLayer, paused: forwarder.isPaused,
                    layerSwitches: downTrack.layerSwitches, keyframeRequestsSent: downTrack.keyframeRequestsSent,
                    keyframeRequestsReceived: downTrack.keyframeRequestsReceived,
                    retransmissionsSent: downTrack.retransmissionsSent, packetsSent: downTrack.packetsSent,
                    bytesSent: downTrack.bytesSent, packetsLost: Int64(downTrack.reportedCumulativeLost),
                    fractionLost: Double(downTrack.reportedFractionLost) / 256))
            }
        }
        return result
    }

    // MARK: Session table

    private func attach(_ session: PeerSession) {
        sessionsByID[session.id] = session
        sessionsByUfrag[session.ice.localUfrag] = session
        for upTrack in session.upTracksByMid.values {
            upTrack.keyframeRequests = KeyframeRequestThrottle(
                layerCount: upTrack.layerCount,
                intervalMilliseconds: configuration.keyframeRequestIntervalMilliseconds)
        }
        _ = attachSubscriptions(session.pendingSubscriptions, to: session)
        session.pendingSubscriptions.removeAll()
    }

    private func attachSubscriptions(_ subscriptions: [PendingSubscription], to session: PeerSession) -> [DownTrack] {
        var attached: [DownTrack] = []
        for pending in subscriptions {
            guard let publisher = sessionsByID[pending.publisherSessionID],
                let upTrack = publisher.upTracksByMid[pending.publisherMid],
                session.downTracksBySSRC[pending.ssrc] == nil
            else { continue }
            let detectable = upTrack.hasDetectableKeyframes(
                dependencyDescriptorNegotiated: publisher.extensionIDs.dependencyDescriptor != nil)
            let downTrack = DownTrack(
                subscriber: session, upTrack: upTrack, ssrc: pending.ssrc, payloadTypeMap: pending.payloadTypeMap,
                maxLayer: pending.maxLayer, requiresKeyframe: upTrack.isVideo && detectable,
                keyframeRequestIntervalMilliseconds: configuration.keyframeRequestIntervalMilliseconds,
                random: SecureRandom.uint32())
            upTrack.downTracks.append(downTrack)
            session.downTracksBySSRC[pending.ssrc] = downTrack
            attached.append(downTrack)
        }
        return attached
    }

    /// Detaches every down track of `upTrack` from its subscriber.
    private func detach(_ upTrack: UpTrack) {
        for downTrack in upTrack.downTracks {
            downTrack.subscriber.downTracksBySSRC[downTrack.ssrc] = nil
        }
        upTrack.downTracks.removeAll()
    }

    func close(_ session: PeerSession, reason: String, notify: Bool) {
        guard session.state != .closed else { return }
        session.state = .closed
        sessionsByID[session.id] = nil
        sessionsByUfrag[session.ice.localUfrag] = nil
        if let address = session.address, sessionsByAddress[address] === session {
            sessionsByAddress[address] = nil
        }
        for upTrack in session.upTracksByMid.values {
            detach(upTrack)
        }
        session.streamBindings.removeAll()
        for downTrack in session.downTracksBySSRC.values {
            downTrack.upTrack.downTracks.removeAll { $0 === downTrack }
        }
        session.downTracksBySSRC.removeAll()
        if session.role == .publisher, let speakers = speakersByRoom[session.roomName] {
            speakers.remove(identity: session.identity)
        }
        if notify { onSessionClosed?(session.id, reason) }
    }

    func log(_ message: String, session: PeerSession, detail: String) {
        Log.info(
            message,
            ["session": session.id, "room": session.roomName, "participant": session.identity,
             "role": session.role.rawValue, "detail": detail])
    }
}
