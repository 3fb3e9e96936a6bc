import Wire

/// Builds transport-wide feedback packets (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// section 3.1) from the arrival times of received packets, splitting them so that no packet
/// exceeds `maxPacketSize` bytes.
public struct TransportWideFeedbackBuilder {
    /// A received packet: its extended transport-wide sequence number and arrival time.
    public struct Arrival: Sendable {
        public var sequenceNumber: Int64
        /// Arrival time on the receiver's clock, in microseconds.
        public var receiveTime: Int64

        public init(sequenceNumber: Int64, receiveTime: Int64) {
            self.sequenceNumber = sequenceNumber
            self.receiveTime = receiveTime
        }
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    /// Count of the next feedback packet; it wraps after 255.
    public var feedbackPacketCount: UInt8
    /// Maximum size of one feedback packet in bytes, header and padding included.
    public var maxPacketSize: Int

    /// - Precondition: `maxPacketSize` is at least 32 bytes, enough for one packet status.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, feedbackPacketCount: UInt8 = 0, maxPacketSize: Int = 1200) {
        precondition(maxPacketSize >= 32, "a feedback packet needs room for at least one status")
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.feedbackPacketCount = feedbackPacketCount
        self.maxPacketSize = maxPacketSize
    }

    /// Returns feedback packets reporting `arrivals`, which are in ascending sequence number
    /// order; an arrival whose sequence number is not above the previous one is skipped.
    ///
    /// Sequence numbers missing between arrivals are reported as not received, including those
    /// between the last arrival of one packet and the first of the next. A gap of more than
    /// 65534 sequence numbers is not reported, because a packet covers at most 65535. Neither is
    /// a gap whose statuses do not fit in `maxPacketSize` together with the next arrival.
    public mutating func build(_ arrivals: [Arrival]) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var draft: Draft?
        var lastSequenceNumber: Int64?
        for arrival in arrivals {
            if let last = lastSequenceNumber, arrival.sequenceNumber <= last { continue }
            lastSequenceNumber = arrival.sequenceNumber

            if draft?.add(arrival, maxPacketSize: maxPacketSize) == true { continue }
            var base = arrival.sequenceNumber
            if let finished = draft {
                packets.append(finished.serialize(senderSSRC, mediaSSRC, feedbackPacketCount))
                feedbackPacketCount &+= 1
                if arrival.sequenceNumber - finished.lastSequenceNumber < 0xFFFF {
                    base = finished.lastSequenceNumber + 1
                }
            }

            var next = Draft(base: base, firstReceiveTime: arrival.receiveTime)
            if !next.add(arrival, maxPacketSize: maxPacketSize) {
                // The losses before the arrival do not fit beside it, so they go unreported.
                next = Draft(base: arrival.sequenceNumber, firstReceiveTime: arrival.receiveTime)
                let added = next.add(arrival, maxPacketSize: maxPacketSize)
                precondition(added, "the first arrival always fits in an empty feedback packet")
            }
            draft = next
        }
        if let finished = draft {
            packets.append(finished.serialize(senderSSRC, mediaSSRC, feedbackPacketCount))
            feedbackPacketCount &+= 1
        }
        return packets
    }
}

extension TransportWideFeedbackBuilder {
    /// One feedback packet under construction.
    private struct Draft {
        /// Size of the header, the feedback SSRCs and the fixed transport-wide fields.
        static let fixedLength = 20

        let base: Int64
        /// Reference time in 64 ms units, before truncation to 24 bits.
        let referenceTime: Int64
        /// Time the deltas so far add up to, in microseconds, so rounding errors do not accumulate.
        var deltaTime: Int64
        var lastSequenceNumber: Int64
        var chunks = PacketStatusChunkEncoder()
        var deltas: [UInt8] = []

        init(base: Int64, firstReceiveTime: Int64) {
            self.base = base
            referenceTime = floorDivide(firstReceiveTime, TransportWideFeedback.referenceTimeUnitMicroseconds)
            deltaTime = referenceTime * TransportWideFeedback.referenceTimeUnitMicroseconds
            lastSequenceNumber = base - 1
        }

        /// Adds `arrival` and returns true, or returns false and leaves the draft unchanged when
        /// the status count, the delta or the packet size would exceed its limit.
        mutating func add(_ arrival: Arrival, maxPacketSize: Int) -> Bool {
            guard arrival.sequenceNumber - base < 0xFFFF else { return false }
            let unit = TransportWideFeedback.deltaUnitMicroseconds
            let delta = floorDivide(arrival.receiveTime - deltaTime + unit / 2, unit)
            guard let delta16 = Int16(exactly: delta) else { return false }

            var candidate = chunks
            candidate.add(.notReceived, count: Int(arrival.sequenceNumber - lastSequenceNumber - 1))
            let small = delta >= 0 && delta <= 0xFF
            candidate.add(small ? .smallDelta : .largeDelta)
            let length = Self.fixedLength + candidate.chunkCount * 2 + deltas.count + (small ? 1 : 2)
            guard (length + 3) / 4 * 4 <= maxPacketSize else { return false }

            chunks = candidate
            if small {
                deltas.append(UInt8(delta))
            } else {
                deltas.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: delta16) >> 8))
                deltas.append(UInt8(truncatingIfNeeded: delta16))
            }
            deltaTime += delta * unit
            lastSequenceNumber = arrival.sequenceNumber
            return true
        }

        func serialize(_ senderSSRC: UInt32, _ mediaSSRC: UInt32, _ feedbackPacketCount: UInt8) -> [UInt8] {
            let modulus = TransportWideFeedback.referenceTimeModulus
            let chunkList = chunks.finish()
            var writer = ByteWriter(capacity: Self.fixedLength + chunkList.count * 2 + deltas.count + 3)
            writer.writeRTCPPacket(
                count: FeedbackMessageType.transportWideFeedback,
                packetType: RTCPPacketType.transportFeedback,
                padToWord: true
            ) { body in
                body.write(senderSSRC)
                body.write(mediaSSRC)
                body.write(UInt16(truncatingIfNeeded: base))
                body.write(UInt16(lastSequenceNumber - base + 1))
                body.writeUInt24(UInt32((referenceTime % modulus + modulus) % modulus))
                body.write(feedbackPacketCount)
                for chunk in chunkList {
                    body.write(chunk)
                }
                body.write(contentsOf: deltas)
            }
            return writer.bytes
        }
    }
}

/// Divides rounding toward negative infinity, so times before zero fall in the right unit.
private func floorDivide(_ dividend: Int64, _ divisor: Int64) -> Int64 {
    let quotient = dividend / divisor
    return dividend % divisor < 0 ? quotient - 1 : quotient
}
