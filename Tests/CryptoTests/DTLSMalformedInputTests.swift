import Crypto
import DTLS
import Testing
import Wire

/// Malformed and unexpected datagrams must neither crash a transport nor stop a later valid
/// handshake from completing.
@Suite struct DTLSMalformedInputTests {
    /// Deterministic pseudo-random bytes (64-bit LCG), so failures reproduce.
    static func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    static func garbageDatagrams() -> [[UInt8]] {
        var datagrams: [[UInt8]] = [[], [0], [22], [22, 0xFE, 0xFD], [0xFF, 0xFF, 0xFF, 0xFF]]
        for seed in UInt64(1)...40 {
            datagrams.append(pseudoRandomBytes(count: Int(seed * 7 % 300) + 1, seed: seed))
        }
        // A record header whose length runs past the end of the datagram.
        datagrams.append([22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 9, 0x01, 0x00, 1, 2, 3])
        // Well-formed record headers around bytes that are not valid messages.
        datagrams.append([23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 7, 0, 4] + [1, 2, 3, 4])
        for seed in UInt64(100)...120 {
            let body = pseudoRandomBytes(count: Int(seed % 60) + 1, seed: seed)
            for contentType: UInt8 in [20, 21, 22] {
                datagrams.append(
                    [contentType, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, UInt8(seed), 0, UInt8(body.count)] + body)
            }
        }
        return datagrams
    }

    @discardableResult
    func feed(_ datagrams: [[UInt8]], to transport: DTLSTransport) -> [DTLSEvent] {
        datagrams.map { datagram in datagram.withUnsafeBytes { transport.receive($0, now: .now()) } }
    }

    @Test func garbageBeforeHandshakeIsIgnored() throws {
        let pair = try DTLSTestPair()
        let events = feed(Self.garbageDatagrams(), to: pair.server) + feed(Self.garbageDatagrams(), to: pair.client)
        for event in events {
            #expect(event.failure == nil)
            #expect(event.keys == nil)
        }
        #expect(pair.server.malformedDatagramCount > 0)

        pair.handshake()
        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connected)
    }

    /// Before each handshake datagram is delivered, its receiver first gets every truncation of it
    /// and the garbage datagrams.
    @Test func truncatedHandshakeDatagramsDoNotBreakHandshake() throws {
        let pair = try DTLSTestPair()
        var queue = pair.client.start(now: .now()).map { (true, $0) }
        var truncationsFed = 0
        while !queue.isEmpty {
            let (toServer, datagram) = queue.removeFirst()
            let receiver = toServer ? pair.server : pair.client
            for length in 0..<datagram.count {
                let events = feed([Array(datagram.prefix(length))], to: receiver)
                #expect(events.allSatisfy { $0.failure == nil }, "truncation to \(length) bytes")
                truncationsFed += 1
            }
            feed(Self.garbageDatagrams(), to: receiver)
            let replies = pair.deliver(datagram, toServer: toServer)
            queue += replies.map { (!toServer, $0) }
        }
        #expect(truncationsFed > 1000)
        #expect(pair.client.state == .connected)
        #expect(pair.server.state == .connected)
        let clientKeys = try #require(pair.clientKeys)
        let serverKeys = try #require(pair.serverKeys)
        #expect(clientKeys.localKey == serverKeys.remoteKey)
    }

    /// Flipping one bit of a plaintext handshake message may legitimately end the handshake, so
    /// this only requires that both sides end in a valid state without crashing.
    @Test func bitFlippedDatagramsNeverCrash() throws {
        let reference = try DTLSTestPair()
        reference.handshake()
        let recorded = reference.delivered

        for (index, (toServer, datagram)) in recorded.enumerated() {
            for bit in stride(from: 0, to: datagram.count * 8, by: 37) {
                let pair = try DTLSTestPair()
                var flipped = datagram
                flipped[bit / 8] ^= 1 << UInt8(bit % 8)
                let receiver = toServer ? pair.server : pair.client
                if !toServer { _ = pair.client.start(now: .now()) }
                feed([flipped], to: receiver)
                switch receiver.state {
                case .handshaking, .failed: break
                case .connected, .closed: Issue.record("datagram \(index), bit \(bit): state \(receiver.state)")
                }
            }
        }
    }

    @Test func garbageAfterHandshakeKeepsConnection() throws {
        let pair = try DTLSTestPair()
        pair.handshake()
        let keys = try #require(pair.serverKeys)

        var handshakeDatagrams = pair.delivered.map(\.datagram)
        handshakeDatagrams += handshakeDatagrams.flatMap { datagram in
            (0..<datagram.count).map { Array(datagram.prefix($0)) }
        }
        for transport in [pair.server, pair.client] {
            let events = feed(Self.garbageDatagrams() + handshakeDatagrams, to: transport)
            #expect(events.allSatisfy { $0.failure == nil })
            #expect(events.allSatisfy { $0.keys == nil })
            #expect(transport.state == .connected)
        }
        #expect(pair.server.keys == keys)
    }
}
