import Forwarding
import RTP
import SRTP
import Wire

/// The publisher side of the worker: receiving RTP, binding SSRCs to tracks and layers, unwrapping
/// RTX, and handing each media packet to the track's down tracks.
extension MediaWorker {
    func handleRTP(_ datagram: UnsafeMutableRawBufferPointer, session: PeerSession, now: Instant) {
        guard session.role == .publisher, let inbound = session.inbound, let base = datagram.baseAddress else {
            counters.drop(.notConnected)
            return
        }
        let length: Int
        do {
            length = try inbound.unprotectRTP(base, length: datagram.count)
        } catch SRTPError.replay {
            counters.drop(.srtpReplay)
            return
        } catch {
            counters.drop(.srtpFailed)
            return
        }
        let packet = UnsafeRawBufferPointer(rebasing: datagram[0..<length])
        guard let view = RTPPacketView.parse(packet) else {
            counters.drop(.malformedRTP)
            return
        }
        guard let binding = bindStream(of: view, packet: packet, in: session) else {
            counters.drop(.unknownSSRC)
            return
        }
        switch binding {
        case .media(let stream):
            receive(view, packet: packet, on: stream, isRetransmission: false, now: now)
        case .rtx(let rtxStream):
            receiveRTX(view, datagram: UnsafeMutableRawBufferPointer(rebasing: datagram[0..<length]), on: rtxStream, now: now)
        }
    }

    /// Unwraps an RTX packet in place (RFC 4588 section 4) and receives the original packet on the
    /// media stream it repairs.
    private func receiveRTX(
        _ view: RTPPacketView, datagram: UnsafeMutableRawBufferPointer, on rtxStream: UpRTXStream, now: Instant
    ) {
        let track = rtxStream.track
        rtxStream.statistics.update(
            sequenceNumber: view.sequenceNumber, timestamp: view.timestamp, now: now, isRetransmission: true)
        guard view.payloadLength >= RTXPacket.originalSequenceNumberLength else {
            // Senders probe bandwidth with padding-only RTX packets, which carry no original packet.
            counters.paddingPacketsReceived += 1
            return
        }
        guard let stream = track.stream(layer: rtxStream.layer),
            let codec = track.description.codec(rtxPayloadType: view.payloadType),
            let unwrapped = RTXPacket.unwrap(
                UnsafeRawBufferPointer(datagram), originalPayloadType: codec.payloadType, originalSSRC: stream.ssrc,
                into: datagram)
        else {
            counters.drop(.malformedRTX)
            return
        }
        let original = UnsafeRawBufferPointer(rebasing: datagram[0..<unwrapped.length])
        guard let originalView = RTPPacketView.parse(original) else {
            counters.drop(.malformedRTX)
            return
        }
        counters.rtxPacketsReceived += 1
        receive(originalView, packet: original, on: stream, isRetransmission: true, now: now)
    }

    /// Records one media packet (statistics, NACK state, ring, keyframes, audio level) and forwards
    /// it to the track's down tracks.
    private func receive(
        _ view: RTPPacketView, packet: UnsafeRawBufferPointer, on stream: UpStream, isRetransmission: Bool,
        now: Instant
    ) {
        let track = stream.track
        let session = track.publisher
        track.packetsReceived += 1
        track.bytesReceived += UInt64(packet.count)
        stream.statistics.update(
            sequenceNumber: view.sequenceNumber, timestamp: view.timestamp, now: now,
            isRetransmission: isRetransmission)
        stream.nackGenerator.received(sequenceNumber: view.sequenceNumber, now: now)
        stream.ring.store(packet, sequenceNumber: view.sequenceNumber, now: now)

        let isPadding = view.payloadLength == 0
        if isPadding { counters.paddingPacketsReceived += 1 }
        var isKeyframeStart = false
        if track.isVideo, !isPadding, let payload = view.payload(in: packet) {
            let descriptor = session.extensionIDs.dependencyDescriptor.flatMap {
                view.extensionElement(id: $0, in: packet)
            }
            isKeyframeStart = stream.isKeyframeStart(
                payloadType: view.payloadType, payload: payload, timestamp: view.timestamp,
                dependencyDescriptor: descriptor)
            if isKeyframeStart { track.keyframeRequests.keyframeReceived(layer: stream.layer) }
        }
        if !track.isVideo, !isRetransmission, let id = session.extensionIDs.audioLevel,
            let element = view.extensionElement(id: id, in: packet), let level = AudioLevel.parse(element)
        {
            speakers(of: session).record(
                identity: session.identity, level: level.level, voice: level.voice, now: now)
        }

        let forwardingPacket = ForwardingPacket(
            layer: stream.layer, sequenceNumber: view.sequenceNumber, timestamp: view.timestamp,
            marker: view.marker, isKeyframeStart: isKeyframeStart, isPadding: isPadding,
            payloadLength: view.payloadLength)
        for downTrack in track.downTracks {
            forward(forwardingPacket, view: view, packet: packet, to: downTrack, now: now)
        }
    }

