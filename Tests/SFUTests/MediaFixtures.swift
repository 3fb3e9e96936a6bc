import Foundation
import RTCP
import RTP
import Wire

@testable import SFU

/// The start of a VP8 keyframe (RFC 7741 section 4.2, RFC 6386 section 9.1). A payload descriptor
/// with S set for partition 0 precedes a frame tag whose inverse key frame bit is 0, the start code
/// 9D 01 2A, and a 640x360 size.
let vp8KeyframeStart: [UInt8] = [0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01]

/// The start of a VP8 interframe: S set for partition 0, inverse key frame bit 1.
let vp8InterframeStart: [UInt8] = [0x10, 0x01, 0x00, 0x00]

/// Header extension ids the fixture offers use (RFC 8285 one-byte form).
enum FixtureExtensionID {
    static let mid: UInt8 = 4
    static let audioLevel: UInt8 = 1
    static let rid: UInt8 = 10
    static let repairedRid: UInt8 = 11
}

/// Builds an RTP packet with one-byte header extensions, and `paddingLength` bytes of padding
/// whose last byte is the count (RFC 3550 section 5.1).
func rtpPacket(
    payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, marker: Bool = false,
    extensions: [(id: UInt8, value: [UInt8])], payload: [UInt8], paddingLength: Int = 0
) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 12 + 4 + 4 * 32)
    let headerLength = header.withUnsafeMutableBytes { buffer in
        RTPHeaderWriter.write(
            into: buffer, marker: marker, payloadType: payloadType, sequenceNumber: sequenceNumber,
            timestamp: timestamp, ssrc: ssrc, extensions: extensions) ?? 0
    }
    var bytes = Array(header.prefix(headerLength)) + payload
    if paddingLength > 0 {
        bytes[0] |= 0x20
        bytes += [UInt8](repeating: 0, count: paddingLength - 1) + [UInt8(paddingLength)]
    }
    return bytes
}

/// Builds a video-only offer: VP8 with RTX, NACK and PLI. It announces simulcast by rid when `rids`
/// is not empty (RFC 8853), by SSRC when `simulcastSSRCs` is not empty (`a=ssrc-group:SIM`), and a
/// media SSRC with its RTX SSRC in an FID group when they are given.
func videoOffer(
    peer: TestPeer, direction: String, payloadType: UInt8 = 96, rtxPayloadType: UInt8? = 97, rids: [String] = [],
    ssrc: UInt32? = nil, rtxSSRC: UInt32? = nil, simulcastSSRCs: [UInt32] = [],
    feedback: [String] = ["nack", "nack pli"]
) -> String {
    var lines = ["v=0", "o=- 4611731400430051337 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0"]
    let formats = [payloadType] + (rtxPayloadType.map { [$0] } ?? [])
    lines += ["m=video 9 UDP/TLS/RTP/SAVPF \(formats.map(String.init).joined(separator: " "))", "c=IN IP4 0.0.0.0"]
    lines += ["a=mid:0", "a=\(direction)"]
    lines += ["a=extmap:\(FixtureExtensionID.mid) urn:ietf:params:rtp-hdrext:sdes:mid"]
    if !rids.isEmpty {
        lines += ["a=extmap:\(FixtureExtensionID.rid) urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"]
        lines += ["a=extmap:\(FixtureExtensionID.repairedRid) urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"]
    }
    lines += ["a=rtpmap:\(payloadType) VP8/90000"]
    lines += feedback.map { "a=rtcp-fb:\(payloadType) \($0)" }
    if let rtxPayloadType {
        lines += ["a=rtpmap:\(rtxPayloadType) rtx/90000", "a=fmtp:\(rtxPayloadType) apt=\(payloadType)"]
    }
    if !rids.isEmpty {
        lines += rids.map { "a=rid:\($0) send" }
        lines += ["a=simulcast:send \(rids.joined(separator: ";"))"]
    }
    if !simulcastSSRCs.isEmpty {
        lines += ["a=ssrc-group:SIM \(simulcastSSRCs.map(String.init).joined(separator: " "))"]
        lines += simulcastSSRCs.map { "a=ssrc:\($0) cname:publisher" }
    }
    if let ssrc {
        if let rtxSSRC {
            lines += ["a=ssrc-group:FID \(ssrc) \(rtxSSRC)", "a=ssrc:\(rtxSSRC) cname:publisher"]
        }
        lines += ["a=ssrc:\(ssrc) cname:publisher"]
    }
    lines += peer.transportLines
    return lines.joined(separator: "\r\n") + "\r\n"
}

/// Builds an audio-only offer with Opus and the audio level extension (RFC 6464).
func audioOffer(peer: TestPeer, direction: String, ssrc: UInt32?) -> String {
    var lines = ["v=0", "o=- 4611731400430051338 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0"]
    lines += ["m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=\(direction)"]
    lines += ["a=extmap:\(FixtureExtensionID.audioLevel) urn:ietf:params:rtp-hdrext:ssrc-audio-level"]
    lines += ["a=extmap:\(FixtureExtensionID.mid) urn:ietf:params:rtp-hdrext:sdes:mid"]
    lines += ["a=rtpmap:111 opus/48000/2"]
    if let ssrc { lines.append("a=ssrc:\(ssrc) cname:publisher") }
    lines += peer.transportLines
    return lines.joined(separator: "\r\n") + "\r\n"
}

/// Returns every RTCP packet in `compounds`.
func rtcpPackets(_ compounds: [[UInt8]]) -> [RTCPPacket] {
    compounds.flatMap { compound in compound.withUnsafeBytes { RTCPCompound.parse($0) } ?? [] }
}

/// Returns the media SSRCs named by the PLIs in `packets`.
func pictureLossSSRCs(_ packets: [RTCPPacket]) -> [UInt32] {
    packets.compactMap { packet in
        if case .pictureLossIndication(_, let ssrc) = packet { return ssrc }
        return nil
    }
}

/// A received RTP packet with its header fields and payload.
struct ReceivedPacket {
    var view: RTPPacketView
    var payload: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard let view = bytes.withUnsafeBytes({ RTPPacketView.parse($0) }) else { return nil }
        self.view = view
        payload = Array(bytes[view.payloadRange])
    }
}

/// Parses received RTP packets of `ssrc`, in arrival order.
func receivedPackets(_ packets: [[UInt8]], ssrc: UInt32) -> [ReceivedPacket] {
    packets.compactMap(ReceivedPacket.init).filter { $0.view.ssrc == ssrc }
}

extension TestPeer {
    /// Receives until `timeout` and returns the RTP packets of `ssrc` and every RTCP packet.
    func receive(ssrc: UInt32, timeout: TimeInterval) -> (rtp: [ReceivedPacket], rtcp: [RTCPPacket]) {
        let media = receiveMedia(timeout: timeout)
        return (receivedPackets(media.rtp, ssrc: ssrc), rtcpPackets(media.rtcp))
    }
}
