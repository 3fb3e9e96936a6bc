import Crypto
import DTLS
import Foundation
import SRTP
import STUN
import Transport
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// A minimal WebRTC client over loopback UDP for tests: it sends ICE checks as the controlling
/// agent, runs DTLS as the client and protects media with SRTP, like a browser would.
final class TestPeer {
    let socket: UDPSocket
    let certificate: Certificate
    let ufrag = SecureRandom.iceString(8)
    let password = SecureRandom.iceString(24)
    var server: SocketAddress?
    var dtls: DTLSTransport?
    var outbound: SRTPSession?
    var inbound: SRTPSession?
    /// Arrival indices of RTP datagrams that `receiveMedia` discards, to simulate loss.
    var lostRTPIndices: Set<Int> = []
    private var rtpDatagramsReceived = 0

    init() throws {
        socket = try UDPSocket(bindTo: .v4(address: 0x7F00_0001, port: 0))
        certificate = try Certificate.generate()
    }

    /// SDP attributes every offer of this peer carries.
    var transportLines: [String] {
        [
            "a=ice-ufrag:\(ufrag)", "a=ice-pwd:\(password)",
            "a=fingerprint:sha-256 \(certificate.sha256Fingerprint)", "a=setup:actpass", "a=rtcp-mux",
        ]
    }

    /// Connects to the server named in `answer`: ICE check with USE-CANDIDATE, then DTLS as client.
    func connect(answer: String, timeout: TimeInterval = 5) throws {
        let lines = answer.split(whereSeparator: \.isNewline).map(String.init)
        guard let serverUfrag = value(of: "a=ice-ufrag:", in: lines),
            let serverPassword = value(of: "a=ice-pwd:", in: lines),
            let fingerprint = value(of: "a=fingerprint:", in: lines)?.split(separator: " ").last,
            let candidate = value(of: "a=candidate:", in: lines)?.split(separator: " "), candidate.count > 5,
            let port = UInt16(candidate[5]), let server = SocketAddress.parseIPv4(String(candidate[4]), port: port)
        else { throw TestPeerError("the answer lacks ICE credentials, fingerprint or a candidate:\n\(answer)") }
        self.server = server

        var request = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: .random())
        request.addUsername("\(serverUfrag):\(ufrag)")
        request.addPriority(0x6E00_1EFF)
        request.addICEControlling(UInt64.random(in: 0...UInt64.max))
        request.addUseCandidate()
        // The check is sent again every 100 ms, as ICE agents do (RFC 8445 section 14.3), because the
        // worker drops a check that arrives before it attached the session.
        let check = request.finish(integrityKey: Array(serverPassword.utf8), fingerprint: true)
        let checkDeadline = Date().addingTimeInterval(timeout)
        var succeeded = false
        while !succeeded, Date() < checkDeadline {
            send(check)
            guard let response = receive(timeout: 0.1) else { continue }
            let view = response.withUnsafeBytes { STUNMessageView.parse($0) }
            succeeded = view?.messageClass == .successResponse
        }
        guard succeeded else { throw TestPeerError("no ICE success response") }

        let transport = try DTLSTransport(
            certificate: certificate, role: .client, expectedRemoteFingerprint: ("sha-256", String(fingerprint)))
        dtls = transport
        for datagram in transport.start(now: Instant.now()) { send(datagram) }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let datagram = receive(timeout: 0.2) else {
                for retransmission in transport.poll(now: Instant.now()) { send(retransmission) }
                continue
            }
            let event = datagram.withUnsafeBytes { transport.receive($0, now: Instant.now()) }
            for outgoing in event.outgoing { send(outgoing) }
            if let failure = event.failure { throw TestPeerError("DTLS failed: \(failure)") }
            if let keys = event.keys {
                let profile: SRTPProtectionProfile = keys.profile == .aeadAES128GCM ? .aeadAES128GCM : .aesCM128HMACSHA1_80
                outbound = try SRTPSession(profile: profile, key: keys.localKey, salt: keys.localSalt, direction: .outbound)
                inbound = try SRTPSession(profile: profile, key: keys.remoteKey, salt: keys.remoteSalt, direction: .inbound)
                return
            }
        }
        throw TestPeerError("DTLS handshake timed out")
    }

    /// Protects and sends one RTP packet.
    func sendRTP(_ packet: [UInt8]) throws {
        var buffer = packet + [UInt8](repeating: 0, count: 64)
        let length = try buffer.withUnsafeMutableBytes {
            try outbound!.protectRTP($0.baseAddress!, length: packet.count, capacity: $0.count)
        }
        send(Array(buffer.prefix(length)))
    }

    /// Protects and sends one RTCP packet.
    func sendRTCP(_ packet: [UInt8]) throws {
        var buffer = packet + [UInt8](repeating: 0, count: 64)
        let length = try buffer.withUnsafeMutableBytes {
            try outbound!.protectRTCP($0.baseAddress!, length: packet.count, capacity: $0.count)
        }
        send(Array(buffer.prefix(length)))
    }

    /// Receives and unprotects media until `timeout`; returns RTP and RTCP separately. RTP datagrams
    /// whose arrival index (counted from 0 over the peer's life) is in `lostRTPIndices` are discarded
    /// before SRTP reads them, as if the network lost them.
    func receiveMedia(timeout: TimeInterval) -> (rtp: [[UInt8]], rtcp: [[UInt8]]) {
        var rtp: [[UInt8]] = []
        var rtcp: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, let datagram = receive(timeout: deadline.timeIntervalSinceNow) {
            guard let first = datagram.first, (128...191).contains(first), datagram.count > 8 else { continue }
            var buffer = datagram
            let isRTCP = (192...223).contains(buffer[1])
            if !isRTCP {
                rtpDatagramsReceived += 1
                if lostRTPIndices.contains(rtpDatagramsReceived - 1) { continue }
            }
            let length: Int? = buffer.withUnsafeMutableBytes { raw in
                isRTCP
                    ? try? inbound!.unprotectRTCP(raw.baseAddress!, length: raw.count)
                    : try? inbound!.unprotectRTP(raw.baseAddress!, length: raw.count)
            }
            guard let length else { continue }
            if isRTCP { rtcp.append(Array(buffer.prefix(length))) } else { rtp.append(Array(buffer.prefix(length))) }
        }
        return (rtp, rtcp)
    }

    func send(_ datagram: [UInt8]) {
        guard let server else { return }
        var storage = sockaddr_storage()
        let length = server.write(to: &storage)
        _ = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket.fileDescriptor, bytes.baseAddress, bytes.count, 0, $0, length)
                }
            }
        }
    }

    func receive(timeout: TimeInterval) -> [UInt8]? {
        var descriptor = pollfd(fd: socket.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(max(0, timeout * 1000))) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { recv(socket.fileDescriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer.prefix(count)) : nil
    }

    private func value(of prefix: String, in lines: [String]) -> String? {
        lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }
}

struct TestPeerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Builds a 12-byte RTP header followed by `payload`.
func rtpPacket(payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, marker: Bool = false,
               payload: [UInt8]) -> [UInt8] {
    var writer = ByteWriter()
    writer.write(UInt8(0x80))
    writer.write((marker ? 0x80 : 0) | payloadType)
    writer.write(sequenceNumber)
    writer.write(timestamp)
    writer.write(ssrc)
    writer.write(contentsOf: payload)
    return writer.bytes
}
