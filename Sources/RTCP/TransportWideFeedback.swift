import Wire

/// Transport-wide congestion control feedback: transport-layer feedback (PT 205) with FMT 15
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1).
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |V=2|P|  FMT=15 |    PT=205     |           length              |
///     |                     SSRC of packet sender                     |
///     |                      SSRC of media source                     |
///     |      base sequence number     |      packet status count      |
///     |                 reference time                | fb pkt. count |
///     |          packet chunk         |         packet chunk          |
///     .                                                               .
///     |         packet chunk          |  recv delta   |  recv delta   |
///     .                                                               .
///     |           recv delta          |  recv delta   | zero padding  |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Packet chunks give a status for each of `packetStatusCount` transport-wide sequence numbers
/// from the base: not received, received with a one-byte delta, or received with a two-byte
/// delta. Then each received packet has a receive delta in units of 250 microseconds, relative
/// to the previous received packet, or to the reference time (units of 64 ms) for the first.
public struct TransportWideFeedback: Equatable, Hashable, Sendable {
    /// Duration of one reference time unit.
    public static let referenceTimeUnitMicroseconds: Int64 = 64_000
    /// Duration of one receive delta unit.
    public static let deltaUnitMicroseconds: Int64 = 250
    /// Number of values of the 24-bit reference time.
    public static let referenceTimeModulus: Int64 = 1 << 24

    /// A packet that arrived, with its arrival time relative to the reference time.
    public struct ReceivedPacket: Equatable, Hashable, Sendable {
        public var sequenceNumber: UInt16
        /// Arrival time in microseconds after the reference time: the sum of the deltas so far.
        public var receiveOffset: Int64

        public init(sequenceNumber: UInt16, receiveOffset: Int64) {
            self.sequenceNumber = sequenceNumber
            self.receiveOffset = receiveOffset
        }
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var baseSequenceNumber: UInt16
    /// Number of sequence numbers reported on, from the base; those not in `received` were lost.
    public var packetStatusCount: UInt16
    /// The 24-bit reference time in units of 64 ms, as sent. It wraps, so compare values from
    /// successive feedback with `ReferenceTimeUnwrapper`.
    public var referenceTime: UInt32
    /// Counter of feedback packets, incremented by the sender for each one, for loss detection.
    public var feedbackPacketCount: UInt8
    /// Packets that arrived, in sequence number order.
    public var received: [ReceivedPacket]

    public init(
        senderSSRC: UInt32,
        mediaSSRC: UInt32,
        baseSequenceNumber: UInt16,
        packetStatusCount: UInt16,
        referenceTime: UInt32,
        feedbackPacketCount: UInt8,
        received: [ReceivedPacket]
    ) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.packetStatusCount = packetStatusCount
        self.referenceTime = referenceTime
        self.feedbackPacketCount = feedbackPacketCount
        self.received = received
    }

    /// Parses one transport-wide feedback packet at the start of `packet`, header included.
    ///
    /// Returns nil when the header is not RTPFB with FMT 15, the status count is 0, the chunks
    /// or deltas run past the packet, or a status uses the reserved symbol 3. Only received packets are
    /// stored, so a short packet claiming many lost packets does not make the parser allocate.
    public static func parse(_ packet: UnsafeRawBufferPointer) -> TransportWideFeedback? {
        guard let header = RTCPHeader.parse(packet),
            header.packetType == RTCPPacketType.transportFeedback,
            header.count == FeedbackMessageType.transportWideFeedback
        else { return nil }

        let bodyEnd = header.packetLength - header.paddingLength
        return parse(body: UnsafeRawBufferPointer(rebasing: packet[RTCPHeader.length..<bodyEnd]))
    }

    /// Parses every transport-wide feedback packet of a compound packet, skipping other packets
    /// and stopping at the first invalid header.
    public static func parseAll(inCompound bytes: UnsafeRawBufferPointer) -> [TransportWideFeedback] {
        var result: [TransportWideFeedback] = []
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            guard let header = RTCPHeader.parse(rest) else { break }

            if let feedback = parse(UnsafeRawBufferPointer(rebasing: rest[0..<header.packetLength])) {
                result.append(feedback)
            }
            offset += header.packetLength
        }
        return result
    }

    static func parse(body: UnsafeRawBufferPointer) -> TransportWideFeedback? {
        var reader = ByteReader(body)
        guard let senderSSRC = reader.readUInt32(),
            let mediaSSRC = reader.readUInt32(),
            let baseSequenceNumber = reader.readUInt16(),
            let packetStatusCount = reader.readUInt16(),
            let referenceTime = reader.readUInt24(),
            let feedbackPacketCount = reader.readUInt8(),
            packetStatusCount > 0
        else { return nil }

        // The chunks come before the deltas, so the statuses are read first and the deltas are
        // read by a second reader that starts where the chunks end.
        let chunksStart = reader.offset
        guard
            let chunksLength = PacketStatusChunks.encodedLength(body, from: chunksStart, count: Int(packetStatusCount))
        else { return nil }
        var deltas = ByteReader(body, offset: chunksStart + chunksLength)

        // Each received packet has at least one delta byte, which bounds the list up front.
        var received: [ReceivedPacket] = []
        received.reserveCapacity(min(Int(packetStatusCount), deltas.remaining))
        var offset: Int64 = 0
        var failed = false
        PacketStatusChunks.forEachReceived(body, from: chunksStart, count: Int(packetStatusCount)) { index, symbol in
            let delta: Int64
            if symbol == .smallDelta, let value = deltas.readUInt8() {
                delta = Int64(value)
            } else if symbol == .largeDelta, let value = deltas.readUInt16() {
                delta = Int64(Int16(bitPattern: value))
            } else {
                failed = true
                return false
            }
            offset += delta * deltaUnitMicroseconds
            let sequenceNumber = baseSequenceNumber &+ UInt16(truncatingIfNeeded: index)
            received.append(ReceivedPacket(sequenceNumber: sequenceNumber, receiveOffset: offset))
            return true
        }
        guard !failed else { return nil }

        return TransportWideFeedback(
            senderSSRC: senderSSRC,
            mediaSSRC: mediaSSRC,
            baseSequenceNumber: baseSequenceNumber,
            packetStatusCount: packetStatusCount,
            referenceTime: referenceTime,
            feedbackPacketCount: feedbackPacketCount,
            received: received
        )
    }
}

extension TransportWideFeedback {
    /// Extends 24-bit reference times from successive feedback packets to a continuous count of
    /// 64 ms units, taking each value as the one nearest to the previous.
    public struct ReferenceTimeUnwrapper: Sendable {
        public private(set) var last: Int64?

        public init() {}

        /// Returns the extended reference time of `referenceTime` in microseconds.
        public mutating func unwrap(_ referenceTime: UInt32) -> Int64 {
            let value = Int64(referenceTime & 0xFF_FFFF)
            guard let last else {
                self.last = value
                return value * TransportWideFeedback.referenceTimeUnitMicroseconds
            }

            let modulus = TransportWideFeedback.referenceTimeModulus
            var delta = (value - last) % modulus
            if delta >= modulus / 2 { delta -= modulus }
            if delta < -modulus / 2 { delta += modulus }
            let extended = last + delta
            self.last = extended
            return extended * TransportWideFeedback.referenceTimeUnitMicroseconds
        }
    }
}
