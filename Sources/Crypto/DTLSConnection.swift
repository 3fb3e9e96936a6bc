import COpenSSL

/// One DTLS 1.2 association (RFC 6347) run by OpenSSL over memory BIOs: the caller feeds each
/// received datagram in and sends the datagrams that come out, so no socket is involved.
///
/// Not thread-safe: one worker thread owns each connection.
///
/// OpenSSL runs the retransmission timer (RFC 6347 section 4.2.4) against its own wall clock, so
/// `handleTimeout()` retransmits only once `nextTimeout` has really elapsed.
public final class DTLSConnection {
    public let role: DTLSRole
    /// The largest datagram this connection sends, in bytes of UDP payload.
    public let mtu: Int
    public private(set) var state: DTLSState = .handshaking
    /// When set, the handshake fails with a `bad_certificate` alert unless the peer's certificate
    /// has this fingerprint (RFC 8122 section 5). Set it before the first datagram.
    public var expectedPeerFingerprint: (algorithm: FingerprintAlgorithm, value: String)?
    /// Bytes of application data received and dropped. DTLS here only keys SRTP, so records such as
    /// SCTP for data channels have no receiver.
    public private(set) var discardedApplicationDataBytes = 0

    /// The first retransmission timeout, doubled on each retransmission up to 60 seconds.
    let initialRetransmissionMicroseconds: UInt32
    private let certificate: Certificate
    /// The `SSL*`, which owns both BIOs.
    let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private var started = false
    private var peerCertificateRejected = false
    private var readBuffer = [UInt8](repeating: 0, count: 2048)

    /// Below this link MTU OpenSSL rejects `DTLS_set_link_mtu`.
    public static let minimumMTU = 256
    static let keyingMaterialLabel = "EXTRACTOR-dtls_srtp"

    /// - Parameters:
    ///   - mtu: the largest UDP payload to send; handshake messages are fragmented to fit.
    ///   - initialRetransmissionTimeout: RFC 6347 section 4.2.4.1 recommends 1 second.
    ///   - srtpProfiles: the profiles to offer (client) or accept (server), most preferred first.
    public init(
        certificate: Certificate, role: DTLSRole, mtu: Int = 1200,
        initialRetransmissionTimeout: Duration = .seconds(1),
        srtpProfiles: [SRTPProfileName] = SRTPProfileName.allCases
    ) throws {
        guard !srtpProfiles.isEmpty else {
            throw CryptoError.invalidArgument("at least one SRTP protection profile is required")
        }
        guard mtu >= Self.minimumMTU, mtu <= 65_507 else {
            throw CryptoError.invalidArgument("DTLS MTU \(mtu) is outside \(Self.minimumMTU)...65507")
        }
        let microseconds =
            initialRetransmissionTimeout.components.seconds * 1_000_000
            + initialRetransmissionTimeout.components.attoseconds / 1_000_000_000_000
        guard microseconds >= 1000, microseconds <= 60_000_000 else {
            throw CryptoError.invalidArgument("initial DTLS retransmission timeout must be 1 ms to 60 s")
        }
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(certificate.context(for: role).context) else {
            throw CryptoError.fromQueue("SSL_new")
        }
        guard let readBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw CryptoError.fromQueue("BIO_new")
        }
        guard let writeBIO = BIO_new(BIO_s_mem()) else {
            BIO_free(readBIO)
            SSL_free(ssl)
            throw CryptoError.fromQueue("BIO_new")
        }
        // An empty read BIO reports "retry" instead of end of file, so OpenSSL waits for more data.
        _ = chorus_BIO_set_mem_eof_return(readBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)

        self.role = role
        self.mtu = mtu
        self.certificate = certificate
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.initialRetransmissionMicroseconds = UInt32(microseconds)

