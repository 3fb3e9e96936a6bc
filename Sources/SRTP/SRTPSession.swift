import CSRTP

/// One libsrtp session (`srtp_t`) that protects or unprotects every SSRC of one direction with one
/// master key (RFC 3711; AES-GCM per RFC 7714).
///
/// Packets are processed in place. Not thread-safe: one worker thread owns each session.
public final class SRTPSession {
    public enum Direction: Sendable {
        /// Unprotects what the peer sent; streams are created per SSRC from the first packet that
        /// authenticates (`ssrc_any_inbound`).
        case inbound
        /// Protects what this endpoint sends (`ssrc_any_outbound`). Sending the same packet index
        /// again is allowed, so NACK retransmissions of identical packets can be re-protected.
        case outbound
    }

    public let profile: SRTPProtectionProfile
    public let direction: Direction
    /// Packets that decrypted only after retrying with another rollover counter.
    public private(set) var rolloverCounterRecoveries = 0
    private var session: srtp_t?
    private var packetCopy: [UInt8] = []
    /// The master key and salt, kept to add a stream for one SSRC with a chosen rollover counter.
    private var masterKey: [UInt8]
    private let replayWindow: Int

    /// - Parameters:
    ///   - key: the master key, `profile.keyLength` bytes.
    ///   - salt: the master salt, `profile.saltLength` bytes.
    ///   - replayWindow: the replay window in packets; libsrtp accepts 64 to 32767.
    public init(
        profile: SRTPProtectionProfile, key: [UInt8], salt: [UInt8], direction: Direction, replayWindow: Int = 1024
    ) throws {
        try SRTPLibrary.initialize()
        guard key.count == profile.keyLength, salt.count == profile.saltLength,
            (64...0x7FFF).contains(replayWindow)
        else { throw SRTPError.badParameter }
        self.profile = profile
        self.direction = direction
        // libsrtp takes the master key and salt concatenated, and copies them.
        masterKey = key + salt
        self.replayWindow = replayWindow

        var created: srtp_t?
        let status = withPolicy(ssrc: nil) { srtp_create(&created, $0) }
        guard status == srtp_err_status_ok, let created else { throw SRTPError(status: status) }
        session = created
    }

    deinit {
        if let session { srtp_dealloc(session) }
        for index in masterKey.indices { masterKey[index] = 0 }
    }

    /// Calls `body` with a policy for this session's profile, key and direction: for every SSRC
    /// of the direction when `ssrc` is nil, else for that SSRC alone.
    private func withPolicy<Result>(
        ssrc: UInt32?, _ body: (UnsafeMutablePointer<srtp_policy_t>) -> Result
    ) -> Result {
        var policy = srtp_policy_t()
        profile.setCryptoPolicy(&policy.rtp)
        profile.setCryptoPolicy(&policy.rtcp)
        if let ssrc {
            policy.ssrc.type = ssrc_specific
            policy.ssrc.value = ssrc
        } else {
            policy.ssrc.type = direction == .inbound ? ssrc_any_inbound : ssrc_any_outbound
        }
        policy.window_size = UInt(replayWindow)
        policy.allow_repeat_tx = direction == .outbound ? 1 : 0
        policy.next = nil
        return masterKey.withUnsafeMutableBufferPointer { keyPointer in
            policy.key = keyPointer.baseAddress
            return body(&policy)
        }
    }

    /// Encrypts and authenticates the RTP packet of `length` bytes at `buffer` in place and
    /// returns the SRTP length, `length + profile.rtpTrailerLength`.
    /// - Throws: `SRTPError.badParameter` if `capacity` leaves no room for the trailer or the
    ///   packet is not RTP.
    public func protectRTP(_ buffer: UnsafeMutableRawPointer, length: Int, capacity: Int) throws -> Int {
        guard length >= 12, capacity - length >= profile.rtpTrailerLength, length <= Int(Int32.max) else {
            throw SRTPError.badParameter
        }
        var newLength = Int32(length)
        let status = srtp_protect(session, buffer, &newLength)
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        return Int(newLength)
    }

