import Crypto
import Foundation
import ICE
import RTCP
import RTP
import SRTP
import STUN
import Transport
import Wire

/// One media-plane thread: its UDP socket, its epoll loop and the sessions placed
/// on it. Every method whose name does not say otherwise runs on the loop thread.
public final class MediaWorker: @unchecked Sendable {
    let configuration: SFUConfiguration
    let loop: EventLoop
    let socket: UDPSocket
    private let receiveBatch = ReceiveBatch(capacity: 64)
    let sendBatch: SendBatch

    private var sessionsByID: [String: PeerSession] = [:]
    private var sessionsByUfrag: [String: PeerSession] = [:]
    private var sessionsByAddress: [SocketAddress: PeerSession] = [:]
    var counters = MediaCounters()
    private var nextHousekeeping = Instant(microseconds: 0)

    /// Called on the worker thread when a session ends by itself (ICE timeout, DTLS failure).
    public var onSessionClosed: (@Sendable (_ sessionID: String, _ reason: String) -> Void)?

    public init(configuration: SFUConfiguration, name: String = "media-0") throws {
        self.configuration = configuration
        loop = try EventLoop(name: name)
        socket = try UDPSocket(bindTo: configuration.rtcBindAddress)
        sendBatch = SendBatch(socket: socket)
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
                for downTrack in upTrack.downTracks {
                    downTrack.subscriber.downTracksBySSRC[downTrack.ssrc] = nil
                }
                upTrack.downTracks.removeAll()
                session.upTracksBySSRC = session.upTracksBySSRC.filter { $0.value !== upTrack }
                session.upTracksByPayloadType = session.upTracksByPayloadType.filter { $0.value !== upTrack }
            }
            for description in add {
                let upTrack = UpTrack(description: description, publisher: session)
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
                for downTrack in attached where downTrack.upTrack.description.kind == .video {
                    requestKeyframe(downTrack.upTrack, now: now, force: true)
                }
                sendBatch.flush()
            }
        }
    }

    /// Starts or stops forwarding one published track.
    func setMuted(sessionID: String, mid: String, muted: Bool) {
        loop.post { [self] in
            guard let upTrack = sessionsByID[sessionID]?.upTracksByMid[mid] else { return }
            upTrack.muted = muted
            for downTrack in upTrack.downTracks { downTrack.resync() }
            // Subscribers resume decoding only from a keyframe.
            if !muted, upTrack.description.kind == .video {
                requestKeyframe(upTrack, now: Instant.now(), force: true)
                sendBatch.flush()
            }
        }
    }

    func remove(sessionID: String) {
        loop.post { [self] in
            if let session = sessionsByID[sessionID] { close(session, reason: "ended by request", notify: false) }
        }
    }

    /// Copies the counters on the worker thread and returns them to the caller's thread.
    public func snapshotCounters() -> MediaCounters {
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var copy = MediaCounters()
        let posted = loop.post { [self] in
            copy = counters
            copy.packetsOut = sendBatch.sentCount
            copy.bytesOut = sendBatch.sentBytes
            copy.drops[DropReason.sendFailed.rawValue] = sendBatch.droppedCount
            semaphore.signal()
        }
        guard posted, semaphore.wait(timeout: .now() + 1) == .success else { return MediaCounters() }
        return copy
    }

    // MARK: Session table

    private func attach(_ session: PeerSession) {
        sessionsByID[session.id] = session
        sessionsByUfrag[session.ice.localUfrag] = session
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
            let downTrack = DownTrack(
                subscriber: session, upTrack: upTrack, ssrc: pending.ssrc, payloadTypeMap: pending.payloadTypeMap,
                random: SecureRandom.uint32())
            upTrack.downTracks.append(downTrack)
            session.downTracksBySSRC[pending.ssrc] = downTrack
            attached.append(downTrack)
        }
        return attached
    }

    private func close(_ session: PeerSession, reason: String, notify: Bool) {
        guard session.state != .closed else { return }
        session.state = .closed
        sessionsByID[session.id] = nil
        sessionsByUfrag[session.ice.localUfrag] = nil
        if let address = session.address, sessionsByAddress[address] === session {
            sessionsByAddress[address] = nil
        }
        for upTrack in session.upTracksByMid.values {
            for downTrack in upTrack.downTracks {
                downTrack.subscriber.downTracksBySSRC[downTrack.ssrc] = nil
            }
            upTrack.downTracks.removeAll()
        }
        for downTrack in session.downTracksBySSRC.values {
            downTrack.upTrack.downTracks.removeAll { $0 === downTrack }
        }
        session.downTracksBySSRC.removeAll()
        if notify { onSessionClosed?(session.id, reason) }
    }

    // MARK: Receive path

    private func readable() {
        while true {
            let count = receiveBatch.receive(from: socket)
            if count == 0 { break }
            let now = Instant.now()
            for index in 0..<count {
                guard let sender = receiveBatch.sender(index) else { continue }
                if receiveBatch.isTruncated(index) {
                    counters.drop(.truncated)
                    continue
                }
                handle(datagram: receiveBatch.datagram(index), from: sender, now: now)
            }
            sendBatch.flush()
            if count < receiveBatch.capacity { break }
        }
    }

    /// Demultiplexes by the first byte as RFC 7983 section 7 lays out.
    private func handle(datagram: UnsafeMutableRawBufferPointer, from sender: SocketAddress, now: Instant) {
        guard let first = datagram.first else {
            counters.drop(.truncated)
            return
        }
        counters.packetsIn += 1
        counters.bytesIn += UInt64(datagram.count)
        switch first {
        case 0...3:
            handleSTUN(UnsafeRawBufferPointer(datagram), from: sender, now: now)
        case 20...63:
            guard let session = sessionsByAddress[sender] else {
                counters.drop(.unknownAddress)
                return
            }
            handleDTLS(UnsafeRawBufferPointer(datagram), session: session, now: now)
        case 128...191:
            guard let session = sessionsByAddress[sender] else {
                counters.drop(.unknownAddress)
                return
            }
            if isRTCPPacket(UnsafeRawBufferPointer(datagram)) {
                handleRTCP(datagram, session: session, now: now)
            } else {
                handleRTP(datagram, session: session, now: now)
            }
        default:
            counters.drop(.unknownFirstByte)
        }
    }

    private func handleSTUN(_ bytes: UnsafeRawBufferPointer, from sender: SocketAddress, now: Instant) {
        guard let message = STUNMessageView.parse(bytes) else {
            counters.drop(.malformedSTUN)
            return
        }
        guard let username = message.username, let fragments = iceUsernameFragments(username),
            let session = sessionsByUfrag[String(fragments.local)]
        else {
            counters.drop(.stunUnknownUser)
            return
        }
        let response = session.ice.handle(message, bytes: bytes, from: sender, now: now)
        if let reply = response.reply {
            sendBatch.enqueue(reply, to: sender)
        }
        guard response.error == nil, response.reply != nil else {
            counters.drop(.stunRejected)
            return
        }
        // The first checked address carries DTLS until the controlling peer nominates a pair.
        if response.nominated || session.address == nil {
            bind(session, to: sender)
        }
    }

    private func bind(_ session: PeerSession, to address: SocketAddress) {
        if let old = session.address, old != address, sessionsByAddress[old] === session {
            sessionsByAddress[old] = nil
        }
        session.address = address
        sessionsByAddress[address] = session
        if session.state == .new {
            session.state = .iceConnected
            // With a=setup:passive in the offer Chorus is the DTLS client and speaks first.
            if session.dtls.role == .client { send(session.dtls.start(now: Instant.now()), to: session) }
        }
    }

    private func handleDTLS(_ bytes: UnsafeRawBufferPointer, session: PeerSession, now: Instant) {
        let result = session.dtls.receive(bytes, now: now)
        send(result.outgoing, to: session)
        if let failure = result.failure {
            counters.drop(.dtlsFailed)
            log("DTLS failed", session: session, detail: failure)
            close(session, reason: "DTLS failed: \(failure)", notify: true)
            return
        }
        guard let keys = result.keys, session.outbound == nil else { return }
        do {
            session.outbound = try SRTPSession(keys: keys, direction: .outbound)
            session.inbound = try SRTPSession(keys: keys, direction: .inbound)
        } catch {
            log("SRTP setup failed", session: session, detail: "\(error)")
            close(session, reason: "SRTP setup failed", notify: true)
            return
        }
        session.state = .connected
        log("session connected", session: session, detail: "profile=\(keys.profile)")
        if session.role == .subscriber {
            for downTrack in session.downTracksBySSRC.values where downTrack.upTrack.description.kind == .video {
                requestKeyframe(downTrack.upTrack, now: now, force: true)
            }
        }
    }

    private func send(_ datagrams: [[UInt8]], to session: PeerSession) {
        guard let address = session.address else { return }
        for datagram in datagrams {
            sendBatch.enqueue(datagram, to: address)
        }
    }

    private func handleRTP(_ datagram: UnsafeMutableRawBufferPointer, session: PeerSession, now: Instant) {
        guard session.role == .publisher, let inbound = session.inbound else {
            counters.drop(.notConnected)
            return
        }
        let length: Int
        do {
            length = try inbound.unprotectRTP(datagram.baseAddress!, length: datagram.count)
        } catch SRTPError.replay {
            counters.drop(.srtpReplay)
            return
        } catch {
            counters.drop(.srtpFailed)
            return
        }
        let packet = UnsafeRawBufferPointer(rebasing: datagram[0..<length])
        guard let view = RTPPacketView.parse(packet) else {
            counters.drop(.malformedRTP)
            return
        }
        guard let upTrack = findUpTrack(for: view, packet: packet, in: session) else {
            counters.drop(.unknownSSRC)
            return
        }
        upTrack.packetsReceived += 1
        upTrack.bytesReceived += UInt64(length)
        if upTrack.muted { return }
        for downTrack in upTrack.downTracks {
            forward(view, packet: packet, to: downTrack, now: now)
        }
    }

    /// Finds the track of a packet: by SSRC, else by the mid extension, else by a payload type only one track uses.
    private func findUpTrack(for view: RTPPacketView, packet: UnsafeRawBufferPointer, in session: PeerSession)
        -> UpTrack?
    {
        if let track = session.upTracksBySSRC[view.ssrc] { return track }
        var found: UpTrack?
        if let id = session.extensionIDs.mid, let element = view.extensionElement(id: id, in: packet),
            let mid = parseMid(element)
        {
            found = session.upTracksByMid[mid]
        }
        if found == nil { found = session.upTracksByPayloadType[view.payloadType] }
        guard let track = found else { return nil }
        track.ssrcs.append(view.ssrc)
        session.upTracksBySSRC[view.ssrc] = track
        return track
    }

    /// Rewrites one packet for a subscriber: its SSRC, payload type, sequence number and
    /// timestamp, without the publisher's header extensions, then protects it with the subscriber's keys.
    private func forward(_ view: RTPPacketView, packet: UnsafeRawBufferPointer, to downTrack: DownTrack, now: Instant) {
        let upTrack = downTrack.upTrack
        let subscriber = downTrack.subscriber
        guard subscriber.isConnected, let address = subscriber.address, let outbound = subscriber.outbound else {
            return
        }
        let payloadType = downTrack.payloadTypeMap[Int(view.payloadType & 0x7F)]
        guard payloadType != 0xFF else {
            downTrack.packetsDropped += 1
            counters.drop(.noCodec)
            return
        }
        let csrcBytes = view.csrcCount * 4
        let bodyStart = view.headerLength
        let bodyLength = view.payloadLength + view.paddingLength
        let headerLength = RTPPacketView.fixedHeaderLength + csrcBytes
        let slot = sendBatch.nextSlot()
        guard headerLength + bodyLength + 64 <= slot.count else {
            downTrack.packetsDropped += 1
            counters.drop(.truncated)
            return
        }
        let (sequenceNumber, timestamp) = downTrack.rewrite(
            sequenceNumber: view.sequenceNumber, timestamp: view.timestamp, clockRate: upTrack.clockRate, now: now)
        slot[0] = 0x80 | (view.hasPadding ? 0x20 : 0) | UInt8(view.csrcCount)
        slot[1] = (view.marker ? 0x80 : 0) | payloadType
        slot.storeBigEndian(sequenceNumber, at: 2)
        slot.storeBigEndian(timestamp, at: 4)
        slot.storeBigEndian(downTrack.ssrc, at: 8)
        let base = slot.baseAddress!
        if csrcBytes > 0 {
            (base + 12).copyMemory(from: packet.baseAddress! + 12, byteCount: csrcBytes)
        }
        (base + headerLength).copyMemory(from: packet.baseAddress! + bodyStart, byteCount: bodyLength)
        do {
            let length = try outbound.protectRTP(base, length: headerLength + bodyLength, capacity: slot.count)
            sendBatch.commit(length: length, to: address)
            downTrack.packetsSent += 1
            downTrack.bytesSent += UInt64(length)
        } catch {
            downTrack.packetsDropped += 1
            counters.drop(.srtpFailed)
        }
    }

    private func handleRTCP(_ datagram: UnsafeMutableRawBufferPointer, session: PeerSession, now: Instant) {
        guard let inbound = session.inbound else {
            counters.drop(.notConnected)
            return
        }
        let length: Int
        do {
            length = try inbound.unprotectRTCP(datagram.baseAddress!, length: datagram.count)
        } catch {
            counters.drop(.srtpFailed)
            return
        }
        counters.rtcpIn += 1
        guard let packets = RTCPCompound.parse(UnsafeRawBufferPointer(rebasing: datagram[0..<length])) else {
            counters.drop(.malformedRTCP)
            return
        }
        guard session.role == .subscriber else { return }
        for packet in packets {
            switch packet {
            case .pictureLossIndication(_, let mediaSSRC):
                counters.keyframeRequestsReceived += 1
                if let downTrack = session.downTracksBySSRC[mediaSSRC] {
                    requestKeyframe(downTrack.upTrack, now: now, force: false)
                }
            case .fullIntraRequest(let request):
                counters.keyframeRequestsReceived += 1
                for entry in request.entries {
                    if let downTrack = session.downTracksBySSRC[entry.ssrc] {
                        requestKeyframe(downTrack.upTrack, now: now, force: false)
                    }
                }
            case .nack:
                // TODO: answer NACKs from a retransmission ring; until then the subscriber sees the loss.
                counters.nacksReceived += 1
            default:
                // Receiver reports and other feedback end at this leg and are not forwarded.
                break
            }
        }
    }

    /// Sends a PLI for `upTrack` to its publisher, at most once per configured interval unless forced.
    func requestKeyframe(_ upTrack: UpTrack, now: Instant, force: Bool) {
        if !force, let last = upTrack.lastKeyframeRequestAt,
            now.milliseconds(since: last) < configuration.keyframeRequestIntervalMilliseconds
        {
            return
        }
        let publisher = upTrack.publisher
        guard publisher.isConnected, let mediaSSRC = upTrack.mediaSSRC else { return }
        upTrack.lastKeyframeRequestAt = now
        counters.keyframeRequestsSent += 1
        sendRTCP(RTCPWriter.pictureLossIndication(senderSSRC: publisher.localSSRC, mediaSSRC: mediaSSRC), to: publisher)
    }

    private func sendRTCP(_ packet: [UInt8], to session: PeerSession) {
        guard let address = session.address, let outbound = session.outbound else { return }
        let slot = sendBatch.nextSlot()
        guard packet.count + 64 <= slot.count else { return }
        packet.withUnsafeBytes { slot.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: packet.count) }
        do {
            let length = try outbound.protectRTCP(slot.baseAddress!, length: packet.count, capacity: slot.count)
            sendBatch.commit(length: length, to: address)
        } catch {
            counters.drop(.srtpFailed)
        }
    }

    // MARK: Timers

    private func tick(now: Instant) -> Instant? {
        var deadline = now.adding(milliseconds: 1000)
        for session in sessionsByID.values where session.state != .connected {
            if let due = session.dtls.nextDeadline {
                if due <= now {
                    send(session.dtls.poll(now: now), to: session)
                }
                if let next = session.dtls.nextDeadline, next < deadline { deadline = next }
            }
        }
        if now >= nextHousekeeping {
            nextHousekeeping = now.adding(milliseconds: 1000)
            expireSessions(now: now)
        }
        sendBatch.flush()
        return deadline
    }

    /// Closes sessions whose peer stopped sending ICE checks (RFC 7675 consent freshness).
    private func expireSessions(now: Instant) {
        let timeout = configuration.iceTimeoutMilliseconds
        var expired: [PeerSession] = []
        for session in sessionsByID.values {
            let lastSeen = session.ice.lastRequestAt ?? session.createdAt
            if now.milliseconds(since: lastSeen) > timeout { expired.append(session) }
        }
        for session in expired {
            log("session timed out", session: session, detail: "no ICE check for \(timeout) ms")
            close(session, reason: "ICE timeout", notify: true)
        }
    }

    private func log(_ message: String, session: PeerSession, detail: String) {
        Log.info(
            message,
            ["session": session.id, "room": session.roomName, "participant": session.identity,
             "role": session.role.rawValue, "detail": detail])
    }
}
