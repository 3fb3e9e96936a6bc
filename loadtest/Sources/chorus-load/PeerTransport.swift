import Crypto
import DTLS
import RTP
import SRTP
import STUN
import Transport
import Wire

/// Datagram counters of one transport. Sent datagrams are counted by its SendBatch.
struct TransportCounters {
    var datagramsReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0
    var rtpReceived: UInt64 = 0
    var rtcpReceived: UInt64 = 0
    var rtcpSent: UInt64 = 0
    var unprotectFailures: UInt64 = 0
    var protectFailures: UInt64 = 0
    var unknownSSRC: UInt64 = 0
    /// Datagrams from an address other than the server's candidate, or cut short by the receive slot.
    var ignored: UInt64 = 0
    var nacksReceived: UInt64 = 0
    var keyframeRequestsReceived: UInt64 = 0
}

/// One peer connection of a synthetic participant, as a browser runs it, on one UDP socket. It runs ICE as the
/// controlling agent against the server's ICE-lite agent (RFC 8445 section 2.5) and DTLS as the client
/// (RFC 5763). SRTP (RFC 3711) then carries media and RTCP, multiplexed on the same socket (RFC 7983).
///
/// Created on any thread; once handed to a `MediaLoop`, only that loop's thread touches it.
final class PeerTransport {
    enum Role: String {
        case publisher
        case subscriber
    }

    enum State: Equatable {
        case waitingForAnswer
        case checking
        case handshaking
        case connected
        case failed(String)
    }

    /// Connectivity checks repeat this often until the first response (RFC 8445 section 14.2 paces them).
    static let checkIntervalMicroseconds: Int64 = 100_000
    static let checkTimeoutMicroseconds: Int64 = 15_000_000
    /// Consent freshness (RFC 7675 section 5.1) sends a check every 5 s on average; the server closes a session
    /// after 30 s without one.
    static let keepaliveIntervalMicroseconds: Int64 = 2_500_000
    static let reportIntervalMicroseconds: Int64 = 1_000_000

    let participantIndex: Int
    let role: Role
    let socket: UDPSocket
    let sendBatch: SendBatch
    let local: LocalTransportDescription
    private let certificate: Certificate
    private let status: StatusBoard
    let localSSRC = UInt32.random(in: 1...UInt32.max)

    private(set) var state = State.waitingForAnswer
    private(set) var remote: RemoteTransport?
    private(set) var connectedAt: Int64?
    private var dtls: DTLSTransport?
    private var outbound: SRTPSession?
    private var inbound: SRTPSession?
    private let tieBreaker = UInt64.random(in: 0...UInt64.max)
    private var outstandingChecks: [STUNTransactionID] = []
    private var checksStartedAt: Int64 = 0
    private var nextCheckAt: Int64 = 0
    private(set) var lastCheckResponseAt: Int64 = 0
    private var nextReportAt: Int64 = 0
    private var transportSequenceNumber: UInt16 = 0
    /// Set once the run winds down: nothing more is sent, so the datagram counts stop moving.
    private(set) var isQuiet = false

    var counters = TransportCounters()
    var video: VideoTrackSender?
    var audio: AudioSender?
    /// Received tracks by the SSRC the server sends them with.
    var receivers: [UInt32: TrackReceiver] = [:]
    /// The latest fraction lost (0 to 255) the server reported for each SSRC this transport sends.
    var remoteFractionLost: [UInt32: UInt8] = [:]
    let loopStatistics: LoopStatistics

    init(
        participantIndex: Int, role: Role, certificate: Certificate, bindAddress: SocketAddress, batchCapacity: Int,
        status: StatusBoard, loopStatistics: LoopStatistics
    ) throws {
        self.participantIndex = participantIndex
        self.role = role
        self.certificate = certificate
        self.status = status
        self.loopStatistics = loopStatistics
        socket = try UDPSocket(bindTo: bindAddress, bufferBytes: 1 << 20)
        sendBatch = SendBatch(socket: socket, capacity: batchCapacity)
        local = LocalTransportDescription(
            ufrag: SecureRandom.iceString(8), password: SecureRandom.iceString(24),
            fingerprint: certificate.sha256Fingerprint, address: socket.localAddress)
    }

    var isConnected: Bool { state == .connected }

    /// Starts connectivity checks toward the server's candidate.
    func start(remote: RemoteTransport, now: Int64) {
        guard state == .waitingForAnswer else { return }
        self.remote = remote
        state = .checking
        checksStartedAt = now
        nextCheckAt = now
    }

