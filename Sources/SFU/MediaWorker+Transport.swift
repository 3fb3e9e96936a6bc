import Crypto
import DTLS
import ICE
import RTP
import SRTP
import STUN
import Transport
import Wire

/// The transport layer of the worker: receiving datagrams, demultiplexing them, ICE and DTLS.
extension MediaWorker {
    func readable() {
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
            // Subscribers start decoding at a keyframe, so ask for one before the next comes by itself.
            for downTrack in session.downTracksBySSRC.values where downTrack.upTrack.isVideo {
                requestKeyframe(for: downTrack, now: now)
            }
        }
    }

    func send(_ datagrams: [[UInt8]], to session: PeerSession) {
        guard let address = session.address else { return }
        for datagram in datagrams {
            sendBatch.enqueue(datagram, to: address)
        }
    }


    /// Protects one RTCP packet (or compound) with `session`'s keys and queues it.
    func sendRTCP(_ packet: [UInt8], to session: PeerSession) {
        guard let address = session.address, let outbound = session.outbound else { return }
        let slot = sendBatch.nextSlot()
        guard packet.count + 64 <= slot.count, let base = slot.baseAddress else {
            counters.drop(.truncated)
            return
        }
        packet.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress { base.copyMemory(from: source, byteCount: bytes.count) }
        }
        do {
            let length = try outbound.protectRTCP(base, length: packet.count, capacity: slot.count)
            sendBatch.commit(length: length, to: address)
        } catch {
            counters.drop(.srtpFailed)
        }
    }
}