        _ = chorus_SSL_set_options_no_query_mtu(ssl)
        guard chorus_DTLS_set_link_mtu(ssl, mtu) == 1 else {
            throw CryptoError.fromQueue("DTLS_set_link_mtu")
        }
        if srtpProfiles != SRTPProfileName.allCases {
            // Unlike most OpenSSL functions, this one returns 0 on success.
            guard SSL_set_tlsext_use_srtp(ssl, srtpProfiles.map(\.openSSLName).joined(separator: ":")) == 0 else {
                throw CryptoError.fromQueue("SSL_set_tlsext_use_srtp")
            }
        }
        // The callbacks find this object through the app data pointer; SSL_free in deinit runs
        // before this object is gone, so the unretained pointer never dangles.
        _ = chorus_SSL_set_app_data(ssl, Unmanaged.passUnretained(self).toOpaque())
        DTLS_set_timer_cb(ssl, retransmissionTimeout)
        switch role {
        case .server: SSL_set_accept_state(ssl)
        case .client: SSL_set_connect_state(ssl)
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Starts the handshake. A client returns its first flight (ClientHello); a server returns
    /// nothing and waits for the client.
    public func start() -> [[UInt8]] {
        guard role == .client, !started, state == .handshaking else { return [] }
        advance()
        return drainOutgoing()
    }

    /// Feeds one received DTLS datagram and returns the datagrams to send in reply.
    ///
    /// OpenSSL drops records that fail to parse or authenticate (RFC 6347 section 4.1.2.7), but a
    /// well-formed fatal alert or an invalid handshake message ends the association.
    public func handleDatagram(_ bytes: UnsafeRawBufferPointer) -> [[UInt8]] {
        guard let base = bytes.baseAddress, !bytes.isEmpty, bytes.count <= Int(Int32.max) else { return [] }
        guard state == .handshaking || state == .connected else { return [] }
        // A client speaks first, so anything before start() is stray and must not start it.
        guard role == .server || started else { return [] }
        // Each datagram starts clean, so a datagram that OpenSSL did not consume fully cannot run
        // into the next one.
        _ = chorus_BIO_reset(readBIO)
        guard BIO_write(readBIO, base, Int32(bytes.count)) == Int32(bytes.count) else { return [] }
        advance()
        return drainOutgoing()
    }

    /// Retransmits the last flight if the timer has expired (`DTLSv1_handle_timeout`), or fails the
    /// handshake after OpenSSL's limit of 12 retransmissions.
    public func handleTimeout() -> [[UInt8]] {
        guard state == .handshaking || state == .connected else { return [] }
        OpenSSLErrorQueue.clear()
        if chorus_DTLSv1_handle_timeout(ssl) < 0 {
            fail(prefix: "DTLS handshake timed out")
        }
        return drainOutgoing()
    }

    /// Sends `close_notify` (RFC 5246 section 7.2.1) and returns the datagram carrying it. The
    /// connection is closed afterwards, whether or not the peer replies.
    public func close() -> [[UInt8]] {
        guard state == .connected else { return [] }
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
        state = .closed
        return drainOutgoing()
    }

    /// Time until `handleTimeout()` should run, or nil when no retransmission timer runs.
    public var nextTimeout: Duration? {
        var remaining = timeval()
        guard chorus_DTLSv1_get_timeout(ssl, &remaining) == 1 else { return nil }
        return .seconds(Int64(remaining.tv_sec)) + .microseconds(Int64(remaining.tv_usec))
    }

    /// Checks the peer's leaf certificate (`X509*`) against `expectedPeerFingerprint`, for the
    /// certificate verification callback.
    func acceptsPeerCertificate(_ peer: OpaquePointer) -> Bool {
        guard let expected = expectedPeerFingerprint else { return true }
        guard let actual = certificateFingerprint(of: peer, algorithm: expected.algorithm),
            FingerprintFormat.matches(actual, expected.value)
        else {
            peerCertificateRejected = true
            return false
        }
        return true
    }

    // MARK: - Driving OpenSSL

    private func advance() {
        if state == .handshaking {
            started = true
            OpenSSLErrorQueue.clear()
            let result = SSL_do_handshake(ssl)
            guard result == 1 else {
                let error = SSL_get_error(ssl, result)
                if error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE {
                    fail(prefix: "DTLS handshake failed")
                }
                return
            }
            state = .connected
        }
        if state == .connected {
            readApplicationData()
        }
    }

    /// Runs `SSL_read` until the read BIO is empty. This also lets OpenSSL respond to a retransmitted
    /// final flight from the peer and notice `close_notify`.
    private func readApplicationData() {
        while true {
            OpenSSLErrorQueue.clear()
            let count = readBuffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if count > 0 {
                discardedApplicationDataBytes += Int(count)
                continue
            }
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                // Reply to close_notify with our own (RFC 5246 section 7.2.1).
                _ = SSL_shutdown(ssl)
                OpenSSLErrorQueue.clear()
                state = .closed
                return
            default:
                fail(prefix: "DTLS connection failed")
                return
            }
        }
    }

    private func fail(prefix: String) {
        let reasons = OpenSSLErrorQueue.drain()
        if peerCertificateRejected {
            state = .failed("peer certificate fingerprint does not match the expected fingerprint")
        } else if reasons.isEmpty {
            state = .failed(prefix)
        } else {
            state = .failed("\(prefix): \(reasons.joined(separator: "; "))")
        }
    }

    /// Moves everything OpenSSL wrote into datagrams of at most `mtu` bytes.
    private func drainOutgoing() -> [[UInt8]] {
        let pending = Int(BIO_ctrl_pending(writeBIO))
        guard pending > 0, pending <= Int(Int32.max) else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = bytes.withUnsafeMutableBytes { BIO_read(writeBIO, $0.baseAddress, Int32(pending)) }
        guard read > 0 else { return [] }
        if Int(read) < pending { bytes.removeLast(pending - Int(read)) }
        return DTLSRecordPacker.pack(bytes, mtu: mtu)
    }
}

/// `DTLS_timer_cb`: OpenSSL passes the previous timeout (0 when the timer starts) and uses the
/// returned one, in microseconds.
private func retransmissionTimeout(_ ssl: OpaquePointer?, _ previousMicroseconds: UInt32) -> UInt32 {
    let maximum: UInt32 = 60_000_000
    if previousMicroseconds == 0 {
        guard let ssl, let pointer = chorus_SSL_get_app_data(ssl) else { return 1_000_000 }
        return Unmanaged<DTLSConnection>.fromOpaque(pointer).takeUnretainedValue().initialRetransmissionMicroseconds
    }
    return previousMicroseconds >= maximum / 2 ? maximum : previousMicroseconds * 2
}