    /// Stops sending anything, so that datagram counts compare with the server's after the run.
    func quiesce() {
        isQuiet = true
    }

    // MARK: Receive path

    /// Reads every datagram waiting on the socket with `batch`, then flushes what the handling queued.
    func readable(using batch: ReceiveBatch) {
        while true {
            let count = batch.receive(from: socket)
            if count == 0 { break }
            let now = Instant.now().microseconds
            for index in 0..<count {
                let datagram = batch.datagram(index)
                counters.datagramsReceived += 1
                counters.bytesReceived += UInt64(datagram.count)
                guard !batch.isTruncated(index), let remote, batch.sender(index) == remote.address else {
                    counters.ignored += 1
                    continue
                }
                handle(datagram, now: now)
            }
            if count < batch.capacity { break }
        }
        sendBatch.flush()
    }

    /// Demultiplexes by the first byte (RFC 7983 section 7): STUN, DTLS, or SRTP and SRTCP.
    private func handle(_ datagram: UnsafeMutableRawBufferPointer, now: Int64) {
        guard let first = datagram.first else { return }
        switch first {
        case 0...3:
            handleSTUN(UnsafeRawBufferPointer(datagram), now: now)
        case 20...63:
            handleDTLS(UnsafeRawBufferPointer(datagram), now: now)
        case 128...191:
            handleSecureMedia(datagram, now: now)
        default:
            counters.ignored += 1
        }
    }

    private func handleSTUN(_ bytes: UnsafeRawBufferPointer, now: Int64) {
        guard let remote, let message = STUNMessageView.parse(bytes),
            let index = outstandingChecks.firstIndex(of: message.transactionID)
        else {
            counters.ignored += 1
            return
        }
        guard message.messageClass == .successResponse,
            message.verifyMessageIntegrity(key: Array(remote.password.utf8))
        else {
            counters.ignored += 1
            return
        }
        outstandingChecks.remove(at: index)
        lastCheckResponseAt = now
        guard state == .checking else { return }
        startHandshake(remote: remote, now: now)
    }

    private func startHandshake(remote: RemoteTransport, now: Int64) {
        do {
            let transport = try DTLSTransport(
                certificate: certificate, role: .client,
                expectedRemoteFingerprint: (remote.fingerprintAlgorithm, remote.fingerprint),
                handshakeTimeout: .seconds(20))
            dtls = transport
            state = .handshaking
            nextCheckAt = now + Self.keepaliveIntervalMicroseconds
            send(transport.start(now: Instant(microseconds: now)))
        } catch {
            fail("DTLS setup failed: \(error)")
        }
    }

    private func handleDTLS(_ bytes: UnsafeRawBufferPointer, now: Int64) {
        guard let dtls else {
            counters.ignored += 1
            return
        }
        let event = dtls.receive(bytes, now: Instant(microseconds: now))
        send(event.outgoing)
        if let failure = event.failure {
            fail("DTLS failed: \(failure)")
            return
        }
        guard let keys = event.keys, outbound == nil else { return }

        do {
            let profile: SRTPProtectionProfile =
                keys.profile == .aeadAES128GCM ? .aeadAES128GCM : .aesCM128HMACSHA1_80
            outbound = try SRTPSession(
                profile: profile, key: keys.localKey, salt: keys.localSalt, direction: .outbound)
            inbound = try SRTPSession(
                profile: profile, key: keys.remoteKey, salt: keys.remoteSalt, direction: .inbound)
        } catch {
            fail("SRTP setup failed: \(error)")
            return
        }

        state = .connected
        connectedAt = now
        nextReportAt = now + Self.reportIntervalMicroseconds
        // Participants start capturing at random phases, as real ones do, so frames do not all burst at once.
        let phase = Int64.random(in: 0..<33_333)
        video?.begin(at: now + phase)
        audio?.begin(at: now + phase)
        status.transportConnected(participantIndex, role: role, at: now)
    }