    /// Finds the track and layer of a packet's SSRC and caches them: by the announced SSRCs, else
    /// by the mid, rid and repaired rid extensions (RFC 8843, RFC 8852), else by a payload type
    /// only one track uses.
    private func bindStream(of view: RTPPacketView, packet: UnsafeRawBufferPointer, in session: PeerSession)
        -> UpStreamBinding?
    {
        if let binding = session.streamBindings[view.ssrc] { return binding }

        let ids = session.extensionIDs
        var track = session.upTracksBySSRC[view.ssrc] ?? session.upTracksByMid.values.first {
            $0.description.announcedRTXSSRCs[view.ssrc] != nil
        }
        if track == nil, let id = ids.mid, let element = view.extensionElement(id: id, in: packet),
            let mid = parseMid(element)
        {
            track = session.upTracksByMid[mid]
        }
        if track == nil { track = session.upTracksByPayloadType[view.payloadType] }
        if track == nil {
            track = session.upTracksByMid.values.first { $0.description.codec(rtxPayloadType: view.payloadType) != nil }
        }
        guard let track else { return nil }

        let description = track.description
        let rid = ids.rid.flatMap { view.extensionElement(id: $0, in: packet) }.flatMap(parseRid)
        let repairedRid = ids.repairedRid.flatMap { view.extensionElement(id: $0, in: packet) }.flatMap(parseRid)
        let isRTX =
            description.announcedRTXSSRCs[view.ssrc] != nil || repairedRid != nil
            || (description.codec(rtxPayloadType: view.payloadType) != nil
                && description.codec(payloadType: view.payloadType) == nil)

        let binding: UpStreamBinding
        if isRTX {
            guard let layer = rtxLayer(of: view.ssrc, repairedRid: repairedRid, in: track) else { return nil }
            binding = .rtx(UpRTXStream(ssrc: view.ssrc, layer: layer, track: track))
        } else {
            guard let layer = mediaLayer(of: view.ssrc, rid: rid, in: track) else { return nil }
            let (stream, replaced) = track.stream(layer: layer, ssrc: view.ssrc)
            if let replaced { session.streamBindings[replaced.ssrc] = nil }
            binding = .media(stream)
        }
        session.streamBindings[view.ssrc] = binding
        session.upTracksBySSRC[view.ssrc] = track
        return binding
    }

    private func mediaLayer(of ssrc: UInt32, rid: String?, in track: UpTrack) -> Int? {
        let description = track.description
        if let layer = description.layerIndex(simulcastSSRC: ssrc) { return layer }
        if let rid, let layer = description.layerIndex(rid: rid) { return layer }
        if let layer = track.layer(ofMediaSSRC: ssrc) { return layer }
        // Without simulcast every SSRC is the one layer; with it, a packet without rid has no layer.
        return track.layerCount == 1 ? 0 : nil
    }

    private func rtxLayer(of ssrc: UInt32, repairedRid: String?, in track: UpTrack) -> Int? {
        let description = track.description
        if let mediaSSRC = description.announcedRTXSSRCs[ssrc] {
            if let layer = description.layerIndex(simulcastSSRC: mediaSSRC) ?? track.layer(ofMediaSSRC: mediaSSRC) {
                return layer
            }
        }
        if let repairedRid, let layer = description.layerIndex(rid: repairedRid) { return layer }
        return track.layerCount == 1 ? 0 : nil
    }

    /// Returns the active speaker ranking of `session`'s room, creating it on first use.
    func speakers(of session: PeerSession) -> RoomSpeakers {
        if let existing = speakersByRoom[session.roomName] { return existing }
        let created = RoomSpeakers()
        speakersByRoom[session.roomName] = created
        return created
    }
}
