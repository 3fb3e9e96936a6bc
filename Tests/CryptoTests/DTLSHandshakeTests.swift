import Crypto
import DTLS
import SRTP
import Testing
import Wire

@Suite struct DTLSHandshakeTests {
    @Test func handshakeNegotiatesGCMAndMatchingKeys() throws {
        let pair = try DTLSTestPair()
        pair.handshake()

        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connected)
        let clientKeys = try #require(pair.clientKeys)
        let serverKeys = try #require(pair.serverKeys)
        #expect(clientKeys.profile == .aeadAES128GCM)
        #expect(serverKeys.profile == .aeadAES128GCM)
        #expect(clientKeys.localKey == serverKeys.remoteKey)
        #expect(clientKeys.localSalt == serverKeys.remoteSalt)
        #expect(clientKeys.remoteKey == serverKeys.localKey)
        #expect(clientKeys.remoteSalt == serverKeys.localSalt)
        #expect(clientKeys.localKey != clientKeys.remoteKey)
        #expect(clientKeys.localKey.count == 16)
        #expect(clientKeys.localSalt.count == 12)
        #expect(pair.client.remoteFingerprint == pair.serverCertificate.sha256Fingerprint)
        #expect(pair.server.remoteFingerprint == pair.clientCertificate.sha256Fingerprint)
        #expect(pair.client.nextDeadline == nil)
        #expect(pair.server.nextDeadline == nil)
    }

    @Test(arguments: [1200, 576, 300])
    func handshakeDatagramsFitTheMTU(_ mtu: Int) throws {
        let pair = try DTLSTestPair(mtu: mtu)
        pair.handshake()

        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connected)
        for (_, datagram) in pair.delivered {
            #expect(datagram.count <= mtu)
            #expect(datagram.withUnsafeBytes { DTLSRecordFilter.isWellFormed($0) })
        }
        if mtu == 300 {
            // The server's certificate flight alone is larger than 300 bytes.
            #expect(pair.delivered.filter { !$0.toServer }.count >= 3)
        }
    }

    @Test func mtuBelowMinimumIsRejected() throws {
        let certificate = try Certificate.generate()
        #expect(throws: CryptoError.self) {
            try DTLSConnection(certificate: certificate, role: .server, mtu: 100)
        }
    }

    @Test func clientOfferingOnlyAESCMGetsAESCM() throws {
        let pair = try DTLSTestPair(clientProfiles: [.aesCM128HMACSHA1_80])
        pair.handshake()

        let clientKeys = try #require(pair.clientKeys)
        let serverKeys = try #require(pair.serverKeys)
        #expect(clientKeys.profile == .aesCM128HMACSHA1_80)
        #expect(serverKeys.profile == .aesCM128HMACSHA1_80)
        #expect(clientKeys.localSalt.count == 14)
        #expect(clientKeys.localKey == serverKeys.remoteKey)
        #expect(clientKeys.localSalt == serverKeys.remoteSalt)
    }

    @Test func serverPreferenceWinsProfileChoice() throws {
        let pair = try DTLSTestPair(clientProfiles: [.aesCM128HMACSHA1_80, .aeadAES128GCM])
        pair.handshake()

        #expect(pair.clientKeys?.profile == .aeadAES128GCM)
        #expect(pair.serverKeys?.profile == .aeadAES128GCM)
    }

    @Test func transportFailsWithoutSRTPProfile() throws {
        let pair = try DTLSTestPair(clientProfiles: [.aesCM128HMACSHA1_80], serverProfiles: [.aeadAES128GCM])
        pair.handshake()

        #expect(pair.serverKeys == nil)
        #expect(pair.clientKeys == nil)
        let failure = try #require(pair.serverFailure)
        #expect(failure.contains("SRTP"))
        #expect(pair.server.keys == nil)
        guard case .failed = pair.client.state else {
            Issue.record("client state is \(pair.client.state)")
            return
        }
    }

    @Test(arguments: FingerprintAlgorithm.allCases)
    func expectedFingerprintInEveryHash(_ algorithm: FingerprintAlgorithm) throws {
        let clientCertificate = try Certificate.generate()
        let serverCertificate = try Certificate.generate()
        let client = try DTLSTransport(
            certificate: clientCertificate, role: .client,
            expectedRemoteFingerprint: (
                algorithm.rawValue.uppercased(), serverCertificate.fingerprint(algorithm: algorithm)
            ))
        let server = try DTLSTransport(
            certificate: serverCertificate, role: .server,
            expectedRemoteFingerprint: (
                algorithm.rawValue, clientCertificate.fingerprint(algorithm: algorithm).lowercased()
            ))

        var toServer = true
        var queue = client.start(now: .now())
        var connectedCount = 0
        while !queue.isEmpty {
            var replies: [[UInt8]] = []
            for datagram in queue {
                let event = datagram.withUnsafeBytes { (toServer ? server : client).receive($0, now: .now()) }
                #expect(event.failure == nil)
                if event.keys != nil { connectedCount += 1 }
                replies += event.outgoing
            }
            queue = replies
            toServer.toggle()
        }
        #expect(connectedCount == 2)
    }

    @Test func unsupportedFingerprintAlgorithmIsRejected() throws {
        let certificate = try Certificate.generate()
        #expect(throws: DTLSTransportError.unsupportedFingerprintAlgorithm("md5")) {
            try DTLSTransport(certificate: certificate, role: .server, expectedRemoteFingerprint: ("md5", "00:11"))
        }
    }

    @Test func serverRejectsWrongClientFingerprint() throws {
        let other = try Certificate.generate()
        let pair = try DTLSTestPair(serverExpects: ("sha-256", other.sha256Fingerprint))
        pair.handshake()

        #expect(pair.serverKeys == nil)
        #expect(pair.clientKeys == nil)
        let failure = try #require(pair.serverFailure)
        #expect(failure.contains("fingerprint"))
        guard case .failed = pair.server.state else {
            Issue.record("server state is \(pair.server.state)")
            return
        }
        // The server's bad_certificate alert reaches the client, which fails too.
        guard case .failed = pair.client.state else {
            Issue.record("client state is \(pair.client.state)")
            return
        }
    }

    @Test func clientRejectsWrongServerFingerprint() throws {
        let other = try Certificate.generate()
        let pair = try DTLSTestPair(clientExpects: ("sha-256", other.sha256Fingerprint))
        pair.handshake()

        #expect(pair.clientKeys == nil)
        #expect(pair.serverKeys == nil)
        let failure = try #require(pair.clientFailure)
        #expect(failure.contains("fingerprint"))
        guard case .failed = pair.server.state else {
            Issue.record("server state is \(pair.server.state)")
            return
        }
    }

    @Test func lostFinalServerFlightIsRepeated() throws {
        // A timer long enough that a loaded machine does not retransmit during the exchange.
        let pair = try DTLSTestPair(initialRetransmissionTimeout: .milliseconds(300))
        // The server's final flight is the only one with a change_cipher_spec record (type 20).
        var droppedFlights = 0
        pair.exchange(pair.client.start(now: .now()), toServer: true) { toServer, datagram in
            guard !toServer, Self.containsRecord(ofType: 20, datagram), droppedFlights == 0 else { return false }
            droppedFlights += 1
            return true
        }
        #expect(droppedFlights == 1)
        #expect(pair.server.state == .connected)
        #expect(pair.client.state == .handshaking)
        let deadline = try #require(pair.client.nextDeadline)

        // Wait out the client's retransmission timer; OpenSSL checks it against the real clock.
        sleepMilliseconds(Int(deadline.milliseconds(since: .now())) + 30)
        let repeatedClientFlight = pair.client.poll(now: .now())
        #expect(!repeatedClientFlight.isEmpty)

        var repeatedServerFlight: [[UInt8]] = []
        for datagram in repeatedClientFlight {
            repeatedServerFlight += pair.deliver(datagram, toServer: true)
        }
        #expect(!repeatedServerFlight.isEmpty)
        pair.exchange(repeatedServerFlight, toServer: false)

        #expect(pair.client.state == .connected)
        let clientKeys = try #require(pair.clientKeys)
        let serverKeys = try #require(pair.serverKeys)
        #expect(clientKeys.localKey == serverKeys.remoteKey)
        #expect(clientKeys.remoteKey == serverKeys.localKey)
    }

    /// Returns whether any record in `datagram` has `contentType`.
    static func containsRecord(ofType contentType: UInt8, _ datagram: [UInt8]) -> Bool {
        var offset = 0
        while offset + 13 <= datagram.count {
            if datagram[offset] == contentType { return true }
            offset += 13 + (Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
        }
        return false
    }

    @Test func lostClientHelloIsRetransmitted() throws {
        let pair = try DTLSTestPair(initialRetransmissionTimeout: .milliseconds(20))
        let hello = pair.client.start(now: .now())
        #expect(!hello.isEmpty)
        let deadline = try #require(pair.client.nextDeadline)
        #expect(pair.client.poll(now: .now()).isEmpty)

        sleepMilliseconds(Int(deadline.milliseconds(since: .now())) + 30)
        let repeated = pair.client.poll(now: .now())
        #expect(!repeated.isEmpty)
        pair.exchange(repeated, toServer: true)
        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connected)
    }

    @Test func handshakeTimesOut() throws {
        let certificate = try Certificate.generate()
        let client = try DTLSTransport(
            certificate: certificate, role: .client, expectedRemoteFingerprint: nil,
            handshakeTimeout: .seconds(5))
        let start = Instant(microseconds: 1_000_000)
        #expect(!client.start(now: start).isEmpty)
        #expect(client.poll(now: start.adding(milliseconds: 4999)).count <= 1)
        #expect(client.state == .handshaking)
        _ = client.poll(now: start.adding(milliseconds: 5000))
        guard case .failed(let reason) = client.state else {
            Issue.record("client state is \(client.state)")
            return
        }
        #expect(reason.contains("did not complete"))
        #expect(client.nextDeadline == nil)
    }

    @Test func closeNotifyClosesTheTransport() throws {
        // Built on DTLSConnection because the transport has no API to send close_notify.
        let serverCertificate = try Certificate.generate()
        let clientCertificate = try Certificate.generate()
        let server = try DTLSConnection(certificate: serverCertificate, role: .server)
        let client = try DTLSConnection(certificate: clientCertificate, role: .client)
        var queue = client.start()
        var toServer = true
        while !queue.isEmpty {
            queue = queue.flatMap { datagram in
                datagram.withUnsafeBytes { (toServer ? server : client).handleDatagram($0) }
            }
            toServer.toggle()
        }
        #expect(server.state == .connected)
        #expect(client.state == .connected)

        let alert = client.close()
        #expect(client.state == .closed)
        #expect(!alert.isEmpty)
        let reply = alert.flatMap { datagram in datagram.withUnsafeBytes { server.handleDatagram($0) } }
        #expect(server.state == .closed)
        #expect(!reply.isEmpty)
    }
}