    private func handleSecureMedia(_ datagram: UnsafeMutableRawBufferPointer, now: Int64) {
        guard let inbound, let base = datagram.baseAddress else {
            counters.ignored += 1
            return
        }
        if isRTCPPacket(UnsafeRawBufferPointer(datagram)) {
            guard let length = try? inbound.unprotectRTCP(base, length: datagram.count) else {
                counters.unprotectFailures += 1
                return
            }
            counters.rtcpReceived += 1
            handleRTCP(UnsafeRawBufferPointer(rebasing: datagram[0..<length]), now: now)
            return
        }
        guard let length = try? inbound.unprotectRTP(base, length: datagram.count) else {
            counters.unprotectFailures += 1
            return
        }
        counters.rtpReceived += 1
        let packet = UnsafeRawBufferPointer(rebasing: datagram[0..<length])
        guard let view = RTPPacketView.parse(packet) else {
            counters.ignored += 1
            return
        }
        guard let receiver = receivers[view.ssrc] else {
            counters.unknownSSRC += 1
            return
        }
        let gap = receiver.received(view, packet: packet, now: now, statistics: loopStatistics)
        if gap > 0, gap <= 64, receiver.slot.isVideo {
            sendNACK(for: receiver, newest: view.sequenceNumber, gap: gap)
        }
    }

    /// Marks the transport failed, once, and reports why.
    func fail(_ reason: String) {
        if case .failed = state { return }
        state = .failed(reason)
        status.transportFailed(participantIndex, role: role, reason: reason)
    }

    // MARK: Send path

    /// Copies an unprotected RTP packet into the send batch, stamps the transport-wide sequence number where the
    /// header has one, and protects it in place.
    func sendRTP(_ packet: UnsafeRawBufferPointer, transportWideOffset: Int?) {
        guard let outbound, let remote, !isQuiet, let source = packet.baseAddress else { return }
        let slot = sendBatch.nextSlot()
        guard packet.count + 64 <= slot.count, let base = slot.baseAddress else { return }
        base.copyMemory(from: source, byteCount: packet.count)
        if let offset = transportWideOffset {
            slot.storeBigEndian(transportSequenceNumber, at: offset)
            transportSequenceNumber &+= 1
        }
        do {
            let length = try outbound.protectRTP(base, length: packet.count, capacity: slot.count)
            sendBatch.commit(length: length, to: remote.address)
        } catch {
            counters.protectFailures += 1
        }
    }

    /// Protects and queues one RTCP compound packet.
    func sendRTCP(_ packet: [UInt8]) {
        guard let outbound, let remote, !isQuiet else { return }
        let slot = sendBatch.nextSlot()
        guard packet.count + 64 <= slot.count, let base = slot.baseAddress else { return }
        packet.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: packet.count) }
        do {
            let length = try outbound.protectRTCP(base, length: packet.count, capacity: slot.count)
            sendBatch.commit(length: length, to: remote.address)
            counters.rtcpSent += 1
        } catch {
            counters.protectFailures += 1
        }
    }

    func flush() {
        sendBatch.flush()
    }

    private func send(_ datagrams: [[UInt8]]) {
        guard let remote, !isQuiet else { return }
        for datagram in datagrams {
            sendBatch.enqueue(datagram, to: remote.address)
        }
    }

    // MARK: Timers

    /// Runs the timers: connectivity checks and consent, DTLS retransmission, RTCP reports and media.
    func housekeeping(now: Int64) {
        guard !isQuiet, remote != nil else { return }
        if now >= nextCheckAt { runConnectivityCheck(now: now) }
        if state == .handshaking, let dtls {
            send(dtls.poll(now: Instant(microseconds: now)))
            if case .failed(let reason) = dtls.state { fail("DTLS failed: \(reason)") }
        }
        if state == .connected, now >= nextReportAt {
            nextReportAt = now + Self.reportIntervalMicroseconds
            sendReports(now: now)
        }
        if state == .connected { requestKeyframesIfNeeded(now: now) }
        sendBatch.flush()
    }

    private func runConnectivityCheck(now: Int64) {
        guard let remote else { return }
        if state == .checking, now - checksStartedAt > Self.checkTimeoutMicroseconds {
            fail("ICE: no response to connectivity checks within \(Self.checkTimeoutMicroseconds / 1_000_000) s")
            return
        }
        if case .failed = state { return }
        let transactionID = STUNTransactionID.random()
        var request = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: transactionID)
        request.addUsername("\(remote.ufrag):\(local.ufrag)")
        request.addPriority(0x6E00_1EFF)
        request.addICEControlling(tieBreaker)
        // Aggressive nomination: the only candidate pair is nominated with the first check.
        request.addUseCandidate()
        send([request.finish(integrityKey: Array(remote.password.utf8), fingerprint: true)])
        outstandingChecks.append(transactionID)
        if outstandingChecks.count > 8 { outstandingChecks.removeFirst() }
        let interval = state == .checking ? Self.checkIntervalMicroseconds : Self.keepaliveIntervalMicroseconds
        nextCheckAt = now + interval
    }
}
