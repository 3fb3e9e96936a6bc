/// Packet counters of one media worker, read by the control plane for metrics.
/// Written only on the worker thread; read as a snapshot (a torn read of one
/// counter is acceptable for monitoring).
public struct MediaCounters: Sendable {
    public var packetsIn: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var packetsOut: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var rtcpIn: UInt64 = 0
    public var keyframeRequestsSent: UInt64 = 0
    public var keyframeRequestsReceived: UInt64 = 0
    public var nacksReceived: UInt64 = 0
    /// Dropped datagrams by reason, indexed by `DropReason.rawValue`.
    public var drops = [UInt64](repeating: 0, count: DropReason.allCases.count)

    public init() {}

    mutating func drop(_ reason: DropReason) {
        drops[reason.rawValue] += 1
    }
}

/// Why a datagram or packet was dropped instead of handled.
public enum DropReason: Int, CaseIterable, Sendable {
    case unknownFirstByte
    case truncated
    case malformedSTUN
    case stunUnknownUser
    case stunRejected
    case unknownAddress
    case dtlsFailed
    case notConnected
    case srtpFailed
    case srtpReplay
    case malformedRTP
    case malformedRTCP
    case unknownSSRC
    case noCodec
    case sendFailed

    public var label: String {
        switch self {
        case .unknownFirstByte: return "unknown_first_byte"
        case .truncated: return "truncated"
        case .malformedSTUN: return "malformed_stun"
        case .stunUnknownUser: return "stun_unknown_user"
        case .stunRejected: return "stun_rejected"
        case .unknownAddress: return "unknown_address"
        case .dtlsFailed: return "dtls_failed"
        case .notConnected: return "not_connected"
        case .srtpFailed: return "srtp_failed"
        case .srtpReplay: return "srtp_replay"
        case .malformedRTP: return "malformed_rtp"
        case .malformedRTCP: return "malformed_rtcp"
        case .unknownSSRC: return "unknown_ssrc"
        case .noCodec: return "no_codec"
        case .sendFailed: return "send_failed"
        }
    }
}
