import Wire

/// A sender report, packet type 200 (RFC 3550 section 6.4.1).
///
///     header  |V=2|P|    RC   |   PT=SR=200   |             length            |
///             |                         SSRC of sender                        |
///     sender  |              NTP timestamp, most significant word             |
///     info    |             NTP timestamp, least significant word             |
///             |                         RTP timestamp                         |
///             |                     sender's packet count                     |
///             |                      sender's octet count                     |
///             | RC report blocks of 24 bytes                                  |
///             | profile-specific extensions (ignored)                         |
public struct SenderReport: Equatable, Hashable, Sendable {
    static let senderInfoLength = 24

    public var ssrc: UInt32
    /// Wall-clock time of sending as a 64-bit NTP timestamp.
    public var ntpTimestamp: UInt64
    /// The same instant in the RTP timestamp units of this source.
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reports: [ReportBlock]

    public init(
        ssrc: UInt32,
        ntpTimestamp: UInt64,
        rtpTimestamp: UInt32,
        packetCount: UInt32,
        octetCount: UInt32,
        reports: [ReportBlock] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    /// Parses the body after the common header; `reportCount` is the RC field.
    static func parse(body: UnsafeRawBufferPointer, reportCount: Int) -> SenderReport? {
        var reader = ByteReader(body)
        guard let ssrc = reader.readUInt32(),
            let ntpTimestamp = reader.readUInt64(),
            let rtpTimestamp = reader.readUInt32(),
            let packetCount = reader.readUInt32(),
            let octetCount = reader.readUInt32(),
            let reports = ReportBlock.readAll(count: reportCount, from: &reader)
        else { return nil }

        return SenderReport(
            ssrc: ssrc,
            ntpTimestamp: ntpTimestamp,
            rtpTimestamp: rtpTimestamp,
            packetCount: packetCount,
            octetCount: octetCount,
            reports: reports
        )
    }
}

/// A receiver report, packet type 201 (RFC 3550 section 6.4.2): the reporter's SSRC and RC
/// report blocks, possibly followed by profile-specific extensions, which are ignored.
public struct ReceiverReport: Equatable, Hashable, Sendable {
    public var ssrc: UInt32
    public var reports: [ReportBlock]

    public init(ssrc: UInt32, reports: [ReportBlock] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }

    static func parse(body: UnsafeRawBufferPointer, reportCount: Int) -> ReceiverReport? {
        var reader = ByteReader(body)
        guard let ssrc = reader.readUInt32(),
            let reports = ReportBlock.readAll(count: reportCount, from: &reader)
        else { return nil }

        return ReceiverReport(ssrc: ssrc, reports: reports)
    }
}
