import Crypto
import Testing

/// The OpenSSL wrapper on its own, without the transport's filtering and fingerprint checks.
@Suite struct DTLSConnectionTests {
    /// Runs a handshake between two connections, returning every datagram sent.
    @discardableResult
    static func connect(_ client: DTLSConnection, _ server: DTLSConnection) -> [[UInt8]] {
        var sent: [[UInt8]] = []
        var queue = client.start()
        var toServer = true
        while !queue.isEmpty {
            sent += queue
            queue = queue.flatMap { datagram in
                datagram.withUnsafeBytes { (toServer ? server : client).handleDatagram($0) }
            }
            toServer.toggle()
        }
        return sent
    }

    @Test func handshakeReportsNegotiatedParameters() throws {
        let serverCertificate = try Certificate.generate()
        let clientCertificate = try Certificate.generate()
        let server = try DTLSConnection(certificate: serverCertificate, role: .server)
        let client = try DTLSConnection(certificate: clientCertificate, role: .client)

        #expect(server.start().isEmpty)
        #expect(server.exportSRTPKeyingMaterial() == nil)
        #expect(server.peerCertificateFingerprint == nil)
        #expect(server.selectedSRTPProfile == nil)
        Self.connect(client, server)

        #expect(server.state == .connected)
        #expect(client.state == .connected)
        #expect(server.protocolVersion == "DTLSv1.2")
        #expect(client.protocolVersion == "DTLSv1.2")
        #expect(server.cipherSuite == "ECDHE-ECDSA-AES128-GCM-SHA256")
        #expect(server.selectedSRTPProfile == .aeadAES128GCM)
        #expect(client.selectedSRTPProfile == .aeadAES128GCM)
        #expect(server.peerCertificateFingerprint == clientCertificate.sha256Fingerprint)
        #expect(client.peerCertificateFingerprint == serverCertificate.sha256Fingerprint)
        #expect(
            client.peerCertificateFingerprint(algorithm: .sha384) == serverCertificate.fingerprint(algorithm: .sha384))
        #expect(client.nextTimeout == nil)
        #expect(server.discardedApplicationDataBytes == 0)

        let serverMaterial = try #require(server.exportSRTPKeyingMaterial())
        let clientMaterial = try #require(client.exportSRTPKeyingMaterial())
        #expect(serverMaterial == clientMaterial)
        #expect(serverMaterial.clientKey.count == 16)
        #expect(serverMaterial.serverKey.count == 16)
        #expect(serverMaterial.clientSalt.count == 12)
        #expect(serverMaterial.serverSalt.count == 12)
        #expect(serverMaterial.clientKey != serverMaterial.serverKey)
    }

    @Test func clientTimerRunsUntilServerReplies() throws {
        let client = try DTLSConnection(certificate: Certificate.generate(), role: .client)
        #expect(client.nextTimeout == nil)
        let hello = client.start()
        #expect(hello.count == 1)
        let timeout = try #require(client.nextTimeout)
        #expect(timeout > .zero)
        #expect(timeout <= .seconds(1))
        // Before the timer expires, nothing is retransmitted.
        #expect(client.handleTimeout().isEmpty)
        #expect(client.start().isEmpty)
    }

    @Test func noCommonSRTPProfileFailsHandshake() throws {
        let server = try DTLSConnection(
            certificate: Certificate.generate(), role: .server, srtpProfiles: [.aeadAES128GCM])
        let client = try DTLSConnection(
            certificate: Certificate.generate(), role: .client, srtpProfiles: [.aesCM128HMACSHA1_80])
        Self.connect(client, server)
        // OpenSSL completes the handshake without use_srtp when no profile is shared.
        #expect(server.selectedSRTPProfile == nil)
        #expect(server.exportSRTPKeyingMaterial() == nil)
    }

    @Test func emptyProfileListIsRejected() throws {
        let certificate = try Certificate.generate()
        #expect(throws: CryptoError.self) {
            try DTLSConnection(certificate: certificate, role: .client, srtpProfiles: [])
        }
    }

    @Test func datagramsAfterCloseAreIgnored() throws {
        let server = try DTLSConnection(certificate: Certificate.generate(), role: .server)
        let client = try DTLSConnection(certificate: Certificate.generate(), role: .client)
        let sent = Self.connect(client, server)
        #expect(!server.close().isEmpty)
        #expect(server.state == .closed)
        for datagram in sent {
            #expect(datagram.withUnsafeBytes { server.handleDatagram($0) }.isEmpty)
        }
        #expect(server.state == .closed)
        #expect(server.close().isEmpty)
    }
}
