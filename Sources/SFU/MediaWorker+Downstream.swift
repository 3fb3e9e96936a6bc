import Forwarding
import RTCP
import RTP
import SRTP
import Wire

/// The subscriber side of the worker: rewriting forwarded packets for each leg, and serving the
/// leg's NACKs from the publisher stream's retransmission ring.
extension MediaWorker {
    /// Runs one incoming packet through the leg's forwarder and sends it when the forwarder forwards it.
    func forward(
        _ forwardingPacket: ForwardingPacket, view: RTPPacketView, packet: UnsafeRawBufferPointer,
        to downTrack: DownTrack, now: Instant
    ) {
        let result = downTrack.forwarder.forward(forwardingPacket, now: now)
        if let layer = result.keyframeRequestLayer {
            downTrack.keyframeRequestsSent += 1
            requestKeyframe(downTrack.upTrack, layer: layer, now: now)
        }
        guard case .forward(let sequenceNumber, let timestamp, let marker) = result.action else { return }
        downTrack.noteForwardedLayer()
        if send(view, packet: packet, to: downTrack, sequenceNumber: sequenceNumber, timestamp: timestamp,
                marker: marker)
        {
            downTrack.sendCounters.record(payloadLength: view.payloadLength)
        }
    }

    /// Resends the packets a subscriber reports lost (RFC 4585 section 6.2.1) on the leg's own SSRC,
    /// from the ring of the layer each one came from.
    func retransmit(_ lost: [UInt16], on downTrack: DownTrack, now: Instant) {
        let forwarder = downTrack.forwarder
        for sequenceNumber in lost {
            // Only the current layer's timestamp offset is known, so packets of earlier segments are not resent.
            guard let source = forwarder.incomingPacket(forOutgoing: sequenceNumber),
                source.layer == forwarder.currentLayer,
                let stream = downTrack.upTrack.stream(layer: source.layer),
                let stored = stream.ring.lookup(source.sequenceNumber, now: now),
                let view = RTPPacketView.parse(stored)
            else {
                downTrack.retransmissionsMissed += 1
                continue
            }
            let timestamp = view.timestamp &+ forwarder.timestampOffset
            if send(view, packet: stored, to: downTrack, sequenceNumber: sequenceNumber, timestamp: timestamp,
                    marker: view.marker)
            {
                downTrack.retransmissionsSent += 1
                counters.retransmissionsSent += 1
            }
        }
    }

    /// Writes one packet for a subscriber: its SSRC, payload type, sequence number and timestamp,
    /// without the publisher's header extensions, then protects it with the subscriber's keys.
    /// Returns whether it was queued.
    private func send(
        _ view: RTPPacketView, packet: UnsafeRawBufferPointer, to downTrack: DownTrack, sequenceNumber: UInt16,
        timestamp: UInt32, marker: Bool
    ) -> Bool {
        let subscriber = downTrack.subscriber
        guard subscriber.isConnected, let address = subscriber.address, let outbound = subscriber.outbound,
            let source = packet.baseAddress
        else {
            return false
        }
        let payloadType = downTrack.payloadTypeMap[Int(view.payloadType & 0x7F)]
        guard payloadType != 0xFF else {
            downTrack.packetsDropped += 1
            counters.drop(.noCodec)
            return false
        }
        let csrcBytes = view.csrcCount * 4
        let bodyStart = view.headerLength
        let bodyLength = view.payloadLength + view.paddingLength
        let headerLength = RTPPacketView.fixedHeaderLength + csrcBytes
        let slot = sendBatch.nextSlot()
        guard headerLength + bodyLength + 64 <= slot.count, let base = slot.baseAddress else {
            downTrack.packetsDropped += 1
            counters.drop(.truncated)
            return false
        }
        slot[0] = 0x80 | (view.hasPadding ? 0x20 : 0) | UInt8(view.csrcCount)
        slot[1] = (marker ? 0x80 : 0) | payloadType
        slot.storeBigEndian(sequenceNumber, at: 2)
        slot.storeBigEndian(timestamp, at: 4)
        slot.storeBigEndian(downTrack.ssrc, at: 8)
        if csrcBytes > 0 {
            (base + RTPPacketView.fixedHeaderLength).copyMemory(
                from: source + RTPPacketView.fixedHeaderLength, byteCount: csrcBytes)
        }
        (base + headerLength).copyMemory(from: source + bodyStart, byteCount: bodyLength)
        do {
            let length = try outbound.protectRTP(base, length: headerLength + bodyLength, capacity: slot.count)
            sendBatch.commit(length: length, to: address)
            downTrack.packetsSent += 1
            downTrack.bytesSent += UInt64(length)
            return true
        } catch {
            downTrack.packetsDropped += 1
            counters.drop(.srtpFailed)
            return false
        }
    }
}
