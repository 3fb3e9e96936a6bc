import Crypto
import Wire

/// DTLS-SRTP for one ICE session (RFC 5763, RFC 5764): runs the handshake, authenticates the peer
/// by the certificate fingerprint from its SDP, and hands out the SRTP keys.
///
/// The caller passes in the DTLS datagrams that the RFC 7983 demultiplexing rule sends here and
/// sends the returned ones on the same ICE pair. Not thread-safe: one worker thread owns it.
public final class DTLSTransport {
    public let role: DTLSRole
    /// The SRTP keys, once the handshake has completed and the peer was authenticated.
    public private(set) var keys: SRTPKeys?
    /// Datagrams dropped before OpenSSL because they were not well-formed DTLS records.
    public private(set) var malformedDatagramCount = 0

    private let connection: DTLSConnection
    private let expectedFingerprint: (algorithm: FingerprintAlgorithm, value: String)?
    private let handshakeTimeout: Duration
    private var handshakeDeadline: Instant?
    private var retransmissionDeadline: Instant?
    private var failureReason: String?

    /// - Parameters:
    ///   - expectedRemoteFingerprint: the peer's `a=fingerprint` (RFC 8122 section 5), such as
    ///     ("sha-256", "AB:CD:…"). Nil accepts any certificate and is meant for tests only.
    ///   - handshakeTimeout: the handshake fails if it has not completed this long after the first
    ///     datagram was sent or received. OpenSSL alone would retransmit for several minutes.
    ///   - srtpProfiles: the SRTP protection profiles to offer or accept, most preferred first.
    /// - Throws: `DTLSTransportError.unsupportedFingerprintAlgorithm`, or `CryptoError` from OpenSSL.
    public init(
        certificate: Certificate, role: DTLSRole, expectedRemoteFingerprint: (algorithm: String, value: String)?,
        mtu: Int = 1200, initialRetransmissionTimeout: Duration = .seconds(1),
        handshakeTimeout: Duration = .seconds(30),
        srtpProfiles: [SRTPProfileName] = SRTPProfileName.allCases
    ) throws {
        if let remote = expectedRemoteFingerprint {
            guard let algorithm = FingerprintAlgorithm(sdpName: remote.algorithm) else {
                throw DTLSTransportError.unsupportedFingerprintAlgorithm(remote.algorithm)
            }
            expectedFingerprint = (algorithm, remote.value)
        } else {
            expectedFingerprint = nil
        }
        self.role = role
        self.handshakeTimeout = handshakeTimeout
        connection = try DTLSConnection(
            certificate: certificate, role: role, mtu: mtu, initialRetransmissionTimeout: initialRetransmissionTimeout,
            srtpProfiles: srtpProfiles)
        connection.expectedPeerFingerprint = expectedFingerprint
    }

    public var state: DTLSState {
        if let failureReason { return .failed(failureReason) }
        return connection.state
    }

    /// The SHA-256 fingerprint of the peer's certificate, once received.
    public var remoteFingerprint: String? { connection.peerCertificateFingerprint }

    /// The earliest time at which `poll(now:)` has work, or nil when no timer runs.
    public var nextDeadline: Instant? {
        guard state == .handshaking else { return nil }
        switch (retransmissionDeadline, handshakeDeadline) {
        case (let retransmission?, let handshake?): return min(retransmission, handshake)
        case (let retransmission?, nil): return retransmission
        case (nil, let handshake?): return handshake
        case (nil, nil): return nil
        }
    }

    /// Starts the handshake: a client returns its ClientHello, a server returns nothing.
    public func start(now: Instant) -> [[UInt8]] {
        armHandshakeDeadline(now: now)
        let outgoing = connection.start()
        updateRetransmissionDeadline(now: now)
        return outgoing
    }

    /// Feeds one received DTLS datagram.
    public func receive(_ datagram: UnsafeRawBufferPointer, now: Instant) -> DTLSEvent {
        guard failureReason == nil else { return DTLSEvent() }
        guard DTLSRecordFilter.isWellFormed(datagram) else {
            malformedDatagramCount += 1
            return DTLSEvent()
        }
        armHandshakeDeadline(now: now)
        let wasConnected = connection.state == .connected
        var event = DTLSEvent(outgoing: connection.handleDatagram(datagram))
        updateRetransmissionDeadline(now: now)

        switch connection.state {
        case .connected where !wasConnected:
            completeHandshake(&event)
        case .failed(let reason):
            failureReason = reason
            event.failure = reason
        case .handshaking, .connected, .closed:
            break
        }
        return event
    }

    /// Retransmits the last flight when its timer has expired, and fails the handshake once
    /// `handshakeTimeout` has passed; check `state` after calling.
    public func poll(now: Instant) -> [[UInt8]] {
        guard state == .handshaking else { return [] }
        if let handshakeDeadline, now >= handshakeDeadline {
            failureReason = "DTLS handshake did not complete within \(handshakeTimeout)"
            return []
        }
        guard let retransmissionDeadline, now >= retransmissionDeadline else { return [] }
        let outgoing = connection.handleTimeout()
        updateRetransmissionDeadline(now: now)
        if case .failed(let reason) = connection.state {
            failureReason = reason
        }
        return outgoing
    }

    /// Ends the association: returns the `close_notify` alert to send if the handshake had
    /// completed, and nothing otherwise.
    public func close() -> [[UInt8]] {
        connection.close()
    }

    private func completeHandshake(_ event: inout DTLSEvent) {
        // The certificate callback already enforced the fingerprint; checking again guards the
        // keys against a callback that did not run.
        if let expected = expectedFingerprint {
            let actual = connection.peerCertificateFingerprint(algorithm: expected.algorithm)
            guard let actual, FingerprintFormat.matches(actual, expected.value) else {
                fail("peer certificate fingerprint does not match the expected fingerprint", &event)
                return
            }
        }
        guard let profile = connection.selectedSRTPProfile else {
            fail("peer negotiated no SRTP protection profile (use_srtp, RFC 5764 section 4.1.1)", &event)
            return
        }
        guard let material = connection.exportSRTPKeyingMaterial() else {
            fail("exporting SRTP keying material failed", &event)
            return
        }
        let keys = SRTPKeys(profile: profile, material: material, role: role)
        self.keys = keys
        event.keys = keys
    }

    /// Fails a completed handshake and sends `close_notify`, so that the peer stops too.
    private func fail(_ reason: String, _ event: inout DTLSEvent) {
        failureReason = reason
        event.failure = reason
        event.outgoing += connection.close()
    }

    private func armHandshakeDeadline(now: Instant) {
        guard handshakeDeadline == nil else { return }
        let milliseconds =
            handshakeTimeout.components.seconds * 1000
            + handshakeTimeout.components.attoseconds / 1_000_000_000_000_000
        handshakeDeadline = now.adding(milliseconds: milliseconds)
    }

    private func updateRetransmissionDeadline(now: Instant) {
        guard let timeout = connection.nextTimeout else {
            retransmissionDeadline = nil
            return
        }
        let microseconds = timeout.components.seconds * 1_000_000 + timeout.components.attoseconds / 1_000_000_000_000
        retransmissionDeadline = Instant(microseconds: now.microseconds + microseconds)
    }
}

public enum DTLSTransportError: Error, Equatable {
    /// The SDP fingerprint uses a hash function other than SHA-1 or SHA-2 (RFC 8122 section 5).
    case unsupportedFingerprintAlgorithm(String)
}