    /// Verifies and decrypts the SRTP packet of `length` bytes at `buffer` in place and returns
    /// the RTP length.
    ///
    /// libsrtp infers the rollover counter (ROC) from the sequence number (RFC 3711 section 3.3.1),
    /// which picks the wrong ROC after a loss of more than 32768 packets. When a packet fails
    /// authentication or looks too old, this retries it with the stream's ROC and the one after
    /// (`srtp_set_stream_roc`), so streams resynchronize after long gaps. The first packet of an
    /// SSRC is retried with ROC 1, for a stream whose packets before its first wrap were lost.
    /// A forged packet therefore costs up to three tag checks, and one with a new SSRC also a key
    /// derivation. On failure the contents of `buffer` are unspecified.
    public func unprotectRTP(_ buffer: UnsafeMutableRawPointer, length: Int) throws -> Int {
        guard length >= 12 + profile.tagLength, length <= Int(Int32.max) else { throw SRTPError.badParameter }
        // The AES-GCM path may write to the buffer before its tag check fails, so retries start from
        // a copy. The AES-CM path checks the tag before decrypting.
        let keepsCopy = profile == .aeadAES128GCM
        if keepsCopy { saveCopy(of: buffer, length: length) }

        var newLength = Int32(length)
        let status = srtp_unprotect(session, buffer, &newLength)
        if status == srtp_err_status_ok { return Int(newLength) }
        guard Self.mayBeWrongRolloverCounter(status) else { throw Self.unprotectError(status) }

        let header = UnsafeRawBufferPointer(start: buffer, count: length)
        let ssrc = UInt32(header[8]) << 24 | UInt32(header[9]) << 16 | UInt32(header[10]) << 8 | UInt32(header[11])
        var currentROC: UInt32 = 0
        guard srtp_get_stream_roc(session, ssrc, &currentROC) == srtp_err_status_ok else {
            let sequenceNumber = UInt16(header[2]) << 8 | UInt16(header[3])
            if let plainLength = unprotectFirstPacketAfterWrap(
                buffer, length: length, ssrc: ssrc, sequenceNumber: sequenceNumber, keepsCopy: keepsCopy)
            {
                return plainLength
            }
            throw Self.unprotectError(status)
        }
        // A pending ROC of 0 means "none" to libsrtp, so ROC 0 itself cannot be forced.
        for candidate in [currentROC, currentROC &+ 1] where candidate != 0 {
            if keepsCopy { restoreCopy(to: buffer, length: length) }
            newLength = Int32(length)
            guard srtp_set_stream_roc(session, ssrc, candidate) == srtp_err_status_ok else { break }
            let retryStatus = srtp_unprotect(session, buffer, &newLength)
            // Back to estimating the ROC from the sequence number for later packets.
            _ = srtp_set_stream_roc(session, ssrc, 0)
            if retryStatus == srtp_err_status_ok {
                rolloverCounterRecoveries += 1
                return Int(newLength)
            }
        }
        throw Self.unprotectError(status)
    }

    /// Retries the first packet of an SSRC with rollover counter 1, for a stream whose packets before
    /// its first sequence number wrap were all lost. libsrtp starts each new stream at counter 0
    /// (RFC 3711 section 3.3.1), so the packet is tried in a stream added for this SSRC alone,
    /// which is removed again when the packet does not verify. Only sequence numbers below 0x8000
    /// are retried: a higher one after a wrap would mean more than 32768 lost packets.
    private func unprotectFirstPacketAfterWrap(
        _ buffer: UnsafeMutableRawPointer, length: Int, ssrc: UInt32, sequenceNumber: UInt16, keepsCopy: Bool
    ) -> Int? {
        guard sequenceNumber < 0x8000 else { return nil }
        let added = withPolicy(ssrc: ssrc) { srtp_add_stream(session, $0) }
        guard added == srtp_err_status_ok else { return nil }
        guard srtp_set_stream_roc(session, ssrc, 1) == srtp_err_status_ok else {
            removeStream(ssrc: ssrc)
            return nil
        }

        if keepsCopy { restoreCopy(to: buffer, length: length) }
        var newLength = Int32(length)
        let status = srtp_unprotect(session, buffer, &newLength)
        guard status == srtp_err_status_ok else {
            removeStream(ssrc: ssrc)
            return nil
        }
        _ = srtp_set_stream_roc(session, ssrc, 0)
        rolloverCounterRecoveries += 1
        return Int(newLength)
    }

    /// Frees the per-SSRC state (replay window and rollover counter) of a stream that has ended.
    /// A later packet with this SSRC starts a new stream from the session's key.
    public func removeStream(ssrc: UInt32) {
        _ = srtp_remove_stream(session, ssrc.bigEndian)
    }

    /// Encrypts and authenticates the RTCP compound packet at `buffer` in place and returns the
    /// SRTCP length, `length + profile.rtcpTrailerLength`.
    public func protectRTCP(_ buffer: UnsafeMutableRawPointer, length: Int, capacity: Int) throws -> Int {
        guard length >= 8, capacity - length >= profile.rtcpTrailerLength, length <= Int(Int32.max) else {
            throw SRTPError.badParameter
        }
        var newLength = Int32(length)
        let status = srtp_protect_rtcp(session, buffer, &newLength)
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
        return Int(newLength)
    }

    /// Verifies and decrypts the SRTCP packet at `buffer` in place and returns the RTCP length.
    public func unprotectRTCP(_ buffer: UnsafeMutableRawPointer, length: Int) throws -> Int {
        guard length >= 8 + profile.rtcpTrailerLength, length <= Int(Int32.max) else {
            throw SRTPError.badParameter
        }
        var newLength = Int32(length)
        let status = srtp_unprotect_rtcp(session, buffer, &newLength)
        guard status == srtp_err_status_ok else { throw Self.unprotectError(status) }
        return Int(newLength)
    }

    private static func mayBeWrongRolloverCounter(_ status: srtp_err_status_t) -> Bool {
        status == srtp_err_status_auth_fail || status == srtp_err_status_cipher_fail
            || status == srtp_err_status_replay_old
    }

    private func saveCopy(of buffer: UnsafeMutableRawPointer, length: Int) {
        if packetCopy.count < length { packetCopy = [UInt8](repeating: 0, count: max(length, 1500)) }
        packetCopy.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: buffer, byteCount: length) }
    }

    private func restoreCopy(to buffer: UnsafeMutableRawPointer, length: Int) {
        packetCopy.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: length) }
    }

    /// Maps an unprotect status to an error. A tag mismatch can surface as a cipher failure from the
    /// AES-GCM decryption, so that counts as an authentication failure too.
    private static func unprotectError(_ status: srtp_err_status_t) -> SRTPError {
        status == srtp_err_status_cipher_fail ? .authenticationFailed : SRTPError(status: status)
    }
}
