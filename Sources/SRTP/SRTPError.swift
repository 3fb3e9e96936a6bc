import CSRTP

/// A failed libsrtp call, mapped from `srtp_err_status_t`.
public enum SRTPError: Error, Equatable, CustomStringConvertible {
    /// The packet index was already received or is older than the replay window (RFC 3711
    /// section 3.3.2).
    case replay
    /// The authentication tag did not verify, so the packet was forged, corrupted, or protected
    /// with another key or rollover counter.
    case authenticationFailed
    /// A key, salt, window size or packet length that libsrtp rejects; also a packet too short to
    /// be RTP or RTCP.
    case badParameter
    /// Any other `srtp_err_status_t` value.
    case other(Int32)

    init(status: srtp_err_status_t) {
        switch status {
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: self = .replay
        case srtp_err_status_auth_fail: self = .authenticationFailed
        case srtp_err_status_bad_param, srtp_err_status_parse_err: self = .badParameter
        default: self = .other(Int32(bitPattern: status.rawValue))
        }
    }

    public var description: String {
        switch self {
        case .replay: return "SRTP replay check failed"
        case .authenticationFailed: return "SRTP authentication failed"
        case .badParameter: return "SRTP parameter or packet length is invalid"
        case .other(let code): return "libsrtp failed with srtp_err_status_t \(code)"
        }
    }
}
