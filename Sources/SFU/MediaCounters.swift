/// Packet counters of one media worker, read by the control plane for metrics.
/// Written only on the worker thread; read as a snapshot (a torn read of one
/// counter is acceptable for monitoring).
public struct MediaCounters: Sendable {
    /// Time the worker thread spent busy rather than waiting for packets, in microseconds.
    public var busyMicroseconds: Int64 = 0
    /// Sessions placed on the worker.
    public var sessions: Int = 0
    public var packetsIn: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var packetsOut: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var rtcpIn: UInt64 = 0
    public var keyframeRequestsSent: UInt64 = 0
    public var keyframeRequestsReceived: UInt64 = 0
    public var nacksReceived: UInt64 = 0
    /// Generic NACK packets sent to publishers for packets missing from their streams.
    public var nacksSent: UInt64 = 0
    /// RTX packets (RFC 4588) received from publishers that carried a retransmission.
    public var rtxPacketsReceived: UInt64 = 0
    /// Packets retransmitted to subscribers after their NACKs.
    public var retransmissionsSent: UInt64 = 0
    /// Padding-only packets received from publishers, which are never forwarded.
    public var paddingPacketsReceived: UInt64 = 0
    /// Receiver reports sent to publishers and sender reports sent to subscribers.
    public var receiverReportsSent: UInt64 = 0
    public var senderReportsSent: UInt64 = 0
    /// One entry per subscriber leg; filled only in snapshots.
    public var downTracks: [DownTrackCounters] = []
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
    /// An RTX packet without an original sequence number, or whose stream is unknown.
    case malformedRTX

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
        case .malformedRTX: return "malformed_rtx"
        }
    }
}

/// Counters of one subscriber leg (a down track), copied on the worker thread.
public struct DownTrackCounters: Sendable {
    public var room: String
    /// Identity of the subscriber.
    public var participant: String
    /// Sid of the published track.
    public var track: String
    /// Identity of the publisher.
    public var publisher: String
    /// Layer being forwarded, nil before the first keyframe and while paused.
    public var selectedLayer: Int?
    public var targetLayer: Int
    public var paused: Bool
    public var layerSwitches: UInt64
    /// Keyframe requests made toward the publisher for this leg, before the throttle merges them.
    public var keyframeRequestsSent: UInt64
    /// PLI and FIR messages the subscriber sent on this leg.
    public var keyframeRequestsReceived: UInt64
    /// Packets retransmitted after the subscriber's NACKs.
    public var retransmissionsSent: UInt64
    public var packetsSent: UInt64
    public var bytesSent: UInt64
    /// Cumulative number of packets lost, from the subscriber's latest receiver report.
    public var packetsLost: Int64
    /// Fraction lost from the subscriber's latest receiver report, 0 to 1.
    public var fractionLost: Double
}
