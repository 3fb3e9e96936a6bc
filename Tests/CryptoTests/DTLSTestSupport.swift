import Crypto
import DTLS
import SRTP
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// Two transports wired back to back in memory, each with its own certificate.
final class DTLSTestPair {
    let clientCertificate: Certificate
    let serverCertificate: Certificate
    let client: DTLSTransport
    let server: DTLSTransport
    var clientKeys: SRTPKeys?
    var serverKeys: SRTPKeys?
    var clientFailure: String?
    var serverFailure: String?
    /// Every datagram delivered, in order, with its receiver.
    var delivered: [(toServer: Bool, datagram: [UInt8])] = []

    init(
        clientExpects: (algorithm: String, value: String)? = nil,
        serverExpects: (algorithm: String, value: String)? = nil,
        clientProfiles: [SRTPProfileName] = SRTPProfileName.allCases,
        serverProfiles: [SRTPProfileName] = SRTPProfileName.allCases,
        initialRetransmissionTimeout: Duration = .seconds(1),
        mtu: Int = 1200
    ) throws {
        clientCertificate = try Certificate.generate()
        serverCertificate = try Certificate.generate()
        client = try DTLSTransport(
            certificate: clientCertificate, role: .client,
            expectedRemoteFingerprint: clientExpects ?? ("sha-256", serverCertificate.sha256Fingerprint),
            mtu: mtu, initialRetransmissionTimeout: initialRetransmissionTimeout, srtpProfiles: clientProfiles)
        server = try DTLSTransport(
            certificate: serverCertificate, role: .server,
            expectedRemoteFingerprint: serverExpects ?? ("sha-256", clientCertificate.sha256Fingerprint),
            mtu: mtu, initialRetransmissionTimeout: initialRetransmissionTimeout, srtpProfiles: serverProfiles)
    }

    /// Delivers one datagram and returns what the receiver sends back.
    @discardableResult
    func deliver(_ datagram: [UInt8], toServer: Bool) -> [[UInt8]] {
        delivered.append((toServer, datagram))
        let receiver = toServer ? server : client
        let event = datagram.withUnsafeBytes { receiver.receive($0, now: .now()) }
        if let keys = event.keys {
            if toServer { serverKeys = keys } else { clientKeys = keys }
        }
        if let failure = event.failure {
            if toServer { serverFailure = failure } else { clientFailure = failure }
        }
        return event.outgoing
    }

    /// Delivers `datagrams` and every reply, back and forth, until both sides are quiet.
    /// `drop` is called with each datagram and its direction before delivery, and returns true to discard it.
    func exchange(
        _ datagrams: [[UInt8]], toServer: Bool,
        drop: (_ toServer: Bool, _ datagram: [UInt8]) -> Bool = { _, _ in false }
    ) {
        var queue = datagrams.map { (toServer, $0) }
        var steps = 0
        while !queue.isEmpty {
            steps += 1
            precondition(steps < 1000, "handshake did not settle")
            let (direction, datagram) = queue.removeFirst()
            if drop(direction, datagram) { continue }
            let replies = deliver(datagram, toServer: direction)
            queue.append(contentsOf: replies.map { (!direction, $0) })
        }
    }

    /// Runs a complete handshake with no loss.
    func handshake() {
        exchange(client.start(now: .now()), toServer: true)
    }
}

func sleepMilliseconds(_ milliseconds: Int) {
    usleep(UInt32(milliseconds * 1000))
}

extension SRTPProtectionProfile {
    init(_ name: SRTPProfileName) {
        switch name {
        case .aeadAES128GCM: self = .aeadAES128GCM
        case .aesCM128HMACSHA1_80: self = .aesCM128HMACSHA1_80
        }
    }
}

/// Parses hex with optional whitespace, for RFC test vectors.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
